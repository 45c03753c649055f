"""One way to name a set: the :class:`Registry` of known sets, and the library's entry points.

A :class:`Registry` maps ``(id, version)`` to a checked, **resolved** set (a partnership
overlay comes back with its changes applied), as ``referencing.Registry`` does for JSON
Schema resources. It is immutable: :meth:`Registry.with_folder` (a partnership's own
``standards/ID/VERSION.yaml`` tree) and :meth:`Registry.with_set` (one file, a standard set or
an overlay, known by the id and version it resolves to) return new registries whose sets come
before the ones already known. ``Registry()`` knows the bundled sets.

>>> from safeguard_standards.sets import Registry
>>> registry = Registry()
>>> registry.versions("kcsie")  # doctest: +SKIP
('2024-25', '2025-26')
>>> registry.get("kcsie", "2025-26").ok  # doctest: +SKIP
True

Every SET argument — on the command line, to :func:`check_set`, :func:`check_path`,
:func:`load`, :func:`validate`, in an overlay's ``extends:`` and in the "previous version" of
a changes document — is parsed by :class:`~safeguard_standards._setspec.SetSpec` and looked up
here, so the library and the command line always agree. A registry caches what it loaded by
path, modification time and size (and those of every file the result was built from), so a
set that two overlays extend is read once. The module-level functions start a fresh registry
each call; keep a :class:`Registry` to share its loads.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Union

import attrs

from ._setspec import SetNotFound, SetSpec, SetSpecError, is_path_spec
from .bundled import BundledSet, bundled_root, list_sets
from .diagnostics import Code, did_you_mean

if TYPE_CHECKING:
    from importlib.abc import Traversable

    from .diagnostics import Diagnostic
    from .loader import LoadResult
    from .model import Checklist

# The loader and the overlay resolver (YAML, the model, the rules) are imported by the methods
# that load, so that listing the sets stays cheap for the command line.

__all__ = [
    "Registry",
    "SetNotFound",
    "SetSpec",
    "SetSpecError",
    "check_bundled",
    "check_path",
    "check_set",
    "check_text",
    "load",
    "load_bundled",
    "load_path",
    "load_set",
    "load_text",
    "validate",
]

PathLike = Union[str, "os.PathLike[str]"]

#: Most loads one registry keeps (a long session checking many files does not grow without end).
CACHE_SIZE = 64


@attrs.frozen
class _Layer:
    """Where sets come from: the bundled tree, a folder tree, or one file."""

    kind: str  # "bundled" | "folder" | "file"
    root: Traversable
    #: For a file: the (id, version) it resolves to.
    key: tuple[str, str] | None = None
    status: str = "published"


@attrs.frozen
class _Entry:
    set_id: str
    version: str
    status: str
    resource: Traversable
    label: str
    #: How many layers lie below the one it came from: an overlay's ``extends:`` by id is
    #: looked up there, so an overlay may extend the very id and version it stands for.
    depth: int


_Stamp = tuple[tuple[str, int, int, int], ...]


def _stamp(paths: Iterable[str]) -> _Stamp | None:
    """(path, inode, mtime, size) of each file; None when one cannot be read."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            return None
        out.append((p, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(out)


class Registry:
    """The sets a command or a program knows by id and version; immutable."""

    __slots__ = ("_cache", "_extends_from", "_index", "_layers", "_paths")

    def __init__(self, *, bundled: bool = True) -> None:
        self._layers: tuple[_Layer, ...] = ()
        #: Folders an overlay's ``extends:`` path may lead into besides the overlay's own.
        self._extends_from: tuple[str, ...] = ()
        if bundled:
            self._layers = (_Layer("bundled", bundled_root()),)
        self._index: dict[str, dict[str, _Entry]] | None = None
        self._paths: dict[str, int] | None = None
        self._cache: OrderedDict[tuple[int, str, str], tuple[LoadResult, _Stamp]] = OrderedDict()

    def _with(self, layer: _Layer) -> Registry:
        new = Registry(bundled=False)
        new._layers = (*self._layers, layer)
        new._extends_from = self._extends_from
        return new

    def _below(self, depth: int) -> Registry:
        new = Registry(bundled=False)
        new._layers = self._layers[:depth]
        new._extends_from = self._extends_from
        new._cache = self._cache  # the same files, read the same way: share the loads
        return new

    def __repr__(self) -> str:
        inner = ", ".join(f"{layer.kind}:{_name(layer.root)}" for layer in self._layers)
        return f"Registry({inner})"

    # -- adding sets ------------------------------------------------------------------------------

    def with_folder(self, folder: PathLike) -> Registry:
        """A registry that also knows the sets in ``folder`` (``ID/VERSION.yaml`` files).

        Its sets come before those already known (a partnership's ``kcsie/2025-26.yaml``,
        usually an overlay, is what ``kcsie@2025-26`` then names). A missing folder is an error.
        """
        p = Path(folder)
        if not p.is_dir():
            raise SetNotFound(
                f"{folder}: no such folder of standard sets",
                "give a folder holding ID/VERSION.yaml files, e.g. standards/kcsie/2025-26.yaml",
            )
        return self._with(_Layer("folder", p))

    def with_set(self, path: PathLike) -> Registry:
        """A registry that also knows the set in the file at ``path`` (a set or an overlay).

        It is known by the id and version it resolves to (an overlay keeps those of the set it
        extends), before the sets already known. The file is checked now; raises
        :class:`~safeguard_standards.diagnostics.ChecklistError` if it has errors.
        """
        result = self.check_path(path)
        checklist = result.unwrap()
        return self._with(
            _Layer("file", Path(path), (checklist.id, checklist.version), checklist.status)
        )

    # -- what is known ----------------------------------------------------------------------------

    def with_extends_from(self, *folders: PathLike) -> Registry:
        """A registry whose overlays may also extend sets in the trees of ``folders`` (an
        overlay's ``extends:`` path is otherwise confined to the overlay's own folder tree)."""
        new = Registry(bundled=False)
        new._layers = self._layers
        new._extends_from = (*self._extends_from, *(os.fspath(f) for f in folders))
        return new

    def _entries(self) -> dict[str, dict[str, _Entry]]:
        if self._index is not None:
            return self._index
        index: dict[str, dict[str, _Entry]] = {}
        paths: dict[str, int] = {}
        for depth, layer in enumerate(self._layers):
            found: list[_Entry] = []
            if layer.kind == "file":
                assert layer.key is not None
                label = str(layer.root)
                found.append(_Entry(*layer.key, layer.status, layer.root, label, depth))
            else:
                try:
                    listed = list_sets(layer.root)
                except OSError:  # a folder that cannot be read lists nothing
                    listed = []
                for s in listed:
                    for version, status in s.statuses:
                        resource = layer.root / s.id / f"{version}.yaml"
                        label = (
                            f"bundled:{s.id}/{version}.yaml"
                            if layer.kind == "bundled"
                            else str(resource)
                        )
                        found.append(_Entry(s.id, version, status, resource, label, depth))
            for e in found:
                index.setdefault(e.set_id, {})[e.version] = e
                if isinstance(e.resource, Path):
                    paths.setdefault(str(e.resource.resolve()), e.depth)
        self._paths = paths
        self._index = {k: dict(sorted(v.items())) for k, v in sorted(index.items())}
        return self._index

    def _entries_by_path(self) -> dict[str, int]:
        """The resolved path of each set file on disk → the lowest layer it stands in (also
        when a later layer shadows it)."""
        self._entries()
        assert self._paths is not None
        return self._paths

    def sets(self) -> list[BundledSet]:
        """Every known set with its versions (oldest first) and their statuses, by id."""
        return [
            BundledSet(
                set_id,
                tuple(versions),
                tuple((v, e.status) for v, e in versions.items()),
            )
            for set_id, versions in self._entries().items()
        ]

    def ids(self) -> tuple[str, ...]:
        return tuple(self._entries())

    def versions(self, set_id: str) -> tuple[str, ...]:
        """The versions of ``set_id``, oldest first; raises SetNotFound for an unknown id."""
        return tuple(self._known(set_id))

    def latest(self, set_id: str) -> str:
        """The newest published version (the newest of any status if none is published)."""
        known = self._known(set_id)
        published = [v for v, e in known.items() if e.status == "published"]
        return published[-1] if published else list(known)[-1]

    def _known(self, set_id: str) -> dict[str, _Entry]:
        entries = self._entries()
        if set_id in entries:
            return entries[set_id]
        what = "bundled" if all(layer.kind == "bundled" for layer in self._layers) else "known"
        raise SetNotFound(
            Code.SET_UNKNOWN.message(
                what=what, set_id=set_id, did_you_mean=did_you_mean(set_id.lower(), entries)
            ),
            f"{what} sets: "
            + (", ".join(entries) or "none")
            + "; or give a path to a .yaml file (a name without / or .yaml is an id: "
            + f"write ./{set_id} for a file here)",
        )

    def _entry(self, set_id: str, version: str | None) -> _Entry:
        known = self._known(set_id)
        chosen = version or self.latest(set_id)
        if chosen not in known:
            raise SetNotFound(
                f"{set_id} has no version {version!r}", f"versions of {set_id}: " + ", ".join(known)
            )
        return known[chosen]

    # -- loading ----------------------------------------------------------------------------------

    def get(self, set_id: str, version: str | None = None) -> LoadResult:
        """The checked, resolved set ``set_id`` at ``version`` (None: the latest published).

        The result holds the checklist and every diagnostic; raises
        :class:`~safeguard_standards.SetNotFound` when the id or version is not known.
        """
        entry = self._entry(set_id, version)
        below = self._below(entry.depth)
        if isinstance(entry.resource, Path):
            return below.check_path(entry.resource, entry.label)
        return below._check_resource(entry)  # pragma: no cover - a zipped installation

    def check(self, spec: str | SetSpec | os.PathLike[str]) -> LoadResult:
        """Check what a SET names (text is parsed by :meth:`SetSpec.parse`; a ``Path`` is a
        path).

        Raises :class:`~safeguard_standards.SetNotFound` (:class:`SetSpecError` for malformed
        text) when it names no known set or version; a missing file is a diagnostic.
        """
        if isinstance(spec, os.PathLike):
            return self.check_path(spec)
        parsed = SetSpec.parse(spec) if isinstance(spec, str) else spec
        if parsed.path is not None:
            return self.check_path(parsed.path)
        assert parsed.id is not None
        return self.get(parsed.id, parsed.version)

    def load(self, spec: str | SetSpec | os.PathLike[str]) -> Checklist:
        """The checklist a SET names; raises SetNotFound or ChecklistError."""
        return self.check(spec).unwrap()

    def check_path(self, path: PathLike, label: str | None = None) -> LoadResult:
        """Check the file at ``path``: a standard set, or an overlay (resolved on its base).

        An overlay that is itself one of the registry's sets is resolved as :meth:`get` does,
        on the layers below its own (so it never extends itself).
        """
        from .loader import check_path as check_file
        from .tailoring import check_overlay_path, is_overlay_path

        p = Path(path)
        try:
            resolved = str(p.resolve())
        except (OSError, ValueError, RuntimeError):  # a NUL, a loop of links: not cached
            resolved = None
        overlay = is_overlay_path(p)
        if overlay and resolved is not None:
            depth = self._entries_by_path().get(resolved)
            if depth is not None and depth < len(self._layers):
                return self._below(depth).check_path(path, label)
        # the layers are part of the key: an overlay's base depends on them
        key = None if resolved is None else (len(self._layers), resolved, label or str(path))
        if key is not None and key in self._cache:
            result, stamp = self._cache[key]
            if _stamp(f for f, _i, _m, _s in stamp) == stamp:
                self._cache.move_to_end(key)
                return result
        if overlay:
            result = check_overlay_path(path, label, registry=self, extends_from=self._extends_from)
        else:
            result = check_file(path, label)
        stamp_now = _stamp(result.files)
        if key is not None and stamp_now is not None and result.files:
            self._cache[key] = (result, stamp_now)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def check_text(self, text: str, source: str = "<string>") -> LoadResult:
        """Check YAML text: a standard set, or an overlay (a relative ``extends:`` path is taken
        from the current folder)."""
        from .loader import check_text as check_as_written
        from .tailoring import check_overlay_text, is_overlay_text

        if is_overlay_text(text):
            return check_overlay_text(text, source, registry=self, extends_from=self._extends_from)
        return check_as_written(text, source)

    def _check_resource(self, entry: _Entry) -> LoadResult:  # pragma: no cover - zipped
        from .loader import check_text

        return check_text(entry.resource.read_text(encoding="utf-8"), entry.label)

    def base_for(self, spec: SetSpec) -> LoadResult:
        """The set an overlay's ``extends: ID@VERSION`` names (for the overlay resolver)."""
        assert spec.id is not None
        return self.get(spec.id, spec.version)

    # -- the previous version ---------------------------------------------------------------------

    def previous_spec(self, checklist: Checklist, since: str | None = None) -> SetSpec | None:
        """The set ``checklist`` is compared with in a changes document.

        ``since`` (a version of the same set, ``ID@VERSION`` or a path) wins; otherwise the
        version it ``supersedes``. A ``VERSION.yaml`` next to the checklist's own file is
        preferred to the known set of the same id. None when there is nothing to compare with.
        """
        wanted = since or checklist.supersedes
        if not wanted:
            return None
        if "@" in wanted or is_path_spec(wanted):
            return SetSpec.parse(wanted)
        spec = SetSpec.parse(f"{checklist.id}@{wanted}")
        source = checklist.source
        if not since and source and not source.startswith(("bundled:", "<")):
            sibling = Path(source).parent / f"{wanted}.yaml"
            if sibling.is_file():
                return SetSpec(path=str(sibling))
        return spec

    def previous(self, checklist: Checklist, since: str | None = None) -> LoadResult | None:
        """Check the version ``checklist`` is compared with (see :meth:`previous_spec`)."""
        spec = self.previous_spec(checklist, since)
        return None if spec is None else self.check(spec)


def _name(root: Traversable) -> str:
    return str(root) if isinstance(root, Path) else root.name


# -- the library's entry points (each starts a fresh registry) ------------------------------------


def check_set(
    spec: str | SetSpec | os.PathLike[str], *, extends_from: Sequence[PathLike] = ()
) -> LoadResult:
    """Check what a SET names: ``ID``, ``ID@VERSION`` or a path (an overlay is resolved).

    The set an overlay extends by path must be in the overlay's folder tree, or in one of
    ``extends_from``. Raises :class:`~safeguard_standards.SetNotFound` when it names no known
    set or version.
    """
    return Registry().with_extends_from(*extends_from).check(spec)


def load_set(
    spec: str | SetSpec | os.PathLike[str], *, extends_from: Sequence[PathLike] = ()
) -> Checklist:
    """Load what a SET names; raises SetNotFound or ChecklistError."""
    return check_set(spec, extends_from=extends_from).unwrap()


def check_bundled(set_id: str, version: str | None = None) -> LoadResult:
    """Check a bundled set (the latest published version unless one is named)."""
    return Registry().get(set_id, version)


def load_bundled(set_id: str, version: str | None = None) -> Checklist:
    """Load a bundled set; raises SetNotFound or ChecklistError."""
    return check_bundled(set_id, version).unwrap()


def check_path(path: PathLike, label: str | None = None) -> LoadResult:
    """Check a YAML file (an overlay is resolved); never raises for bad content."""
    return Registry().check_path(path, label)


def check_text(text: str, source: str = "<string>") -> LoadResult:
    """Check YAML text (an overlay is resolved); never raises for bad content."""
    return Registry().check_text(text, source)


def load_text(text: str, source: str = "<string>") -> Checklist:
    """The checklist in ``text``; raises ChecklistError if it has errors."""
    return check_text(text, source).unwrap()


def load_path(path: PathLike) -> Checklist:
    """The checklist in the file at ``path``; raises ChecklistError if it has errors."""
    return check_path(path).unwrap()


def load(path_or_text: PathLike) -> Checklist:
    """Load a standard set from a path or from YAML text.

    A ``Path`` is always a path. A ``str`` is YAML text when it contains a line break (or
    starts with ``dsl:``), otherwise a path. Raises ChecklistError listing every problem.
    """
    from .loader import _looks_like_text

    if isinstance(path_or_text, str) and _looks_like_text(path_or_text):
        return load_text(path_or_text)
    return load_path(path_or_text)


def validate(target: PathLike | Checklist) -> tuple[Diagnostic, ...]:
    """Every diagnostic for a path, YAML text or an already-built checklist. Never raises."""
    from .loader import _looks_like_text
    from .model import Checklist

    if isinstance(target, Checklist):
        from ._rules import run_rules
        from .diagnostics import sort_diagnostics

        return tuple(sort_diagnostics(run_rules(target)))
    if isinstance(target, str) and _looks_like_text(target):
        return check_text(target).diagnostics
    return check_path(target).diagnostics
