"""The reader of filled PDF forms: the envelope, every field's value, and what is wrong.

A PDF form we render (:mod:`safeguard_standards.render._pdf`) names its fields by the field
codec (:mod:`safeguard_standards.fields`): the answer ``a.b.c`` is the field ``c`` under ``b``
under ``a``, its evidence and action boxes the siblings ``a.b.c:evidence`` and
``a.b.c:action``, a multi-choice answer's boxes the children ``a.b.c.<choice id>``, and the
organisation details and sign-off ``org.name`` … ``signoff.date``. The envelope is in the
document information (``/sg_set`` …). The file is read with pikepdf (qpdf); why pikepdf and not
pypdf is decision "The PDF reader of returns" in ``docs/decisions.md``.

What each field gives (a :class:`~.raw.RawValue`, located by the 1-based page its first widget
is on and the field's fully qualified name):

* a text field: its text, line ends made ``\\n``; an empty one gives None;
* a radio group (rating, yes-no, choice): the choice id of the chosen button. The form's
  buttons have the on states ``/0``, ``/1`` … and the group's ``/Opt`` holds their choice ids
  (that is how WeasyPrint writes a group whose inputs carry ``value`` attributes); a viewer
  that names the state by the choice itself, or sets only the buttons' appearance (``/AS``),
  is read too. None when no button is on;
* a multi-choice answer: the tuple of the ids of the ticked boxes, in the form's order (None
  when none is ticked).

Fields that are not ours (a signature field a viewer added) are ignored; a field named almost
like ours (SG514), a value no button has (SG515), a damaged field tree (SG513), a field on no
page (a page deleted, SG504) and a form with an envelope but no fields (flattened or printed to
PDF, SG504) are problems. So is anything that could act when the file is opened: JavaScript
anywhere (SG511) and actions that launch, fetch or submit (SG512); nothing in the file is ever
run, and nothing is fetched. A password (SG510), a file that is not a PDF or was cut short
(SG501) and a stream that unpacks to more than :data:`MAX_STREAM_BYTES` (a PDF bomb, SG502)
stop the reading. The bytes given are never changed.
"""

from __future__ import annotations

import io
import re
from typing import Any

import attrs

from .. import fields as codec
from ..diagnostics import Code, Diagnostic
from ..envelope import Envelope, EnvelopeError, _from_props
from ..fields import FieldRef
from .raw import RawReturn, RawValue, Value, Where

__all__ = [
    "MAX_FIELD_DEPTH",
    "MAX_FIELD_NODES",
    "MAX_STREAM_BYTES",
    "read_pdf",
]

#: The most bytes one stream of the file may unpack to (qpdf's Flate limit): a filled kcsie
#: form's largest stream is about 2 MB.
MAX_STREAM_BYTES = 32 * 1024 * 1024
#: The most nodes (fields and widgets) of the field tree walked: the kcsie form has about
#: 2,600.
MAX_FIELD_NODES = 50_000
#: The deepest the field tree goes (ours: section, standard, question, choice box, widget).
MAX_FIELD_DEPTH = 16

_FIELDS_HINT = (
    "ask the organisation to send the form they filled in, saved from their PDF reader with "
    "File > Save (not 'Print to PDF', which keeps the look of the page but loses the fields)"
)
_ACTIVE_HINT = (
    "nothing in the file was run. Do not open it in a PDF reader: ask the organisation to "
    "fill in a new copy of the blank form and send that"
)
#: Actions that reach outside the file: a program, a web address, another file, a submission.
_OUTWARD = frozenset(
    {"/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition"}
)
#: Where an action runs by itself or from a field: the automatic actions (/AA) of the
#: document, a page, a field or an annotation, the open action, a widget's /A.
_TRIGGERS = ("/AA", "/A", "/OpenAction")
_NEWLINES = re.compile(r"\r\n?")
# a name that looks like one of ours: ids of letters, digits and - or _, a ':' box
_OURS_LOOSE = re.compile(r"[\w-]+(?:\.[\w -]+){1,3}(?::[\w]+)?", re.ASCII)


@attrs.define
class _Problems:
    source: str
    items: list[Diagnostic] = attrs.field(factory=list)

    def add(self, code: Code, message: str, hint: str, where: Where | None = None) -> None:
        at = where.at if where is not None else ""
        self.items.append(Diagnostic(code, message, self.source, hint=hint, at=at))


class _Stop(Exception):
    """The file cannot be read further (the problem is already recorded)."""


def _error_text(exc: BaseException) -> str:
    text = str(exc)
    # qpdf names the stream it read from: drop the Python object's address
    text = re.sub(r"^stream <[^>]*>(?: \([^)]*\))?: ", "", text)
    return text.strip() or type(exc).__name__


def _is_bomb(text: str) -> bool:
    return "memory limit" in text.lower()


def _bomb(problems: _Problems, where: Where | None = None) -> None:
    problems.add(
        Code.RETURN_TOO_LARGE,
        f"a part of the PDF unpacks to more than {MAX_STREAM_BYTES // (1024 * 1024)} MB, far "
        "more than a filled form holds (a compressed 'PDF bomb', or a badly damaged file)",
        "ask the organisation to fill in a new copy of the blank form and send that",
        where,
    )


def read_pdf(data: bytes, source: str) -> RawReturn:
    """The raw return in a filled PDF form (see the module's docstring)."""
    import pikepdf
    from pikepdf.settings import set_qpdf_limits

    problems = _Problems(source)
    if b"%%EOF" not in data[-2048:]:
        problems.add(
            Code.RETURN_UNREADABLE,
            Code.RETURN_UNREADABLE.message(
                file=source, reason="the PDF ends before its last line (it was cut short)"
            ),
            "the file was saved or sent only in part: ask the organisation to send it again",
        )
        return RawReturn(source=source, format="pdf", problems=tuple(problems.items))
    previous = set_qpdf_limits(flate_max_memory=MAX_STREAM_BYTES)
    try:
        try:
            pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=True)
        except pikepdf.PasswordError:
            problems.add(
                Code.RETURN_PDF_PASSWORD,
                "the PDF is protected by a password, so its fields cannot be read",
                "ask the organisation to save the filled form again without a password "
                "(File > Properties > Security: No security) and send that",
            )
            return RawReturn(source=source, format="pdf", problems=tuple(problems.items))
        except Exception as exc:  # qpdf's errors, and whatever a hostile file leads to
            text = _error_text(exc)
            if _is_bomb(text):
                _bomb(problems)
            else:
                problems.add(
                    Code.RETURN_UNREADABLE,
                    Code.RETURN_UNREADABLE.message(
                        file=source, reason=f"it is not a PDF that can be opened ({text})"
                    ),
                    "the file is damaged or only partly saved: ask the organisation to save "
                    "the filled form again and send it",
                )
            return RawReturn(source=source, format="pdf", problems=tuple(problems.items))
        with pdf:
            try:
                return _read(pdf, source, problems)
            except _Stop:
                return RawReturn(source=source, format="pdf", problems=tuple(problems.items))
            except Exception as exc:  # a file damaged in a way no check above foresaw
                text = _error_text(exc)
                if _is_bomb(text):
                    _bomb(problems)
                else:
                    problems.add(
                        Code.RETURN_UNREADABLE,
                        Code.RETURN_UNREADABLE.message(
                            file=source, reason=f"the PDF is damaged ({text})"
                        ),
                        "ask the organisation to save the filled form again and send it",
                    )
                return RawReturn(source=source, format="pdf", problems=tuple(problems.items))
    finally:
        set_qpdf_limits(flate_max_memory=int(previous["flate_max_memory"]))


# -- reading an opened PDF ------------------------------------------------------------------


def _objgen(obj: Any) -> tuple[int, int]:
    try:
        og: tuple[int, int] = obj.objgen
    except (AttributeError, ValueError):  # pragma: no cover - a scalar
        return (0, 0)
    return og


def _read(pdf: Any, source: str, problems: _Problems) -> RawReturn:
    envelope = _envelope(pdf, problems)
    page_list = [(n, page.obj) for n, page in enumerate(pdf.pages, start=1)]
    pages = _page_of_widgets(page_list)
    active = _Active(pdf, source, problems)
    active.scan_document(page_list)
    tree = _Tree(pdf, source, problems, pages, active)
    values = tree.read()
    if not tree.seen_fields and envelope is not None:
        problems.add(
            Code.RETURN_EDITED,
            "the PDF has the form's envelope but no fillable fields: it was flattened, or "
            "printed to PDF, after it was filled in, and its answers cannot be read",
            _FIELDS_HINT,
        )
    bombed = any(d.code is Code.RETURN_TOO_LARGE for d in problems.items)
    if not bombed and any(_is_bomb(str(w)) for w in pdf.get_warnings()):
        _bomb(problems)
    return RawReturn(
        source=source,
        format="pdf",
        envelope=envelope,
        values=tuple(values),
        problems=tuple(problems.items),
    )


def _text(obj: Any, limit: int = MAX_STREAM_BYTES) -> str | None:
    """A PDF text string (or text stream) as text, None for anything else."""
    import pikepdf

    if isinstance(obj, pikepdf.String):
        return str(obj)
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_bytes()[:limit]
        if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
            return raw.decode("utf-16", "replace")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return None


def _envelope(pdf: Any, problems: _Problems) -> Envelope | None:
    props: dict[str, str | None] = {}
    try:
        info = pdf.docinfo
        items = list(info.items())
    except Exception:  # a damaged or missing information dictionary
        return None
    for key, value in items:
        text = _text(value, 64 * 1024)
        if text is not None:
            props[str(key).lstrip("/")] = text
    try:
        return _from_props(props)
    except EnvelopeError as exc:
        problems.add(
            Code.RETURN_ENVELOPE,
            f"the envelope in the PDF's document properties cannot be read: {exc}",
            "the document properties (File > Properties) were changed: ask the organisation "
            "to send the filled form as it was saved",
        )
        return None


def _page_of_widgets(pages: list[tuple[int, Any]]) -> dict[tuple[int, int], int]:
    """The 1-based page of every annotation on a page, by its object number."""
    out: dict[tuple[int, int], int] = {}
    for number, page in pages:
        annots = page.get("/Annots")
        if annots is None or not hasattr(annots, "__iter__"):
            continue
        for annot in annots:
            og = _objgen(annot)
            if og != (0, 0):
                out.setdefault(og, number)
    return out


# -- active content ---------------------------------------------------------------------------


class _Active:
    """Looks for JavaScript and outward actions wherever a PDF reader would run one (PDF
    32000-1, 12.6): the document's open action and automatic actions (/AA), the JavaScript
    name tree, an XFA form, each page's automatic actions, each annotation's action (/A) and
    automatic actions, each field's (the field tree walk calls :meth:`check`), each bookmark's
    action, and every action chained after one of those (/Next). An action nothing points to
    is never run, and is not looked for: walking every object of a tagged form takes ten times
    as long as reading it.

    A link or bookmark a person clicks to open a web address is not reported (the forms we
    make link to their references); every other outward action is.
    """

    def __init__(self, pdf: Any, source: str, problems: _Problems) -> None:
        self.pdf = pdf
        self.source = source
        self.problems = problems
        self.seen: set[tuple[int, int]] = set()
        self.reported: set[tuple[str, str]] = set()
        self.count = 0

    def scan_document(self, pages: list[tuple[int, Any]]) -> None:
        """The document, its pages and annotations, its bookmarks."""
        import pikepdf

        root = self.pdf.Root
        here = Where(self.source)
        acro = root.get("/AcroForm")
        if isinstance(acro, pikepdf.Dictionary) and "/XFA" in acro:
            self._report(
                Code.RETURN_PDF_SCRIPT,
                "the PDF holds an XFA form, which can run scripts; the forms we make have none",
                here,
            )
        names = root.get("/Names")
        if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
            self._report(
                Code.RETURN_PDF_SCRIPT,
                "the PDF has document JavaScript (the /JavaScript name tree), which runs when "
                "the file is opened",
                here,
            )
        opening = root.get("/OpenAction")
        if isinstance(opening, pikepdf.Dictionary):
            self._action(opening, here, "the document", "when the file is opened", False, 0)
        self.check(root, here, "the document")
        for number, page in pages:
            self.check(page, Where(self.source, page=number), "the page")
            annots = page.get("/Annots")
            if not isinstance(annots, pikepdf.Array):
                continue
            for annot in annots:
                if not isinstance(annot, pikepdf.Dictionary):
                    continue
                if annot.get("/Subtype") == "/Widget":
                    where = Where(self.source, page=number, field=_qualified_name(annot))
                    self.check(annot, where, "the field")
                else:
                    link = annot.get("/Subtype") == "/Link"
                    self.check(annot, Where(self.source, page=number), "an annotation", link)
        outlines = root.get("/Outlines")
        item = outlines.get("/First") if isinstance(outlines, pikepdf.Dictionary) else None
        stack = [item]
        visited: set[tuple[int, int]] = set()
        while stack and len(visited) < MAX_FIELD_NODES:
            item = stack.pop()
            if not isinstance(item, pikepdf.Dictionary) or _objgen(item) in visited:
                continue
            visited.add(_objgen(item))
            self.check(item, here, "a bookmark", link=True)
            stack.extend((item.get("/Next"), item.get("/First")))

    def check(self, owner: Any, where: Where, what: str, link: bool = False) -> None:
        """The actions of ``owner`` (a dictionary with /A or /AA)."""
        import pikepdf

        action = owner.get("/A")
        if isinstance(action, pikepdf.Dictionary):
            self._action(action, where, what, "when it is clicked or activated", link, 0)
        triggers = owner.get("/AA")
        if isinstance(triggers, pikepdf.Dictionary):
            for _key, action in triggers.items():
                if isinstance(action, pikepdf.Dictionary):
                    self._action(action, where, what, "by itself (an automatic action)", False, 0)

    def _action(
        self, action: Any, where: Where, what: str, how: str, link: bool, depth: int
    ) -> None:
        import pikepdf

        og = _objgen(action)
        if og != (0, 0):
            if og in self.seen:
                return
            self.seen.add(og)
        self.count += 1
        if depth > MAX_FIELD_DEPTH or self.count > MAX_FIELD_NODES:
            return
        kind = action.get("/S")
        if "/JS" in action or kind == "/JavaScript":
            self._report(
                Code.RETURN_PDF_SCRIPT,
                f"{what} runs JavaScript {how}; the forms we make have none",
                where,
            )
        elif kind in _OUTWARD and not (kind == "/URI" and link):
            self._report(
                Code.RETURN_PDF_ACTION,
                f"{what} {_VERBS[str(kind)]} ({str(kind)[1:]} action) {how}",
                where,
            )
        chained = action.get("/Next")
        for nxt in chained if isinstance(chained, pikepdf.Array) else [chained]:
            if isinstance(nxt, pikepdf.Dictionary):
                self._action(nxt, where, what, how, link, depth + 1)

    def _report(self, code: Code, message: str, where: Where) -> None:
        key = (code.code, where.at + message)
        if key in self.reported:
            return
        self.reported.add(key)
        self.problems.add(code, message, _ACTIVE_HINT, where)


_VERBS = {
    "/Launch": "opens a program or a file",
    "/URI": "opens a web address",
    "/SubmitForm": "sends the form's answers somewhere",
    "/ImportData": "reads answers from another file",
    "/GoToR": "opens another PDF",
    "/GoToE": "opens an embedded file",
    "/Rendition": "plays media",
}


def _qualified_name(obj: Any) -> str:
    """The fully qualified name of a field or widget, from its /T and its parents' (bounded,
    so a loop of /Parent cannot hang)."""
    import pikepdf

    parts: list[str] = []
    seen: set[tuple[int, int]] = set()
    node = obj
    for _ in range(MAX_FIELD_DEPTH):
        if not isinstance(node, pikepdf.Dictionary):
            break
        og = _objgen(node)
        if og != (0, 0):
            if og in seen:
                break
            seen.add(og)
        title = node.get("/T")
        if isinstance(title, pikepdf.String):
            parts.append(str(title))
        node = node.get("/Parent")
    return ".".join(reversed(parts))


# -- the field tree ---------------------------------------------------------------------------


@attrs.define
class _Boxes:
    """The boxes of one multi-choice answer as they are met."""

    where: Where
    index: int
    ticked: list[str] = attrs.field(factory=list)


class _Tree:
    """Walks the AcroForm field tree from /Fields down, bounded in depth and size, with each
    node visited once (a /Kids loop is a problem, not a hang)."""

    def __init__(
        self,
        pdf: Any,
        source: str,
        problems: _Problems,
        pages: dict[tuple[int, int], int],
        active: _Active,
    ) -> None:
        self.pdf = pdf
        self.source = source
        self.problems = problems
        self.pages = pages
        self.active = active
        self.visited: set[tuple[int, int]] = set()
        self.nodes = 0
        self.seen_fields = 0
        self.values: list[RawValue] = []
        self.boxes: dict[str, _Boxes] = {}
        self.tops: set[str] = set()
        self.loose: list[tuple[str, Where]] = []
        self.orphans: list[str] = []
        self.names: set[str] = set()

    def read(self) -> list[RawValue]:
        import pikepdf

        acro = self.pdf.Root.get("/AcroForm")
        if not isinstance(acro, pikepdf.Dictionary):
            return []
        top = acro.get("/Fields")
        if not isinstance(top, pikepdf.Array):
            return []
        try:
            for field in top:
                self._walk(field, "", 0, None, 0)
        except _Stop:
            pass
        for key, boxes in self.boxes.items():
            ticked = tuple(boxes.ticked) or None
            self.values[boxes.index] = RawValue(codec.answer(key), ticked, boxes.where)
        for name, where in self.loose:
            if name.split(".")[0] in self.tops or ":" in name:
                self.problems.add(
                    Code.RETURN_PDF_FIELD_NAME,
                    f"the field {name!r} is named like one of the form's fields but is not "
                    "one: it was renamed or damaged, and its value is not read",
                    "ask the organisation to fill in the form as it was sent, without "
                    "renaming or adding fields",
                    where,
                )
        if self.orphans:
            shown = ", ".join(self.orphans[:5]) + (" …" if len(self.orphans) > 5 else "")
            self.problems.add(
                Code.RETURN_EDITED,
                f"{len(self.orphans)} field(s) of the form are on no page of the file ({shown}):"
                " a page was deleted or replaced; their values are still read",
                "ask the organisation to send the whole filled form, every page of it",
            )
        return self.values

    def _tree_problem(self, message: str, where: Where) -> None:
        self.problems.add(
            Code.RETURN_PDF_FIELD_TREE,
            message,
            "the file was damaged or made by another program: ask the organisation to fill "
            "in a new copy of the blank form",
            where,
        )

    def _walk(self, node: Any, prefix: str, depth: int, ft: Any, ff: int) -> None:
        import pikepdf

        if not isinstance(node, pikepdf.Dictionary):
            return
        og = _objgen(node)
        title = node.get("/T")
        name = prefix + str(title) if isinstance(title, pikepdf.String) else prefix.rstrip(".")
        if og != (0, 0):
            if og in self.visited:
                self._tree_problem(
                    f"the field {name!r} is its own ancestor or appears twice in the field "
                    "tree (a loop); the rest of the tree after it is not read",
                    Where(self.source, field=name),
                )
                raise _Stop
            self.visited.add(og)
        self.nodes += 1
        if self.nodes > MAX_FIELD_NODES:
            self._tree_problem(
                f"the form has more than {MAX_FIELD_NODES:,} fields and widgets, far more than "
                "any form we make; the rest are not read",
                Where(self.source),
            )
            raise _Stop
        if depth >= MAX_FIELD_DEPTH:
            self._tree_problem(
                f"the field tree is more than {MAX_FIELD_DEPTH} levels deep at {name!r}; "
                "the fields below are not read",
                Where(self.source, field=name),
            )
            raise _Stop
        if ("/AA" in node or "/A" in node) and og not in self.pages:  # (widgets are seen)
            self.active.check(node, Where(self.source, field=name), "the field")
        ft = node.get("/FT", ft)
        flags = node.get("/Ff")
        ff = int(flags) if isinstance(flags, int) else ff
        kids = node.get("/Kids")
        named_kids: list[Any] = []
        widgets: list[Any] = []
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary):
                    (named_kids if "/T" in kid else widgets).append(kid)
        if named_kids:  # a field with fields below it holds no value itself
            for kid in named_kids:
                self._walk(kid, name + ".", depth + 1, ft, ff)
            return
        if not isinstance(title, pikepdf.String) and not prefix:
            return
        # a terminal field: the node (itself a widget, or with widgets as kids)
        for widget in widgets:
            wog = _objgen(widget)
            if wog != (0, 0):
                if wog in self.visited:
                    self._tree_problem(
                        f"a widget of the field {name!r} appears twice in the field tree",
                        Where(self.source, field=name),
                    )
                    raise _Stop
                self.visited.add(wog)
            self.nodes += 1
        self.seen_fields += 1
        where = Where(self.source, page=self._page(node, widgets), field=name)
        ref = codec.decode("pdf", name)
        if ref is None:
            self.loose.append((name, where))
            return
        if where.page == 0:
            self.orphans.append(name)
        self.tops.add(name.split(".")[0])
        if name in self.names:
            self._tree_problem(f"two fields are named {name!r}", where)
            return
        self.names.add(name)
        if ref.choice:
            parent = self.boxes.get(ref.key)
            if parent is None:
                # the answer's place among the values, filled in once every box is read
                parent = _Boxes(
                    Where(self.source, page=where.page, field=ref.key), len(self.values)
                )
                self.boxes[ref.key] = parent
                self.values.append(RawValue(codec.answer(ref.key), None, parent.where))
            if self._button_on(node, widgets) is not None:
                parent.ticked.append(ref.choice)
            return
        value = self._value(node, widgets, ft, ff, ref, where)
        self.values.append(RawValue(ref, value, where))

    def _page(self, node: Any, widgets: list[Any]) -> int:
        for widget in (node, *widgets):
            og = _objgen(widget)
            if og in self.pages:
                return self.pages[og]
        return 0

    def _button_on(self, node: Any, widgets: list[Any]) -> str | None:
        """The on state of a checkbox that is ticked, else None."""
        import pikepdf

        v = node.get("/V")
        if isinstance(v, pikepdf.Name) and v != pikepdf.Name.Off:
            return str(v)[1:]
        for widget in (node, *widgets):
            state = widget.get("/AS")
            if isinstance(state, pikepdf.Name) and state != pikepdf.Name.Off:
                return str(state)[1:]
        return None

    def _value(
        self, node: Any, widgets: list[Any], ft: Any, ff: int, ref: FieldRef, where: Where
    ) -> Value:
        import pikepdf

        if ft == "/Btn":
            if ff & (1 << 16):  # a pushbutton holds no value
                return None
            return self._radio(node, widgets, ref, where)
        v = node.get("/V")
        if v is None:
            return None
        try:
            text = _text(v)
        except pikepdf.PdfError as exc:  # a text stream that cannot be unpacked
            warnings = [str(w) for w in self.pdf.get_warnings()]
            if any(_is_bomb(t) for t in (_error_text(exc), *warnings)):
                _bomb(self.problems, where)
            else:
                self.problems.add(
                    Code.RETURN_PDF_FIELD_VALUE,
                    f"the text of the field {where.field!r} cannot be unpacked "
                    f"({_error_text(exc)})",
                    "ask the organisation to type the answer again in a new copy of the form",
                    where,
                )
            return None
        if text is None:
            if isinstance(v, pikepdf.Name):
                text = str(v)[1:]
            else:
                self.problems.add(
                    Code.RETURN_PDF_FIELD_VALUE,
                    f"the field {where.field!r} holds {type(v).__name__.lower()} where text was "
                    "expected, and is not read",
                    "ask the organisation to type the answer again in a new copy of the form",
                    where,
                )
                return None
        text = _NEWLINES.sub("\n", text)
        return text or None

    def _radio(self, node: Any, widgets: list[Any], ref: FieldRef, where: Where) -> Value:
        """The choice id of a radio group's chosen button (or a single checkbox's state)."""
        import pikepdf

        buttons = widgets or [node]
        states: list[str] = []
        for widget in buttons:
            ap = widget.get("/AP")
            normal = ap.get("/N") if isinstance(ap, pikepdf.Dictionary) else None
            names = (
                [str(k)[1:] for k in normal if k != "/Off"]
                if isinstance(normal, pikepdf.Dictionary)
                else []
            )
            states.append(names[0] if names else "")
        options = [str(o) for o in node.get("/Opt", ()) if isinstance(o, pikepdf.String)]
        v = node.get("/V")
        state: str | None = None
        if isinstance(v, pikepdf.Name):
            state = None if v == pikepdf.Name.Off else str(v)[1:]
        elif isinstance(v, pikepdf.String):  # some fillers write the state as text
            state = str(v).lstrip("/") or None
            if state == "Off":
                state = None
        if state is None:
            for widget, on in zip(buttons, states, strict=True):
                shown = widget.get("/AS")
                if isinstance(shown, pikepdf.Name) and shown != pikepdf.Name.Off and on:
                    state = str(shown)[1:]
                    break
        if state is None:
            return None
        if options and len(options) == len(buttons):
            if state in states:
                return options[states.index(state)]
            if state in options:
                return state
        elif state in states:
            return state
        known = options or [s for s in states if s]
        self.problems.add(
            Code.RETURN_PDF_FIELD_VALUE,
            f"the field {where.field!r} is set to {state!r}, which none of its buttons is "
            f"(they are {', '.join(repr(k) for k in known)})",
            "ask the organisation to choose the answer again in a new copy of the form",
            where,
        )
        return None
