"""Data for analysts: the long table and tables as CSV and Parquet, read back with real readers."""

from __future__ import annotations

import csv
import datetime
import io
import sys

import pytest

import safeguard_standards as sg
from safeguard_standards.diagnostics import Code, SafeguardError
from safeguard_standards.report import synthetic
from safeguard_standards.report.aggregate import thematic
from safeguard_standards.report.data import LONG_COLUMNS, long_table, to_csv, to_parquet
from safeguard_standards.report.roster import Organisation, Roster
from safeguard_standards.report.table import Row, cell, make_table
from safeguard_standards.returns.model import Answer, Return


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def returns() -> tuple[Return, ...]:
    c = sg.load_bundled("vcs_checklist", "2025-26")
    orgs = synthetic.make_roster("vcs_checklist", 12, seed=5)
    got, _ = synthetic.make_returns(c, orgs, seed=5, missing=0)
    return got


def test_the_long_table_has_every_answer_given(returns: tuple[Return, ...]) -> None:
    c = sg.load_bundled("vcs_checklist", "2025-26")
    data = long_table([c], returns)
    rows = _read_csv(to_csv(data))
    assert tuple(rows[0]) == LONG_COLUMNS
    expected = []
    for ret in returns:
        doc = ret.to_dict()
        for qid, value in doc["answers"].items():
            if qid in doc["not_asked"]:
                continue
            q = c.question(qid)
            assert q is not None
            level = score = ""
            if q.type == "rating":
                scale = c.scale(q.scale)
                lv = scale.level(value) if scale else None
                assert lv is not None
                level = value
                score = "" if not lv.scored or lv.score is None else f"{lv.score:g}"
            text = ";".join(value) if isinstance(value, list) else str(value)
            expected.append(
                [
                    ret.source.rsplit(".", 1)[0],
                    "vcs_checklist",
                    "2025-26",
                    qid,
                    text,
                    level,
                    score,
                ]
            )
    assert rows[1:] == expected


def test_text_answers_with_personal_data_are_withheld() -> None:
    c = sg.load_bundled("vcs_checklist", "2025-26")
    q = next(q for q in c.questions() if q.type == "text")
    ret = Return(
        source="G.json",
        read_from="json",
        set="vcs_checklist",
        version="2025-26",
        answers=(
            Answer(question=q.full_id, type="text", value="Call Sarah on 07700 900123"),
            Answer(question="x.y.z", type="date", value=datetime.date(2026, 1, 2)),
        ),
    )
    data = long_table([c], [ret], roster=Roster((Organisation(id="G", name="Group"),)))
    assert data.withheld == 1
    assert data.rows[0][4] == "[withheld: may hold personal data]"
    assert data.rows[1][4] == "2026-01-02"


def test_tables_as_csv_keep_rows_and_notes_and_neutralise_formulas() -> None:
    table = make_table(
        "t",
        "A table",
        "Standard",
        [("share", "Share"), ("note", "Note")],
        [Row("a", "=SUM(A1)", (cell(50, "50%"), cell("@evil")))],
        ["suppressed (*): fewer than 3 organisations"],
    )
    rows = _read_csv(to_csv(table))
    assert rows == [
        ["Standard", "Share", "Note"],
        ["'=SUM(A1)", "50%", "'@evil"],
        [],
        ["Note: suppressed (*): fewer than 3 organisations"],
    ]


def test_thematic_tables_round_trip_through_csv(returns: tuple[Return, ...]) -> None:
    c = sg.load_bundled("vcs_checklist", "2025-26")
    report = thematic(c, returns)
    for table in report.tables:
        rows = _read_csv(to_csv(table))
        assert tuple(rows[0]) == table.headings
        assert [tuple(r) for r in rows[1 : 1 + len(table.rows)]] == table.text_rows()
    assert to_csv(report.tables[0]) == to_csv(thematic(c, returns).tables[0])


def test_parquet_read_back_with_pyarrow(returns: tuple[Return, ...]) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    c = sg.load_bundled("vcs_checklist", "2025-26")
    data = long_table([c], returns)
    blob = to_parquet(data)
    assert blob == to_parquet(long_table([c], returns))  # same inputs, same bytes
    back = pq.read_table(io.BytesIO(blob))
    assert back.column_names == list(LONG_COLUMNS)
    assert back.num_rows == len(data.rows)
    assert back.column("score").type.__str__() == "double"
    assert [tuple(r.values()) for r in back.to_pylist()] == list(data.rows)

    report = thematic(c, returns)
    standards = report.table("standards")
    back = pq.read_table(io.BytesIO(to_parquet(standards)))
    assert back.column_names == list(standards.headings)
    assert back.column("Share meeting").to_pylist() == [
        None if r.cells[3].value is None else float(r.cells[3].value) for r in standards.rows
    ]


def test_parquet_without_the_extra_says_which_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    table = make_table("t", "T", "R", [("a", "A")], [Row("x", "x", (cell(1),))])
    with pytest.raises(SafeguardError) as caught:
        to_parquet(table)
    assert caught.value.entry is Code.REPORT_EXTRA_MISSING
    assert "safeguard-standards[parquet]" in caught.value.hint
