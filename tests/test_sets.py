"""One way to name a set: SetSpec, the Registry, and the library and the command line agreeing.

Every SET below goes through the public library entry points and through the commands
(validate, show, render, diff, resolve); both must say the same: found or not, valid or not,
the same diagnostics at the same places, and the same resolved set.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from safeguard_standards_cli import cli

import safeguard_standards as sg
from safeguard_standards import ChecklistError, Registry, SetNotFound, SetSpec, SetSpecError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "northshire-kcsie-2025-26.yaml"
PACKAGES = (ROOT / "safeguard_standards", ROOT / "cli" / "safeguard_standards_cli")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


_LOCATED = re.compile(r"^(?P<src>.+?)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<code>SG\d{3}) ", re.M)

Spot = tuple[str, str, int, int]


def spots(diagnostics: tuple[sg.Diagnostic, ...]) -> list[Spot]:
    return sorted((d.code.code, d.source, d.line, d.column) for d in diagnostics)


def printed(err: str) -> list[Spot]:
    """The diagnostics a command printed, as (code, file, line, column)."""
    return sorted(
        (m["code"], m["src"], int(m["line"] or 0), int(m["col"] or 0))
        for m in _LOCATED.finditer(err)
    )


# -- the specs ---------------------------------------------------------------------------------

BROKEN_OVERLAY = """\
extends: kcsie@2025-26
modify:
  - id: leadership.no-such-standard.q1
    set: {in_return: true}
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a standard set, a broken set, overlays and an overlay of an overlay."""
    root = tmp_path_factory.mktemp("sets")
    shutil.copy(ROOT / "standards" / "kcsie" / "2024-25.yaml", root / "kcsie-2024-25.yaml")
    text = (ROOT / "standards" / "kcsie" / "2024-25.yaml").read_text(encoding="utf-8")
    broken = text.replace("\ntitle:", "\ntitel:", 1)
    assert broken != text
    (root / "broken.yml").write_text(broken, encoding="utf-8")
    shutil.copy(EXAMPLE, root / "northshire.yaml")
    (root / "region.yaml").write_text(
        "extends: northshire.yaml\ntitle: The region's own KCSIE audit\n", encoding="utf-8"
    )
    (root / "broken-overlay.yaml").write_text(BROKEN_OVERLAY, encoding="utf-8")
    (root / "unpinned.yaml").write_text(
        "extends: kcsie\ntitle: Latest, whatever it is\n", encoding="utf-8"
    )
    return root


SPECS = {
    "bundled id": "kcsie",
    "id@version": "section11@2023-25",
    "unknown id": "kcsei",
    "unknown version": "kcsie@1999-00",
    "path": "{tree}/kcsie-2024-25.yaml",
    "path with errors": "{tree}/broken.yml",
    "missing file": "{tree}/nothing-here.yaml",
    "overlay path": "{tree}/northshire.yaml",
    "overlay of an overlay": "{tree}/region.yaml",
    "overlay with errors": "{tree}/broken-overlay.yaml",
    "unpinned overlay (a warning)": "{tree}/unpinned.yaml",
    "the Northshire example": str(EXAMPLE),
    "nothing after @": "kcsie@",
    "nothing before @": "@2025-26",
    "two @": "kcsie@2025-26@x",
    "a space": "kcsie 2025-26",
    "empty": "",
}


@pytest.fixture(params=list(SPECS), ids=list(SPECS))
def spec(request: pytest.FixtureRequest, tree: Path) -> str:
    return SPECS[request.param].format(tree=tree)


def library_view(spec: str) -> tuple[str, sg.LoadResult | None]:
    """("usage", None) for a SET that names nothing; ("ok"|"invalid", result) otherwise."""
    try:
        result = sg.check_set(spec)
    except SetNotFound:
        return "usage", None
    return ("ok" if result.ok else "invalid"), result


def test_library_entry_points_agree_with_each_other(spec: str) -> None:
    status, result = library_view(spec)
    parsed = None
    try:
        parsed = SetSpec.parse(spec)
    except SetSpecError:
        assert status == "usage"
    if status == "usage":
        with pytest.raises(SetNotFound):
            sg.load_set(spec)
        if parsed is not None and parsed.id is not None:
            with pytest.raises(SetNotFound):
                sg.check_bundled(parsed.id, parsed.version)
            with pytest.raises(SetNotFound):
                Registry().get(parsed.id, parsed.version)
        return
    assert result is not None and parsed is not None
    if parsed.path is not None:
        same = [sg.check_path(spec), sg.Registry().check_path(spec)]
        assert sg.validate(spec) == result.diagnostics
        assert sg.validate(Path(spec)) == result.diagnostics
        loaders = [sg.load, sg.load_path]
    else:
        assert parsed.id is not None
        same = [
            sg.check_bundled(parsed.id, parsed.version),
            Registry().get(parsed.id, parsed.version),
        ]
        loaders = [sg.load_set]
    for other in same:
        assert spots(other.diagnostics) == spots(result.diagnostics)
        assert other.checklist == result.checklist
    for loader in loaders:
        if result.ok:
            assert loader(spec) == result.checklist
        else:
            with pytest.raises(ChecklistError) as caught:
                loader(spec)
            assert spots(caught.value.diagnostics) == spots(result.diagnostics)


def test_commands_agree_with_the_library(spec: str) -> None:
    status, result = library_view(spec)
    exit_code = {"ok": 0, "invalid": 1, "usage": 2}[status]

    code, out, err = run("validate", "--format", "json", spec)
    assert code == exit_code, err
    if status != "usage":
        assert result is not None
        (reported,) = json.loads(out)["files"]
        found = sorted(
            (d["code"], d["source"], d["line"], d["column"]) for d in reported["diagnostics"]
        )
        assert found == spots(result.diagnostics)
        assert reported["valid"] is result.ok

    code, out, err = run("show", spec)
    assert code == exit_code, err
    if status == "ok":
        assert result is not None and result.checklist is not None
        c = result.checklist
        title, ref = out.splitlines()[:2]
        assert title == c.title
        assert ref.startswith(f"{c.id}@{c.version} ")
        assert f"questions: {sum(1 for _ in c.questions())}" in ref
    elif status == "invalid":
        assert result is not None
        assert printed(err) == spots(result.diagnostics)

    code, out, err = run("render", spec, "--as", "guidance", "--format", "md", "-o", "-")
    assert code == exit_code, err
    if status == "ok":
        assert result is not None and result.checklist is not None
        assert result.checklist.title in out
    elif status == "invalid":
        assert result is not None
        assert printed(err) == spots(result.diagnostics)

    code, out, err = run("diff", "kcsie@2025-26", spec, "--format", "json")
    assert code == exit_code, err
    if status == "ok":
        assert result is not None and result.checklist is not None
        assert json.loads(out)["new"].startswith(result.checklist.ref)
    elif status == "invalid":
        assert result is not None
        assert printed(err) == spots(result.diagnostics)

    code, out, err = run("resolve", spec)
    if status == "ok":
        assert result is not None and result.checklist is not None
        if result.checklist.extends:
            assert code == 0, err
            assert sg.load_text(out) == sg.load_text(sg.tailoring.dump_yaml(result.checklist))
        else:  # a standard set is not an overlay: a bad command line
            assert code == 2 and "is not an overlay" in err
    else:
        assert code == exit_code, err


def test_the_northshire_example_is_valid_in_the_library_as_on_the_command_line() -> None:
    # the library's validate/load/check_path once ignored extends: and reported 7 errors
    assert sg.validate(str(EXAMPLE)) == ()
    assert sg.check_path(EXAMPLE).ok
    assert sg.check_set(EXAMPLE).ok  # a Path is a path
    local = sg.load(str(EXAMPLE))
    assert local.extends == "kcsie@2025-26"
    assert local.publisher is not None and local.publisher.name.startswith("Northshire")
    from_text = sg.load_text(EXAMPLE.read_text(encoding="utf-8"))
    assert [q.full_id for q in from_text.questions()] == [q.full_id for q in local.questions()]
    code, out, _ = run("validate", str(EXAMPLE))
    assert code == 0 and "1 checked: 1 valid" in out


def test_overlay_text_is_resolved_as_the_file_is() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    from_text = sg.check_text(text, "northshire.yaml")
    from_file = sg.check_path(EXAMPLE, "northshire.yaml")
    assert from_text.ok and from_file.ok
    assert from_text.checklist == from_file.checklist
    assert sg.validate(text) == ()


# -- the rule for a bare argument ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kcsie", SetSpec(id="kcsie")),
        ("kcsie@2025-26", SetSpec(id="kcsie", version="2025-26")),
        ("vcs_checklist@2024-25", SetSpec(id="vcs_checklist", version="2024-25")),
        ("Kcsie", SetSpec(id="Kcsie")),  # left to the registry, which says "did you mean"
        ("kcsie.yaml", SetSpec(path="kcsie.yaml")),
        ("kcsie.yml", SetSpec(path="kcsie.yml")),
        ("./kcsie", SetSpec(path="./kcsie")),
        ("standards\\kcsie\\2025-26", SetSpec(path="standards\\kcsie\\2025-26")),
        ("kcsie@2025/26", SetSpec(path="kcsie@2025/26")),  # a separator makes it a path
        ("my set.yaml", SetSpec(path="my set.yaml")),
    ],
)
def test_set_spec_parse(text: str, expected: SetSpec) -> None:
    assert SetSpec.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("kcsie@", 6, "no version after '@'"),
        ("@2025-26", 1, "no set before '@'"),
        ("kcsie@2025-26@x", 14, "more than one '@'"),
        ("kcsie 2025-26", 6, "contains a space"),
        (" kcsie", 1, "starts or ends with a space"),
        ("kcsie ", 6, "starts or ends with a space"),
        ("kcsie\t", 6, "control character"),
        ("kc\x00sie", 3, "control character"),
        ("kcsie!", 1, "is not a set id"),
        ("kcsie@2025+26", 7, "is not a version"),
    ],
)
def test_bad_set_text_is_refused_with_its_column(text: str, column: int, words: str) -> None:
    with pytest.raises(SetSpecError) as caught:
        SetSpec.parse(text)
    assert caught.value.column == column
    assert words in caught.value.message
    assert caught.value.hint
    code, _, err = run("validate", text)
    assert code == 2 and words in err and "Traceback" not in err


def test_a_folder_named_like_a_set_does_not_shadow_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "kcsie").mkdir()
    (tmp_path / "section11").write_text("not yaml: [", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert sg.check_set("kcsie").source == "bundled:kcsie/2025-26.yaml"
    assert sg.check_set("section11").source == "bundled:section11/2025-27.yaml"
    code, out, _ = run("validate", "kcsie", "section11")
    assert code == 0, out
    # the file is named by a path
    (d, *_) = sg.check_set("./section11").diagnostics
    assert d.source == "./section11" and d.is_error


def test_a_bad_extends_is_located_at_the_offending_character(tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    overlay.write_text("title: x\nextends: kcsie@\n", encoding="utf-8")
    (d,) = sg.check_set(str(overlay)).diagnostics
    assert (d.code.code, d.line, d.column) == ("SG300", 2, 15)
    assert "no version after '@'" in d.message
    overlay.write_text("extends: 'kcsie@@2025-26'\n", encoding="utf-8")
    (d,) = sg.check_set(str(overlay)).diagnostics
    assert (d.code.code, d.line, d.column) == ("SG300", 1, 10)  # quoted: at the value


# -- the registry --------------------------------------------------------------------------------

LOCAL_KCSIE = """\
extends: kcsie@2025-26
publisher: {name: Westshire Safeguarding Partnership}
"""
LOCAL_SET = (ROOT / "tests" / "cases" / "valid" / "complete.yaml").read_text(encoding="utf-8")


@pytest.fixture
def partnership(tmp_path: Path) -> Path:
    """A partnership's own standards/ tree: its KCSIE overlay and a set of its own."""
    root = tmp_path / "standards"
    (root / "kcsie").mkdir(parents=True)
    (root / "kcsie" / "2025-26.yaml").write_text(LOCAL_KCSIE, encoding="utf-8")
    local = sg.load_text(LOCAL_SET)
    (root / local.id).mkdir()
    (root / local.id / f"{local.version}.yaml").write_text(LOCAL_SET, encoding="utf-8")
    (root / local.id / "9999-00.yaml").write_text(
        LOCAL_SET.replace(f"version: {local.version}", "version: 9999-00", 1).replace(
            "status: published", "status: draft", 1
        ),
        encoding="utf-8",
    )
    return root


def test_a_folder_adds_sets_and_overrides_a_bundled_version(partnership: Path) -> None:
    national = Registry()
    local = national.with_folder(partnership)
    # the partnership's kcsie@2025-26 is its overlay, resolved on the national set
    ours = local.get("kcsie", "2025-26")
    assert ours.ok, ours.diagnostics
    assert ours.checklist is not None and ours.checklist.publisher is not None
    assert ours.checklist.publisher.name == "Westshire Safeguarding Partnership"
    assert ours.source == str(partnership / "kcsie" / "2025-26.yaml")
    assert local.versions("kcsie") == ("2024-25", "2025-26")
    assert local.latest("kcsie") == "2025-26"
    assert local.check("kcsie@2024-25").source == "bundled:kcsie/2024-25.yaml"
    # named by its path, the overlay is still resolved on the national set, not on itself
    by_path = local.check_path(partnership / "kcsie" / "2025-26.yaml")
    assert by_path.diagnostics == () and by_path.checklist == ours.checklist
    # immutable: the registry it came from is unchanged
    theirs = national.get("kcsie", "2025-26")
    assert theirs.checklist is not None and theirs.checklist.publisher != ours.checklist.publisher
    # a set of its own, with a draft that is not the latest
    own = sg.load_text(LOCAL_SET)
    assert local.versions(own.id) == (own.version, "9999-00")
    assert local.latest(own.id) == own.version
    assert own.id not in national.ids()
    with pytest.raises(SetNotFound, match="no bundled standard set"):
        national.get(own.id)


def test_with_set_knows_a_file_by_the_id_and_version_it_resolves_to() -> None:
    registry = Registry().with_set(EXAMPLE)
    got = registry.get("kcsie", "2025-26")
    assert got.source == str(EXAMPLE)
    assert got.checklist is not None and got.checklist.extends == "kcsie@2025-26"
    assert Registry().get("kcsie", "2025-26").source == "bundled:kcsie/2025-26.yaml"


def test_with_set_refuses_a_file_with_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN_OVERLAY, encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        Registry().with_set(bad)
    assert [d.code.code for d in caught.value.diagnostics] == ["SG303"]


def test_an_unknown_folder_id_or_version_is_set_not_found(tmp_path: Path) -> None:
    with pytest.raises(SetNotFound, match="no such folder"):
        Registry().with_folder(tmp_path / "missing")
    with pytest.raises(SetNotFound, match=r"did you mean 'kcsie'"):
        Registry().versions("kcsei")
    with pytest.raises(SetNotFound, match="has no version '1999-00'") as caught:
        Registry().get("kcsie", "1999-00")
    assert caught.value.hint == "versions of kcsie: 2024-25, 2025-26"


def test_loads_are_cached_by_path_mtime_and_size(partnership: Path) -> None:
    registry = Registry().with_folder(partnership)
    first = registry.get("kcsie", "2025-26")
    assert registry.get("kcsie", "2025-26") is first  # read once
    assert registry.check(str(partnership / "kcsie" / "2025-26.yaml")).checklist is not None
    overlay = partnership / "kcsie" / "2025-26.yaml"
    overlay.write_text(LOCAL_KCSIE.replace("Westshire", "Eastshire"), encoding="utf-8")
    again = registry.get("kcsie", "2025-26")
    assert again is not first
    assert again.checklist is not None and again.checklist.publisher is not None
    assert again.checklist.publisher.name == "Eastshire Safeguarding Partnership"
    # a fresh registry shares nothing
    assert Registry().with_folder(partnership).get("kcsie", "2025-26") is not again


def test_the_previous_version_is_looked_up_in_the_registry(partnership: Path) -> None:
    registry = Registry().with_folder(partnership)
    kcsie = registry.load("kcsie")
    assert kcsie.supersedes == "2024-25"
    assert registry.previous_spec(kcsie) == SetSpec(id="kcsie", version="2024-25")
    assert registry.previous_spec(kcsie, "kcsie@2025-26") == SetSpec(id="kcsie", version="2025-26")
    assert registry.previous_spec(kcsie, "old.yaml") == SetSpec(path="old.yaml")
    previous = registry.previous(kcsie)
    assert previous is not None and previous.source == "bundled:kcsie/2024-25.yaml"
    with pytest.raises(SetNotFound):
        registry.previous(kcsie, "1999-00")
    assert sg.diff.previous_spec(kcsie) == "kcsie@2024-25"


# -- no import cycles ----------------------------------------------------------------------------


def _imports(path: Path, package: str) -> Iterator[str]:
    """What a module imports, at the top or in a function (not under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                prefix = ".".join(parts[: len(parts) - (node.level - 1)])
                head = f"{prefix}.{node.module}" if node.module else prefix
            else:
                head = node.module or ""
            yield head
            yield from (f"{head}.{a.name}" for a in node.names)  # `from . import _yaml`
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def _graph() -> dict[str, set[str]]:
    """Module → the package modules it imports."""
    modules: dict[str, Path] = {}
    for root in PACKAGES:
        for path in root.rglob("*.py"):
            rel = path.relative_to(root.parent).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            modules[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for target in _imports(path, package):
            if target in modules and target != name and not name.startswith(target + "."):
                edges.add(target)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] when there is none."""
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> list[str]:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in done:
                found = visit(nxt, [*trail, nxt])
                if found:
                    return found
        done.add(node)
        return []

    for name in sorted(graph):
        found = visit(name, [name]) if name not in done else []
        if found:
            return found
    return []


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    assert "safeguard_standards.tailoring" in graph["safeguard_standards.sets"]
    assert "safeguard_standards.loader" in graph["safeguard_standards.tailoring"]
    # leaves everyone may use: the catalogue, and SET text (whose errors carry a catalogue code)
    assert graph["safeguard_standards.diagnostics"] == set()
    assert graph["safeguard_standards._setspec"] == {"safeguard_standards.diagnostics"}
    assert graph["safeguard_standards.bundled"] == {"safeguard_standards._setspec"}
    assert _cycle(graph) == []
    # the check finds one when there is one
    assert _cycle({**graph, "safeguard_standards.loader": {"safeguard_standards.sets"}}) != []


def test_help_and_list_do_not_import_the_loader() -> None:
    code = (
        "import sys\nfrom safeguard_standards_cli import cli\n"
        "for args in (['--help'], ['list']):\n"
        "    try:\n        cli.main(args, prog_name='safeguard')\n"
        "    except SystemExit:\n        pass\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith('safeguard_standards.')\n"
        "        and m.rpartition('.')[2] in ('loader', 'tailoring', '_yaml', '_structure'))\n"
        "    print(args[0], loaded, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.splitlines() == ["--help []", "list []"]
