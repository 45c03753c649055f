"""The standard sets shipped with the package, and how a SET argument is resolved.

A SET is ``ID`` (the latest published version), ``ID@VERSION``, or a path to a YAML file.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from importlib.abc import Traversable

    from .loader import LoadResult
    from .model import Checklist

# The loader (YAML, the model, the rules) is imported by the functions that load, so that
# listing the bundled sets stays cheap.

__all__ = [
    "BundledSet",
    "SetNotFound",
    "bundled_root",
    "bundled_sets",
    "check_set",
    "load_bundled",
    "load_set",
]


class SetNotFound(LookupError):
    """A SET argument names no bundled set, version or file."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def bundled_root() -> Traversable:
    """Root folder of the standards shipped with the package."""
    installed = files("safeguard_standards") / "standards"
    if installed.is_dir():  # a wheel install
        return installed
    checkout = Path(__file__).resolve().parent.parent / "standards"
    if checkout.is_dir():  # an editable install or the source tree
        return checkout
    raise FileNotFoundError("the bundled standards are missing from this installation")


_STATUS = re.compile(r"^status:\s*['\"]?(\w+)", re.MULTILINE)
_VERSION_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.yaml$")


@attrs.frozen
class BundledSet:
    """A bundled standard set and its versions, oldest first."""

    id: str
    versions: tuple[str, ...]
    #: version → status as written in the file (published, draft, withdrawn).
    statuses: tuple[tuple[str, str], ...]

    @property
    def latest(self) -> str | None:
        """The newest published version (or the newest of any status if none is published)."""
        published = [v for v, s in self.statuses if s == "published"]
        if published:
            return published[-1]
        return self.versions[-1] if self.versions else None


def _set_folder(set_id: str) -> Traversable:
    return bundled_root() / set_id


def bundled_sets() -> list[BundledSet]:
    """Every bundled set with its versions, by id."""
    out = []
    root = bundled_root()
    for folder in sorted(root.iterdir(), key=lambda t: t.name):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        versions = []
        for f in folder.iterdir():
            if f.is_file() and _VERSION_FILE.match(f.name):
                versions.append((f.name[: -len(".yaml")], _status_of(f)))
        versions.sort()
        if versions:
            out.append(BundledSet(folder.name, tuple(v for v, _ in versions), tuple(versions)))
    return out


def _status_of(resource: Traversable) -> str:
    """The ``status:`` a file declares (published when none): read from its first lines,
    where the metadata is, and from the whole file only if it is not there."""
    with resource.open("rb") as handle:
        head = handle.read(8192).decode("utf-8", errors="replace")
    m = _STATUS.search(head) or _STATUS.search(resource.read_text(encoding="utf-8"))
    return m.group(1) if m else "published"


def _label(set_id: str, version: str) -> str:
    return f"bundled:{set_id}/{version}.yaml"


def _find_bundled(set_id: str, version: str | None) -> tuple[Traversable, str]:
    known = {s.id: s for s in bundled_sets()}
    if set_id not in known:
        import difflib

        close = difflib.get_close_matches(set_id, list(known), n=1)
        raise SetNotFound(
            f"no bundled standard set {set_id!r}"
            + (f" (did you mean {close[0]!r}?)" if close else ""),
            "bundled sets: " + ", ".join(known) + "; or give a path to a .yaml file",
        )
    entry = known[set_id]
    chosen = version or entry.latest
    if chosen not in entry.versions or chosen is None:
        raise SetNotFound(
            f"{set_id} has no version {version!r}",
            f"versions of {set_id}: " + ", ".join(entry.versions),
        )
    return _set_folder(set_id) / f"{chosen}.yaml", chosen


def check_bundled(set_id: str, version: str | None = None) -> LoadResult:
    """Check a bundled set (latest published version unless one is named)."""
    from .loader import check_text

    resource, chosen = _find_bundled(set_id, version)
    return check_text(resource.read_text(encoding="utf-8"), _label(set_id, chosen))


def load_bundled(set_id: str, version: str | None = None) -> Checklist:
    """Load a bundled set; raises SetNotFound or ChecklistError."""
    return check_bundled(set_id, version).unwrap()


def _is_path(spec: str) -> bool:
    if spec.endswith((".yaml", ".yml")) or "/" in spec or "\\" in spec:
        return True
    try:
        return Path(spec).exists()
    except (OSError, ValueError):  # a name too long for the system, or with a NUL in it
        return False


def check_set(spec: str, *, extends_from: Sequence[str | os.PathLike[str]] = ()) -> LoadResult:
    """Check what a SET argument names: ``ID``, ``ID@VERSION`` or a path.

    A file with a top-level ``extends:`` key is a partnership overlay: the result is the set it
    extends with the overlay applied (see :mod:`safeguard_standards.tailoring`). The set an
    overlay extends must be in the overlay's folder tree, or in one of ``extends_from``.
    """
    if _is_path(spec):
        from .tailoring import check_overlay_path, is_overlay_path

        if is_overlay_path(spec):
            return check_overlay_path(spec, extends_from=extends_from)
        from .loader import check_path

        return check_path(spec)
    set_id, _, version = spec.partition("@")
    return check_bundled(set_id, version or None)


def load_set(spec: str, *, extends_from: Sequence[str | os.PathLike[str]] = ()) -> Checklist:
    """Load what a SET argument names; raises SetNotFound or ChecklistError."""
    return check_set(spec, extends_from=extends_from).unwrap()
