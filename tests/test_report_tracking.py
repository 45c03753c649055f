"""Year-2 monitoring: action plans read back, each action's status, located problems."""

from __future__ import annotations

import datetime

import safeguard_standards as sg
from safeguard_standards.diagnostics import Code
from safeguard_standards.render import RenderOptions, render
from safeguard_standards.report.tracking import (
    Action,
    actions_from_returns,
    read_action_plan,
    track,
)
from safeguard_standards.returns.model import Answer, Return

AS_OF = datetime.date(2026, 12, 1)


def _filled_plan(rows: dict[str, tuple[str, str, str, str]]) -> str:
    """The action plan ``render --as action-plan --format csv`` writes, with some rows filled
    in as an organisation would (action, target date, RAG, progress, by standard id)."""
    import csv
    import io

    c = sg.load_bundled("section11", "2025-27")
    blank = render(c, "action-plan", "csv", RenderOptions()).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(blank, newline="")))
    head = table[0]
    out = [head]
    for row in table[1:]:
        filled = dict(zip(head, row, strict=True))
        if filled["Id"] in rows:
            action, date, rag, progress = rows[filled["Id"]]
            filled.update({"Action": action, "Target date": date, "RAG": rag, "Progress": progress})
        out.append([filled[h] for h in head])
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(out)
    return buf.getvalue()


def test_the_rendered_action_plan_is_read_back() -> None:
    text = _filled_plan(
        {
            "leadership.senior-lead": ("Board report each term", "2026-03-31", "blue", "Complete"),
            "workforce.training": ("Refresher training", "31/01/2027", "amber", "Half done"),
        }
    )
    actions, problems = read_action_plan("\ufeff" + text, "agy1.csv", organisation="AGY-0001")
    assert problems == ()
    assert [(a.organisation, a.id, a.target_date) for a in actions] == [
        ("AGY-0001", "leadership.senior-lead", datetime.date(2026, 3, 31)),
        ("AGY-0001", "workforce.training", datetime.date(2027, 1, 31)),
    ]
    assert actions[0].where.startswith("agy1.csv:row ")


def test_problems_name_the_row_and_column() -> None:
    text = (
        "Ref,Id,Standard,Action,Target date,RAG,Progress\r\n"
        "1.1,a.b,Std,Do it,31/02/2026,,\r\n"
        "1.2,,Std,Orphan action,,,\r\n"
        "1.3,a.c,Std,,,,\r\n"
    )
    actions, problems = read_action_plan(text, "plan.csv", organisation="X")
    assert actions == ()
    assert [(p.code, p.source, p.at) for p in problems] == [
        (Code.REPORT_ACTION_PLAN, "plan.csv", "row 2:column Target date"),
        (Code.REPORT_ACTION_PLAN, "plan.csv", "row 3:column Id"),
    ]
    _, problems = read_action_plan("Ref,Action\r\n1,x\r\n", "p.csv", organisation="X")
    assert [(p.code, p.at) for p in problems] == [(Code.REPORT_ACTION_PLAN, "row 1")]
    _, problems = read_action_plan("Id,Action\r\na.b,x\r\n", "p.csv")
    assert [(p.code, p.at) for p in problems] == [(Code.REPORT_ACTION_PLAN, "row 2")]


def test_every_status() -> None:
    last = [
        Action(organisation="A", id="q.done", action="Write the policy"),
        Action(organisation="A", id="q.late", action="Train the board"),
        Action(organisation="A", id="q.ontrack", action="Audit files"),
        Action(organisation="A", id="q.gone", action="Buy a cabinet"),
        Action(organisation="A", id="q.old-name", action="Renamed since"),
        Action(organisation="B", id="q.undated", action="Review supervision"),
        Action(organisation="B", id="q.withdrawn", action="Pilot an app"),
    ]
    now = [
        Action(organisation="A", id="q.done", progress="Completed in June", rag="green"),
        Action(
            organisation="A",
            id="q.late",
            target_date=datetime.date(2026, 9, 30),
            progress="Not complete",
        ),
        Action(organisation="A", id="q.ontrack", target_date=AS_OF, progress="started"),
        Action(
            organisation="A", id="q.new-name", target_date=datetime.date(2027, 1, 1), rag="amber"
        ),
        Action(organisation="B", id="q.undated", progress="in hand"),
        Action(organisation="B", id="q.withdrawn", progress="Dropped: no longer needed"),
        Action(organisation="B", id="q.fresh", action="A new one", target_date=AS_OF),
        Action(organisation="B", id="q.fresh-done", action="Done already", rag="Blue"),
    ]
    result = track(last, now, AS_OF, renamed={"q.old-name": "q.new-name"})
    status = {(i.organisation, i.id): i.status for i in result.items}
    assert status == {
        ("A", "q.done"): "done",
        ("A", "q.late"): "overdue",
        ("A", "q.ontrack"): "on-track",
        ("A", "q.gone"): "dropped",
        ("A", "q.new-name"): "on-track",
        ("B", "q.undated"): "no-date",
        ("B", "q.withdrawn"): "dropped",
        ("B", "q.fresh"): "new",
        ("B", "q.fresh-done"): "done",
    }
    renamed = next(i for i in result.items if i.id == "q.new-name")
    assert renamed.formerly == "q.old-name"
    assert renamed.action == "Renamed since"  # last year's text, no new one given
    assert result.counts("A") == {
        "done": 1,
        "on-track": 2,
        "overdue": 1,
        "no-date": 0,
        "dropped": 1,
        "new": 0,
    }
    summary = result.tables[0]
    assert [c.text for c in summary.row("all").cells] == ["2", "2", "1", "1", "2", "1", "9", "22%"]
    assert [r.id for r in summary.rows] == ["A", "B", "all"]


def test_actions_from_last_years_returns_and_personal_data_withheld() -> None:
    ret = Return(
        source="in/AGY-0007.json",
        read_from="json",
        set="s",
        version="1",
        answers=(
            Answer(question="a.b.c", type="rating", value="not-met", action="Write a procedure"),
            Answer(
                question="a.b.d",
                type="rating",
                value="partly",
                action="Follow up the child with NHS number 943 476 5870",
            ),
            Answer(question="a.b.e", type="rating", value="met"),
        ),
    )
    last = actions_from_returns([ret])
    assert [(a.organisation, a.id) for a in last] == [("AGY-0007", "a.b.c"), ("AGY-0007", "a.b.d")]
    result = track(last, [], AS_OF)
    assert [i.status for i in result.items] == ["dropped", "dropped"]
    detail = result.tables[1]
    texts = [c.text for r in detail.rows for c in r.cells]
    assert "Write a procedure" in texts
    assert not any("943" in t for t in texts)
    assert result.withheld == 1
    assert any(n.startswith("withheld: 1 action text") for n in detail.notes)


def test_organisations_are_named_only_when_asked() -> None:
    last = [Action(organisation="AGY-1", id="q", action="x")]
    names = {"AGY-1": "Northgate Police"}
    plain = track(last, [], AS_OF, organisations=names)
    assert plain.tables[0].row("AGY-1").label == "AGY-1"
    named = track(last, [], AS_OF, organisations=names, name_organisations=True)
    assert named.tables[0].row("AGY-1").label == "Northgate Police (AGY-1)"
