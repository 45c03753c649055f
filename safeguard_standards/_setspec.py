"""What a SET argument names, decided once: :class:`SetSpec`.

The rule (the same for the command line, the library and an overlay's ``extends:``):

* text that contains a path separator (``/`` or ``\\``) or ends in ``.yaml`` or ``.yml`` is
  the **path** of a file (a standard set or a partnership overlay);
* any other text is ``ID`` (the latest published version) or ``ID@VERSION`` of a known set,
  even when a file or folder of that name exists in the current folder (write ``./kcsie`` to
  mean the file).

This module is a leaf: it imports nothing else from the package but ``diagnostics`` (a leaf
too), so every module that reads SET text (the registry, overlays, the command line) can use
it without an import cycle.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

import attrs

from .diagnostics import Code, SafeguardError

if TYPE_CHECKING:
    from .loader import LoadResult

__all__ = ["SetLookup", "SetNotFound", "SetSpec", "SetSpecError", "is_path_spec"]

#: The forms of an id and a version (as the standard-set schema has them).
_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FORMS = "ID (e.g. kcsie), ID@VERSION (kcsie@2025-26) or the path of a .yaml file"


class SetNotFound(SafeguardError, LookupError):
    """A SET argument names no known set, version or file (SG407, a bad command line)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(Code.SET_UNKNOWN, message, hint)


class SetSpecError(SetNotFound):
    """SET text that is not ``ID``, ``ID@VERSION`` or a path; ``column`` is where (from 1)."""

    def __init__(self, message: str, hint: str = "", column: int = 1) -> None:
        super().__init__(message, hint)
        self.column = column


def is_path_spec(text: str) -> bool:
    """Whether SET text names a file (see the module's rule)."""
    return text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text


@attrs.frozen
class SetSpec:
    """A parsed SET: ``id`` and ``version`` (None: the latest published), or ``path``."""

    id: str | None = None
    version: str | None = None
    path: str | None = None

    @property
    def is_path(self) -> bool:
        return self.path is not None

    def __str__(self) -> str:
        if self.path is not None:
            return self.path
        return f"{self.id}@{self.version}" if self.version else str(self.id)

    @classmethod
    def of(cls, set_id: str, version: str | None = None) -> SetSpec:
        """The spec of a known set's version (no parsing)."""
        return cls(id=set_id, version=version or None)

    @classmethod
    def parse(cls, text: str) -> SetSpec:
        """Parse SET text; raises :class:`SetSpecError` (with a column) when it is malformed."""
        if not isinstance(text, str):
            raise TypeError(f"a SET is text, not {type(text).__name__}")
        if not text.strip():
            raise SetSpecError("no set is named (the SET is empty)", f"give {_FORMS}")
        for i, ch in enumerate(text):
            if not ch.isprintable():
                raise SetSpecError(
                    f"{text!r} contains a control character at column {i + 1}",
                    "retype the argument: it may have been pasted with a hidden character",
                    i + 1,
                )
        if is_path_spec(text):
            return cls(path=text)
        if text != text.strip():
            at = 1 if text[0] == " " else len(text.rstrip()) + 1
            raise SetSpecError(
                f"{text!r} starts or ends with a space", f"remove the space (column {at})", at
            )
        set_id, at_sign, version = text.partition("@")
        if not set_id:
            raise SetSpecError(
                f"{text!r} names no set before '@'", f"write ID@VERSION, e.g. kcsie{text}", 1
            )
        if at_sign and not version:
            raise SetSpecError(
                f"{text!r} names no version after '@'",
                f"write {set_id}@VERSION, or {set_id} alone for the latest published version",
                len(text),
            )
        if "@" in version:
            at = len(set_id) + 2 + version.index("@")
            raise SetSpecError(
                f"{text!r} has more than one '@'", "write ID@VERSION, e.g. kcsie@2025-26", at
            )
        if " " in text:
            raise SetSpecError(
                f"{text!r} contains a space (column {text.index(' ') + 1})",
                f"an id and a version have no spaces; to name a file, give its path: ./{text}",
                text.index(" ") + 1,
            )
        if not _ID.match(set_id):
            # an id the sets could not have; the registry says "did you mean" for a near miss
            # of the right form, so only text no id can match is refused here
            if set_id.lower() != set_id and _ID.match(set_id.lower()):
                return cls(id=set_id, version=version or None)
            raise SetSpecError(
                f"{set_id!r} is not a set id (ids are lower-case letters, digits, '-' and '_')",
                f"give {_FORMS}; to name a file, give its path: ./{text}",
                1,
            )
        if version and not _VERSION.match(version):
            raise SetSpecError(
                f"{version!r} is not a version (letters, digits, '.', '-' and '_')",
                "write the version as the set's file names it, e.g. kcsie@2025-26",
                len(set_id) + 2,
            )
        return cls(id=set_id, version=version or None)


class SetLookup(Protocol):
    """What the overlay resolver asks for the set an ``extends: ID@VERSION`` names
    (:class:`~safeguard_standards.sets.Registry` is the one implementation)."""

    def base_for(self, spec: SetSpec) -> LoadResult:
        """The checked set; raises :class:`SetNotFound` when it is not known."""
        ...
