"""Safe output: hostile text in every field is shown as text and runs nothing, in every format.

A standard set (and a partnership overlay, and an older version for the "changes" kind) is
written with a payload in *every* text field the DSL has (the test checks the list against
the JSON Schema): a ``<script>``, an ``<img onerror>``, ``javascript:`` links (Markdown and
HTML), Jinja ``{{ }}`` / ``{% %}``, a ``</script>`` break-out, and Markdown images pointing at
an http URL on a local server and at ``file:///etc/passwd``. Each payload starts with a marker
(``F07``) so that every place it shows up can be checked.

Then every (kind, format) the registry offers is rendered and opened again the way a person
would: HTML parsed and loaded in headless Chromium (no script of ours replaced, no handler,
no dialog, ``window.__pwned`` never set, no request), PDF read with pypdf (the text shown,
no JavaScript or launch actions, no ``file:``/``javascript:`` links, nothing of
/etc/passwd), DOCX and XLSX reopened (text shown, no formulas or field codes made of it, no
such hyperlinks), Markdown rendered by a viewer that allows HTML (nothing live), CSV and XLSX
cells never starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return. The local
server must receive no request at all: rendering never reaches the network. Logos outside
the folder of the set (absolute, ``..``, ``file:``, a symbolic link out) and extra CSS that
could fetch or break out are refused.

The XLSX summary's formulas also stay within Excel's 255-character limit for text constants
(they refer to the Lists cells instead of quoting level labels).
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

import safeguard_standards as sg
from safeguard_standards import Checklist, check_set, check_text
from safeguard_standards.render import RenderError, RenderOptions, available, render

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHROMIUM = "/usr/bin/chromium"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# -- a server that must never be asked anything -----------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A local HTTP server; its address goes into the payloads. Yields 'host:port'."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# -- the hostile sets ----------------------------------------------------------------------------


def payload(mark: str, host: str) -> str:
    """The hostile text put into the field marked ``mark``."""
    return (
        f"{mark} <script>window.__pwned=1;alert('{mark}')</script> "
        f"<img src=x onerror=\"window.__pwned=1;alert('{mark}')\"> "
        f"[link-{mark}](javascript:window.__pwned=1) "
        f'<a href="javascript:alert(1)">a-{mark}</a> '
        f"{{{{ 7*7 }}}} {{% if true %}}jinja-{mark}{{% endif %}} "
        f"</script><script>window.__pwned=1</script> "
        f"![px-{mark}](http://{host}/md-{mark}.png) "
        f'<img src="http://{host}/raw-{mark}.png"> '
        f"![pw-{mark}](file:///etc/passwd) end-{mark}"
    )


#: The part of each payload that must be visible, as text, after its marker.
def shown(mark: str) -> str:
    return f"{mark} <script>window.__pwned=1;alert('{mark}')</script>"


class Fields:
    """Hands out markers F01, F02, … and remembers which field each went into."""

    def __init__(self, prefix: str, text: Callable[[str], str]) -> None:
        self.prefix = prefix
        self.text = text
        self.where: dict[str, str] = {}

    def __call__(self, field: str) -> str:
        mark = f"{self.prefix}{len(self.where) + 1:02d}"
        self.where[mark] = field
        return self.text(mark)


def hostile_data(f: Fields, version: str = "2025-26") -> dict[str, Any]:
    """A valid standard set with ``f(field)`` in every text field of the DSL."""

    def question(qid: str, qtype: str, **more: Any) -> dict[str, Any]:
        q = "sections[].standards[].questions[]"
        return {
            "id": qid,
            "text": f(f"{q}.text"),
            "type": qtype,
            **more,
            "evidence": [f(f"{q}.evidence[]"), f(f"{q}.evidence[]")],
            "guidance": {
                "why": f(f"{q}.guidance.why"),
                "good": f(f"{q}.guidance.good"),
                "support": f(f"{q}.guidance.support"),
            },
            "cite": [{"ref": "ref-a", "at": f(f"{q}.cite[].at"), "note": f(f"{q}.cite[].note")}],
            "change_note": f(f"{q}.change_note"),
            "in_return": True,
        }

    st = "sections[].standards[]"
    return {
        "dsl": 1,
        "id": "hostile",
        "version": version,
        "title": f("title"),
        "status": "published",
        "supersedes": "2024-25",
        "description": f("description"),
        "change_summary": f("change_summary"),
        "publisher": {"name": f("publisher.name"), "contact": f("publisher.contact")},
        "sign_off": {
            "statement": f("sign_off.statement"),
            "role_examples": f("sign_off.role_examples"),
        },
        "references": {
            "ref-a": {
                "title": f("references.*.title"),
                "publisher": f("references.*.publisher"),
                "edition": f("references.*.edition"),
                "url": "https://example.org/guidance",
            }
        },
        "scales": {
            "grade": [
                {
                    "id": "met",
                    "label": f("scales.*[].label"),
                    "rag": "green",
                    "score": 1,
                    "describe": f("scales.*[].describe"),
                },
                {
                    "id": "not-met",
                    "label": f("scales.*[].label"),
                    "rag": "red",
                    "score": 0,
                    "describe": f("scales.*[].describe"),
                },
            ]
        },
        "default_scale": "grade",
        "audiences": {
            "setting": {
                "label": f("audiences.*.label"),
                "values": {
                    "school": f("audiences.*.values.*"),
                    "college": f("audiences.*.values.*"),
                },
            }
        },
        "themes": {
            "theme-a": {"title": f("themes.*.title"), "describe": f("themes.*.describe")},
        },
        "action_plan": {
            "per": "question",
            "columns": [
                {"id": "finding", "label": f("action_plan.columns[].label")},
                {"id": "action", "label": f("action_plan.columns[].label")},
            ],
        },
        "sections": [
            {
                "id": "leadership",
                "title": f("sections[].title"),
                "intro": f("sections[].intro"),
                "change_note": f("sections[].change_note"),
                "standards": [
                    {
                        "id": "governance",
                        "title": f(f"{st}.title"),
                        "expectation": f(f"{st}.expectation"),
                        "guidance": f(f"{st}.guidance"),
                        "change_note": f(f"{st}.change_note"),
                        "cite": [
                            {
                                "ref": "ref-a",
                                "at": f(f"{st}.cite[].at"),
                                "note": f(f"{st}.cite[].note"),
                            }
                        ],
                        "questions": [
                            question("named-governor", "yes-no"),
                            question(
                                "visits",
                                "rating",
                                ask_if={
                                    "question": "leadership.governance.named-governor",
                                    "equals": "yes",
                                },
                                applies_to={"setting": ["school"]},
                            ),
                            question("trained", "number", unit=f(f"{st}.questions[].unit")),
                            question(
                                "filtering",
                                "choice",
                                options=[
                                    {"id": "own", "label": f(f"{st}.questions[].options[].label")},
                                    {
                                        "id": "trust",
                                        "label": f(f"{st}.questions[].options[].label"),
                                    },
                                ],
                            ),
                            question("review", "text"),
                            question("approved", "date"),
                        ],
                    }
                ],
            }
        ],
    }


def _schema_text_fields() -> set[str]:
    """Every free-text field of the DSL, from its JSON Schema (patterns and enums excluded)."""
    schema = sg.schema()
    defs = schema["$defs"]
    out: set[str] = set()

    def walk(s: dict[str, Any], path: str, stack: tuple[str, ...] = ()) -> None:
        if "$ref" in s:
            name = s["$ref"].rsplit("/", 1)[-1]
            if name not in stack:
                walk(defs[name], path, (*stack, name))
            return
        kind = s.get("type")
        is_text = kind == "string" or (isinstance(kind, list) and "string" in kind)
        if is_text and "pattern" not in s and "enum" not in s:
            out.add(path)
        for key, sub in s.get("properties", {}).items():
            walk(sub, f"{path}.{key}" if path else key, stack)
        if isinstance(s.get("additionalProperties"), dict):
            walk(s["additionalProperties"], f"{path}.*", stack)
        if "items" in s:
            walk(s["items"], f"{path}[]", stack)

    walk(schema, "")
    return out


#: Text fields that are not prose: a file path (checked separately below) and condition
#: answers (ids of levels and options, or yes/no).
NOT_PROSE = {
    "publisher.logo",
    "sections[].standards[].questions[].ask_if.equals",
    "sections[].standards[].questions[].ask_if.not_equals",
    "sections[].standards[].questions[].ask_if.in[]",
}


def test_the_hostile_set_covers_every_text_field() -> None:
    fields = Fields("F", lambda mark: mark)
    hostile_data(fields)
    assert _schema_text_fields() - NOT_PROSE <= set(fields.where.values())


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def formula_text(mark: str) -> str:
    """Text that a spreadsheet would run as a formula if written into a cell as it is."""
    n = int(mark[1:])
    starts = [
        f'=HYPERLINK("http://127.0.0.1/x-{mark}","{mark}")',
        f"+{mark}+1",
        f"-{mark}-1",
        f"@SUM({mark})",
        f"\t{mark}",
        f"\r{mark}",
        f"=cmd|' /C calc'!A0 {mark}",
    ]
    return starts[n % len(starts)]


# -- subjects: what gets rendered ----------------------------------------------------------------


class Subject:
    """A checklist to render, the one its 'changes' kind compares with, and its markers."""

    def __init__(self, checklist: Checklist, previous: Checklist | None, marks: dict[str, str]):
        self.checklist = checklist
        self.previous = previous
        self.marks = marks
        self._cache: dict[tuple[str, str], bytes] = {}

    def render(self, kind: str, fmt: str) -> bytes:
        key = (kind, fmt)
        if key not in self._cache:
            options = RenderOptions(previous=self.previous if kind == "changes" else None)
            self._cache[key] = render(self.checklist, kind, fmt, options)
        return self._cache[key]


def _load(path: Path) -> Checklist:
    result = check_set(str(path))
    assert result.ok, [str(d) for d in result.errors]
    assert result.checklist is not None
    return result.checklist


@pytest.fixture(scope="module")
def subjects(server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Subject]:
    folder = tmp_path_factory.mktemp("hostile")
    new_fields = Fields("F", lambda mark: payload(mark, server))
    old_fields = Fields("G", lambda mark: payload(mark, server))
    new = hostile_data(new_fields)
    old = hostile_data(old_fields, version="2024-25")
    del old["supersedes"]
    (folder / "new.yaml").write_text(_dump(new), encoding="utf-8")
    (folder / "old.yaml").write_text(_dump(old), encoding="utf-8")

    over = Fields("H", lambda mark: payload(mark, server))
    q = "sections[].standards[].questions[]"
    overlay = {
        "dsl": 1,
        "extends": "new.yaml",
        "title": over("overlay.title"),
        "publisher": {"name": over("overlay.publisher.name")},
        "modify": [
            {
                "id": "leadership.governance.review",
                "set": {"text": over(f"overlay.modify.{q}.text")},
            }
        ],
        "add": [
            {
                "after": "leadership.governance.approved",
                "questions": [
                    {
                        "id": "local-question",
                        "text": over(f"overlay.add.{q}.text"),
                        "type": "yes-no",
                        "evidence": [over(f"overlay.add.{q}.evidence[]")],
                        "guidance": {
                            "why": over(f"overlay.add.{q}.guidance.why"),
                            "good": over(f"overlay.add.{q}.guidance.good"),
                        },
                        "in_return": True,
                    }
                ],
            }
        ],
    }
    (folder / "overlay.yaml").write_text(_dump(overlay), encoding="utf-8")

    formula = Fields("E", formula_text)
    (folder / "formula.yaml").write_text(_dump(hostile_data(formula)), encoding="utf-8")

    new_c, old_c = _load(folder / "new.yaml"), _load(folder / "old.yaml")
    return {
        "set": Subject(new_c, old_c, {**new_fields.where, **old_fields.where}),
        "overlay": Subject(
            _load(folder / "overlay.yaml"), new_c, {**new_fields.where, **over.where}
        ),
        "formula": Subject(_load(folder / "formula.yaml"), None, formula.where),
    }


def _render_params() -> list[Any]:
    params: list[Any] = []
    for subject in ("set", "overlay"):
        for kind, fmt in available():
            params.append((subject, kind, fmt))
    return params


RENDERS = _render_params()
SHEETS = [("formula", k, f) for k, f in available() if f in ("csv", "xlsx")]


def _no_request() -> None:
    assert _Recorder.requests == [], f"rendering reached the network: {_Recorder.requests}"


# -- checks, per format --------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
BAD_SCHEMES = ("javascript:", "vbscript:", "file:", "data:text", "data:application")


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)


def _check_shown(text: str, marks: dict[str, str], squeeze: bool = False) -> list[str]:
    """Every marker that appears in ``text`` is followed by its payload, as text.

    Returns the markers seen. With ``squeeze`` all whitespace is ignored (PDF text).
    """
    norm = (lambda t: _SPACE.sub("", t)) if squeeze else _flat
    haystack = norm(text)
    seen = []
    for mark, field in marks.items():
        if re.search(rf"{mark}(?!\d)", haystack):
            seen.append(mark)
            if mark[0] in "FGH":
                assert norm(shown(mark)) in haystack, (mark, field)
    return seen


class _Html(HTMLParser):
    """Collects what could run or fetch in an HTML document, and its visible text."""

    RISKY = ("img", "iframe", "object", "embed", "svg", "base", "link", "video", "audio")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[tuple[str, str, str]] = []
        self.risky: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in: str | None = None
        self._script_attrs: dict[str, str | None] = {}
        self._script_body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action", "formaction", "xlink:href", "data", "poster"):
                self.urls.append((tag, name, (value or "").strip()))
        if tag in self.RISKY or (
            tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh"
        ):
            self.risky.append((tag, a))
        if tag in ("script", "style"):
            self._in = tag
            self._script_attrs, self._script_body = a, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            if tag == "script":
                self.scripts.append((self._script_attrs, "".join(self._script_body)))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._script_body.append(data)
        else:
            self.text.append(data)


def _parse_html(raw: bytes | str) -> _Html:
    p = _Html()
    p.feed(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    p.close()
    return p


@functools.cache
def _benign(kind: str, fmt: str) -> bytes:
    """The same document with harmless text, to compare the structure of a hostile one with."""
    fields = Fields("F", lambda mark: f"{mark} plain text")
    plain = load_text_ok(_dump(hostile_data(fields)))
    old = load_text_ok(_dump({**hostile_data(Fields("G", lambda m: m), "2024-25")}))
    return render(plain, kind, fmt, RenderOptions(previous=old if kind == "changes" else None))


def load_text_ok(text: str) -> Checklist:
    result = check_text(text, "benign.yaml")
    assert result.ok and result.checklist is not None, [str(d) for d in result.errors]
    return result.checklist


def check_html(raw: bytes | str, benign: bytes | str, marks: dict[str, str]) -> list[str]:
    """Nothing in the page can run or fetch that the harmless page does not have."""
    doc, base = _parse_html(raw), _parse_html(benign)
    assert doc.handlers == base.handlers == []
    assert len(doc.scripts) == len(base.scripts)
    for (attrs, body), (base_attrs, base_body) in zip(doc.scripts, base.scripts, strict=True):
        assert attrs == base_attrs
        assert "src" not in attrs
        if (attrs.get("type") or "").endswith("json"):
            json.loads(body)  # data, still whole: nothing broke out of it
        else:
            assert body == base_body, "a script of the page changed"
    for tag, name, value in doc.urls:
        assert not value.lower().startswith(BAD_SCHEMES), (tag, name, value)
        if name != "href":  # only links may point away; nothing is loaded from anywhere
            assert value.startswith(("data:", "#")) or not value, (tag, name, value)
    assert [t for t, _ in doc.risky] == [t for t, _ in base.risky]
    text = "".join(doc.text)
    assert "window.__pwned" not in "".join(b for _, b in doc.scripts)
    return _check_shown(text, marks)


def _walk_pdf(obj: Any, seen: set[int], found: list[str]) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key in ("/JS", "/JavaScript", "/Launch", "/GoToR", "/ImportData", "/SubmitForm"):
            if key in obj or obj.get("/S") == key:
                found.append(key)
        uri = obj.get("/URI")
        if uri is not None and str(uri).lower().startswith(BAD_SCHEMES):
            found.append(f"/URI {uri}")
        for value in obj.values():
            _walk_pdf(value, seen, found)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _walk_pdf(value, seen, found)


def check_pdf(raw: bytes, marks: dict[str, str]) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(raw))
    found: list[str] = []
    _walk_pdf(reader.trailer["/Root"], set(), found)
    assert found == [], f"active content in the PDF: {found}"
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "root:x:0:0" not in text and "/bin/bash" not in text
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image", "an image was fetched"
    return _check_shown(text, marks, squeeze=True)


def check_docx(raw: bytes, marks: dict[str, str]) -> list[str]:
    import docx

    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = z.namelist()
        assert not any("vbaProject" in n or n.endswith(".bin") for n in names)
        for name in names:
            if not name.endswith((".xml", ".rels")):
                continue
            xml = z.read(name).decode("utf-8")
            for instr in re.findall(r"<w:instrText[^>]*>([^<]*)<", xml) + re.findall(
                r'w:instr="([^"]*)"', xml
            ):
                assert "pwned" not in instr and not re.search(r"\b[FGH]\d\d\b", instr), instr
            assert "altChunk" not in xml
            for target in re.findall(r'Target="([^"]*)"[^>]*TargetMode="External"', xml):
                assert not target.lower().startswith(BAD_SCHEMES), target
    document = docx.Document(io.BytesIO(raw))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        texts.extend(p.text for p in section.header.paragraphs)
        texts.extend(p.text for p in section.footer.paragraphs)
    body = z_text = "\n".join(texts)
    if not _check_shown(body, marks):
        # content controls and text boxes are not in python-docx's paragraphs: read the XML
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            z_text = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
        import html as html_lib

        z_text = html_lib.unescape(z_text)
    return _check_shown(z_text, marks)


def check_cells(rows: list[list[Any]], marks: dict[str, str]) -> list[str]:
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                assert not cell.startswith(FORMULA_TRIGGERS), repr(cell[:60])
    return _check_shown("\n".join(str(c) for r in rows for c in r if c is not None), marks)


def _text_literals(formula: str) -> tuple[list[str], str]:
    """The quoted text constants of a formula, and the formula with them taken out."""
    from openpyxl.formula import Tokenizer

    literals, rest = [], []
    for token in Tokenizer(formula).items:
        if token.type == "OPERAND" and token.subtype == "TEXT":
            literals.append(token.value)
        else:
            rest.append(token.value)
    return literals, "".join(rest)


def _check_formula(formula: str) -> None:
    """Text from the set may appear in the renderer's own formulas only as quoted constants."""
    _, code = _text_literals(formula)
    assert "pwned" not in code and not re.search(r"\b[EFGH]\d\d\b", code), formula


def check_xlsx(raw: bytes, marks: dict[str, str]) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(raw))
    assert not wb._external_links
    rows: list[list[Any]] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            values = []
            for cell in row:
                if cell.data_type == "f":
                    _check_formula(str(cell.value))
                    continue
                values.append(cell.value)
                if cell.hyperlink is not None and cell.hyperlink.target:
                    assert not cell.hyperlink.target.lower().startswith(BAD_SCHEMES)
            rows.append(values)
        for dv in ws.data_validations.dataValidation:
            formula = dv.formula1 or ""
            assert "pwned" not in formula, "text from the set inside a validation formula"
            if formula.startswith('"'):
                assert len(formula) <= 257, "a literal list over Excel's 255-character limit"
    for name in wb.defined_names:
        assert "pwned" not in str(wb.defined_names[name].attr_text)
    return check_cells(rows, marks)


def check_markdown(raw: bytes, marks: dict[str, str]) -> list[str]:
    """Shown by a Markdown viewer that allows raw HTML, nothing runs or loads."""
    from markdown_it import MarkdownIt

    text = raw.decode("utf-8")
    viewer = MarkdownIt("commonmark", {"html": True})
    doc = _parse_html(viewer.render(text))
    assert doc.scripts == [], "raw HTML from a text field reaches the Markdown output"
    assert doc.handlers == []
    for tag, name, value in doc.urls:
        assert not value.lower().startswith(BAD_SCHEMES), (tag, name, value)
        assert name == "href", f"a Markdown viewer would load {value!r} ({tag} {name})"
    assert [t for t, _ in doc.risky] == []
    return _check_shown("".join(doc.text), marks)


def check_csv(raw: bytes, marks: dict[str, str]) -> list[str]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return check_cells(rows, marks)


def check_json(raw: bytes, marks: dict[str, str]) -> list[str]:
    data = json.loads(raw)
    strings: list[str] = []

    def collect(x: Any) -> None:
        if isinstance(x, str):
            strings.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                collect(v)
        elif isinstance(x, list):
            for v in x:
                collect(v)

    collect(data)
    return _check_shown("\n".join(strings), marks)


#: Fields a person must find in each kind of document (by the field they were put in).
MUST_SHOW = {
    "form": {
        "title",
        "publisher.name",
        "sections[].title",
        "sections[].standards[].title",
        "sections[].standards[].questions[].text",
        "sections[].standards[].questions[].evidence[]",
    },
    "return-form": {"title", "sections[].standards[].questions[].text"},
    "guidance": {
        "title",
        "sections[].standards[].questions[].guidance.why",
        "sections[].standards[].questions[].guidance.good",
    },
    "action-plan": {"title"},
    "changes": set(),
}
CHECKS: dict[str, Callable[[bytes, dict[str, str]], list[str]]] = {
    "pdf": check_pdf,
    "docx": check_docx,
    "xlsx": check_xlsx,
    "md": check_markdown,
    "csv": check_csv,
    "json": check_json,
    # the forms for online collection: a workbook, and JSON a survey tool reads
    "xlsform": check_xlsx,
    "surveyjs": check_json,
    "fhir": check_json,
}


@pytest.mark.parametrize(("subject", "kind", "fmt"), RENDERS)
def test_hostile_text_is_shown_as_text_and_runs_nothing(
    subjects: dict[str, Subject], subject: str, kind: str, fmt: str
) -> None:
    s = subjects[subject]
    raw = s.render(kind, fmt)
    _no_request()
    if fmt == "html":
        seen = check_html(raw, _benign(kind, fmt), s.marks)
    else:
        seen = CHECKS[fmt](raw, s.marks)
    if subject == "set" and fmt not in ("csv", "xlsx", "json"):
        wanted = MUST_SHOW[kind]
        missing = wanted - {s.marks[m] for m in seen}
        assert not missing, f"{kind} {fmt} does not show: {sorted(missing)}"
    if subject == "overlay" and kind in ("form", "return-form") and fmt not in ("json",):
        assert any(m.startswith("H") for m in seen), "the overlay's own text is not shown"


@pytest.mark.parametrize(("subject", "kind", "fmt"), SHEETS)
def test_spreadsheet_cells_are_neutralised(
    subjects: dict[str, Subject], subject: str, kind: str, fmt: str
) -> None:
    """Every text field starting with =, +, -, @, tab or CR: no cell starts with one."""
    s = subjects[subject]
    raw = s.render(kind, fmt)
    seen = (check_csv if fmt == "csv" else check_xlsx)(raw, s.marks)
    assert seen, "the formula-like text is missing altogether"
    _no_request()


# -- HTML in a real browser ----------------------------------------------------------------------

HTML_RENDERS = [(s, k) for s in ("set", "overlay") for k, f in available() if f == "html"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (CI installs chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.mark.parametrize(("subject", "kind"), HTML_RENDERS)
def test_html_runs_nothing_in_a_browser(
    browser: Any, subjects: dict[str, Subject], subject: str, kind: str, tmp_path: Path
) -> None:
    """Loaded in Chromium: no dialog, window.__pwned never set, no request, payloads as text."""
    page_file = tmp_path / f"{kind}.html"
    page_file.write_bytes(subjects[subject].render(kind, "html"))
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "about:")) or url == page_file.as_uri():
            r.continue_()
        else:
            requests.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # anything deferred would have run by now
        for element in page.query_selector_all("details, summary, button[aria-expanded]")[:20]:
            element.evaluate("e => e.setAttribute('open', '')")
        pwned = page.evaluate("() => window.__pwned")
        text = page.evaluate("() => document.body.innerText")
    finally:
        context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert pwned is None, "a payload ran"
    assert requests == [], f"the page asked for {requests}"
    assert errors == [], errors
    wanted = "overlay.title" if subject == "overlay" else "title"
    title = next(m for m, f in subjects[subject].marks.items() if f == wanted and m[0] != "G")
    assert _flat(shown(title)) in _flat(text)
    _no_request()


# -- files and the network -----------------------------------------------------------------------


def _with_logo(logo: str) -> Checklist:
    data = hostile_data(Fields("F", lambda mark: f"{mark} text"))
    data["publisher"]["logo"] = logo
    return load_text_ok(_dump(data))


@pytest.mark.parametrize(
    "logo",
    ["/etc/passwd", "../../../../../../etc/passwd", "file:///etc/passwd", "sub/../../outside.png"],
)
def test_a_logo_outside_the_folder_of_the_set_is_refused(tmp_path: Path, logo: str) -> None:
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    base = tmp_path / "set"
    base.mkdir()
    (base / "sub").mkdir()
    checklist = _with_logo(logo)
    for fmt in ("html", "pdf", "docx"):
        with pytest.raises(RenderError) as caught:
            render(checklist, "form", fmt, RenderOptions(base_dir=str(base)))
        assert caught.value.code == "SG402", (fmt, caught.value.message)


def test_a_logo_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "set"
    base.mkdir()
    (base / "logo.png").symlink_to("/etc/passwd")
    with pytest.raises(RenderError) as caught:
        render(_with_logo("logo.png"), "form", "pdf", RenderOptions(base_dir=str(base)))
    assert caught.value.code == "SG402"


def test_a_logo_url_is_never_fetched(server: str, tmp_path: Path) -> None:
    checklist = _with_logo(f"http://{server}/logo.png")
    for fmt in ("html", "pdf", "docx"):
        # read as a path under the folder of the set, which has no such file
        with pytest.raises(RenderError, match=r"cannot be read|not a PNG") as caught:
            render(checklist, "form", fmt, RenderOptions(base_dir=str(tmp_path)))
        assert caught.value.code == "SG402"
    _no_request()


def test_the_cli_refuses_a_logo_outside_the_folder_and_writes_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from safeguard_standards_cli._app import cli

    data = hostile_data(Fields("F", lambda mark: f"{mark} text"))
    data["publisher"]["logo"] = "../../../../../../etc/passwd"
    source = tmp_path / "set.yaml"
    source.write_text(_dump(data), encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(
        cli, ["render", str(source), "--as", "form", "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code in (1, 2), result.output
    assert "SG402" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["set.yaml"]


@pytest.mark.parametrize(
    "css",
    [
        "@import url(http://{server}/x.css);",
        "body {{ background: url(http://{server}/bg.png) }}",
        "body {{ background: url('file:///etc/passwd') }}",
        "</style><script>window.__pwned=1</script>",
    ],
)
def test_extra_css_cannot_fetch_or_break_out(
    subjects: dict[str, Subject], server: str, css: str
) -> None:
    from safeguard_standards.render._html import check_css

    with pytest.raises(RenderError) as caught:
        check_css(css.format(server=server))
    assert caught.value.code == "SG403"
    _no_request()


def _diff_html(subjects: dict[str, Subject]) -> _Html:
    from safeguard_standards.render import render_diff

    s = subjects["set"]
    assert s.previous is not None
    json.loads(render_diff(s.previous, s.checklist, "json"))
    return _parse_html(render_diff(s.previous, s.checklist, "html").decode("utf-8"))


def test_the_diff_document_shows_hostile_text_as_text_and_runs_nothing(
    subjects: dict[str, Subject],
) -> None:
    """``safeguard diff --format html`` of two hostile versions: nothing can run."""
    doc = _diff_html(subjects)
    assert doc.handlers == []
    assert all(
        (a.get("type") or "").endswith("json") or "pwned" not in body for a, body in doc.scripts
    )
    for tag, name, value in doc.urls:
        assert not value.lower().startswith(BAD_SCHEMES), (tag, name, value)
    assert "<script>window.__pwned" in _flat("".join(doc.text))
    _no_request()


def test_the_diff_document_loads_nothing(subjects: dict[str, Subject]) -> None:
    doc = _diff_html(subjects)
    loaded = [(t, v) for t, n, v in doc.urls if n != "href" and not v.startswith(("data:", "#"))]
    assert loaded == []


@pytest.mark.parametrize("kind", ["form", "return-form"])
def test_xlsx_formula_text_constants_fit_excel(subjects: dict[str, Subject], kind: str) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(subjects["set"].render(kind, "xlsx")))
    longest = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    literals, _ = _text_literals(str(cell.value))
                    longest = max([longest, *(len(lit) - 2 for lit in literals)])
    assert longest <= 255
