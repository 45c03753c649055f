"""The standard sets shipped with the package, and how a folder of sets is listed.

Loading a set by id, version or path is the registry's work
(:mod:`safeguard_standards.sets`); this module only finds what is there, so it imports nothing
else from the package but the leaf :mod:`~safeguard_standards._setspec`.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ._setspec import SetNotFound

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["BundledSet", "SetNotFound", "bundled_root", "bundled_sets", "list_sets"]


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


def bundled_sets() -> list[BundledSet]:
    """Every bundled set with its versions, by id."""
    return list_sets(bundled_root())


def list_sets(root: Traversable) -> list[BundledSet]:
    """Every set in a ``standards/`` tree (``ID/VERSION.yaml``) with its versions, by id."""
    out: list[BundledSet] = []
    if not root.is_dir():
        return out
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
