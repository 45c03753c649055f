"""The roster: the organisations a partnership expects a return from, and which return is whose.

A roster is a CSV file with one row per organisation and the columns **Id**, **Name**, **Type**
and **Set** (headings in any case and order; other columns are kept as extra attributes, for
example a ``cycle`` column). ``Type`` is the organisation's audience value (``academy``,
``police``), which response rates are broken down by; ``Set`` is the id of the standard set it
answers (``kcsie``), so one roster can cover several sets.

Which return is whose (:meth:`Roster.match`): a return belongs to the organisation whose id is
the return file's name without its extension (``ORG-0042.json``), or else whose name equals the
return's ``org.name`` (compared without case, spaces or punctuation). A return matching no one
is kept, under its file name, as *not on the roster*.

:func:`read_roster` parses the CSV text (the caller reads the file) and never raises for a bad
file: problems are located diagnostics (SG600) naming the row and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

import attrs

from ..diagnostics import Code, Diagnostic
from ..returns.model import Return

__all__ = ["Organisation", "Roster", "name_key", "read_roster", "return_key"]

_COLUMNS = ("id", "name", "type", "set")


@attrs.frozen(kw_only=True)
class Organisation:
    """One organisation of the roster."""

    id: str
    name: str
    type: str = ""
    set: str = ""
    #: Any further columns, as (heading in lower case, value), in the file's order.
    extra: tuple[tuple[str, str], ...] = ()

    def attribute(self, key: str) -> str:
        """``type``, ``set``, or an extra column's value ("" when absent)."""
        if key in ("id", "name", "type", "set"):
            return str(getattr(self, key))
        return dict(self.extra).get(key, "")


def name_key(name: str) -> str:
    """A name as compared when matching: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", name.casefold())


def return_key(ret: Return) -> str:
    """The key a return is known by before matching: its file name without folders or
    extension (as :attr:`pathlib.PurePath.stem`, for ``/`` and ``\\`` alike)."""
    name = ret.source.rpartition("/")[2].rpartition("\\")[2]
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and suffix and stem.strip(".") else name


@attrs.frozen
class Roster:
    """The organisations expected to return, in the roster's order."""

    organisations: tuple[Organisation, ...] = ()
    #: The file it was read from (not part of equality).
    source: str = attrs.field(default="", eq=False)
    _index: dict[str, dict[str, Organisation]] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )

    def _by(self, what: str) -> dict[str, Organisation]:
        """An index by id or by name key, built on first use (a cache, not state)."""
        found = self._index.get(what)
        if found is None:
            if what == "id":
                found = {o.id: o for o in self.organisations}
            else:
                found = {name_key(o.name): o for o in reversed(self.organisations)}
            self._index[what] = found
        return found

    def __len__(self) -> int:
        return len(self.organisations)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.organisations)

    def get(self, org_id: str) -> Organisation | None:
        return self._by("id").get(org_id)

    def for_set(self, set_id: str) -> Roster:
        """The organisations that answer ``set_id`` (those with no Set too)."""
        return Roster(tuple(o for o in self.organisations if o.set in ("", set_id)), self.source)

    def match(self, ret: Return) -> Organisation | None:
        """The organisation a return is from (see the module's docstring), or None."""
        found = self._by("id").get(return_key(ret))
        if found is not None:
            return found
        name = ret.organisation
        return self._by("name").get(name_key(name)) if name else None


def read_roster(text: str, source: str = "roster.csv") -> tuple[Roster, tuple[Diagnostic, ...]]:
    """The roster in CSV ``text`` (a byte-order mark is ignored), and its problems."""
    problems: list[Diagnostic] = []

    def problem(message: str, hint: str, row: int = 0, column: str = "") -> None:
        at = ":".join(
            p for p in (f"row {row}" if row else "", f"column {column}" if column else "") if p
        )
        problems.append(Diagnostic(Code.REPORT_ROSTER, message, source, hint=hint, at=at))

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        problem(f"the roster is not a CSV file that can be read: {exc}", "save it again as CSV")
        return Roster((), source), tuple(problems)
    if not rows:
        problem("the roster is empty", "give a CSV file with the columns Id, Name, Type and Set")
        return Roster((), source), tuple(problems)
    headings = [h.strip() for h in rows[0]]
    lower = [h.casefold() for h in headings]
    missing = [c for c in ("id", "name") if c not in lower]
    if missing:
        problem(
            "the roster has no " + " or ".join(c.title() for c in missing) + " column"
            f" (its headings are {', '.join(repr(h) for h in headings)})",
            "the first row must name the columns Id, Name, Type and Set",
            row=1,
        )
        return Roster((), source), tuple(problems)
    index = {h: lower.index(h) for h in _COLUMNS if h in lower}
    extra_columns = [(i, h) for i, h in enumerate(lower) if h not in _COLUMNS and h]
    out: list[Organisation] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def value(key: str, row: Sequence[str] = row) -> str:
            i = index.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        org_id = value("id")
        if not org_id:
            problem(
                "this row has no organisation id",
                "give every organisation an id",
                number,
                headings[index["id"]],
            )
            continue
        if org_id in seen:
            problem(
                f"organisation id {org_id!r} is also on row {seen[org_id]}",
                "give each organisation one row and its own id",
                number,
                headings[index["id"]],
            )
            continue
        seen[org_id] = number
        extra = tuple((h, row[i].strip() if i < len(row) else "") for i, h in extra_columns)
        out.append(
            Organisation(
                id=org_id, name=value("name"), type=value("type"), set=value("set"), extra=extra
            )
        )
    return Roster(tuple(out), source), tuple(problems)


def roster_csv(organisations: Iterable[Organisation]) -> str:
    """A roster as CSV text (``\\r\\n`` line ends), the columns Id, Name, Type, Set."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Id", "Name", "Type", "Set"])
    for o in organisations:
        w.writerow([o.id, o.name, o.type, o.set])
    return buf.getvalue()
