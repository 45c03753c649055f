"""XLSForm: a form (or return form) for ODK Collect, ODK Central, KoboToolbox and Enketo.

An ``.xlsx`` workbook with the three sheets of the XLSForm specification
(https://xlsform.org): **survey**, **choices** and **settings**.

* Hidden ``calculate`` rows ``sg_set``, ``sg_set_version``, ``sg_kind``, ``sg_audience`` …
  carry the envelope into every submission.
* A group ``details_org`` of organisation details, then one group per section
  (``grp_<section>``) holding one group per standard (``grp_<section>__<standard>``), then a
  group ``details_signoff`` with the sign-off statement and fields.
* Each question is one row named by :func:`safeguard_standards.fields.safe_name` of its full
  id (``SG_leadership__governance__named___governor``; :func:`~safeguard_standards.fields.
  field_name_of` maps it back): rating ``select_one`` of its scale's levels (list
  ``scale_<scale>``), yes-no ``select_one yes_no``, choice and multi-choice ``select_one`` /
  ``select_multiple`` of its options (list ``opts_<full id>``), number and percentage
  ``decimal`` with a ``constraint`` on its bounds, date ``date`` (the DSL gives a date no
  bounds, so it has no constraint), text ``text``. Its label is
  ``number text``; its hint the guidance's *why*; ``guidance_hint`` what good looks like;
  ``required`` from the set; ``relevant`` from ``ask_if``.
* After it, the evidence box (``text``, named ``safe_name("<id>.evidence")``) with the
  evidence prompts as its hint, and for a rating whose scale has levels that need an action,
  the action box (``safe_name("<id>.action")``), relevant when the question is and one of
  those levels is chosen.

A condition whose questions are not all in the form (a return form that leaves one out) is
printed in the hint instead, as on paper, and the question is always shown.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from .. import fields
from ..model import Condition
from . import RenderOptions, writer
from ._collect import about, action_levels, envelope_properties, form_id, form_version, plain
from ._view import ORGANISATION_FIELDS, DocumentView, QuestionView, sign_off_fields

__all__ = ["SURVEY_COLUMNS", "group_name", "relevant"]

#: The survey sheet's columns, in order.
SURVEY_COLUMNS: tuple[str, ...] = (
    "type",
    "name",
    "label",
    "hint",
    "guidance_hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "appearance",
)
_CHOICE_COLUMNS = ("list_name", "name", "label")
_SETTINGS_COLUMNS = ("form_title", "form_id", "version", "instance_name")

Row = dict[str, str]


def _ref(name: str) -> str:
    return "${" + fields.safe_name(name) + "}"


def group_name(item_id: str) -> str:
    """The name of a section's or standard's group: ``grp_`` + its safe id
    (``grp_leadership__governance``); never a field's name, which starts ``SG_``."""
    return "grp_" + fields.safe_name(item_id)[len(fields.XLSX_PREFIX) :]


def relevant(cond: Condition, multiple: frozenset[str], nested: bool = False) -> str:
    """``ask_if`` as an XLSForm ``relevant`` expression. ``multiple`` is the full ids of the
    multi-choice questions (tested with ``selected()``).

    ``equals``/``in``: ``${q} = 'a'`` (or'ed); ``not_equals``: answered and none of the
    values, ``${q} != '' and ${q} != 'a'``; ``all``/``any``: ``and``/``or``, nested in
    brackets."""
    if cond.op in ("all", "any"):
        joiner = " and " if cond.op == "all" else " or "
        text = joiner.join(relevant(c, multiple, nested=True) for c in cond.conditions)
        return f"({text})" if nested and len(cond.conditions) > 1 else text
    ref = _ref(cond.question)
    multi = cond.question in multiple

    def test(value: str) -> str:
        return f"selected({ref}, '{value}')" if multi else f"{ref} = '{value}'"

    if cond.op == "not_equals":
        parts = [f"{ref} != ''", *(f"not({test(v)})" for v in cond.values)]
        text = " and ".join(parts)
    else:
        text = " or ".join(test(v) for v in cond.values)
        if len(cond.values) <= 1:
            return text
    return f"({text})" if nested else text


def _label(text: str) -> str:
    # ${…} in a label is a reference to a field: keep a literal one from being read as such
    return text.replace("${", "$ {")


def _choice_list(q: QuestionView, default_scale: str) -> str:
    t = q.question.type
    if t == "yes-no":
        return "yes_no"
    if t == "rating":
        scale = q.question.scale or default_scale
        return "scale_" + fields.safe_name(scale)[len(fields.XLSX_PREFIX) :]
    return "opts_" + fields.safe_name(q.full_id)[len(fields.XLSX_PREFIX) :]


def _number_constraint(q: QuestionView) -> tuple[str, str]:
    lo, hi = q.answer.min, q.answer.max
    parts = []
    if lo is not None:
        parts.append(f". >= {_num(lo)}")
    if hi is not None:
        parts.append(f". <= {_num(hi)}")
    return " and ".join(parts), (q.answer.description if parts else "")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _question_rows(q: QuestionView, multiple: frozenset[str], default_scale: str) -> Iterator[Row]:
    t = q.question.type
    hint_parts = []
    cond = ""
    if q.question.ask_if is not None:
        if q.condition_live:
            cond = relevant(q.question.ask_if, multiple)
        else:
            hint_parts.append(q.condition)
    why = plain(q.guidance.why)
    if why:
        hint_parts.append(why)
    row: Row = {
        "name": fields.safe_name(q.full_id),
        "label": _label(f"{q.number} {plain(q.text)}"),
        "hint": _label("\n".join(hint_parts)),
        "required": "yes" if q.question.required else "",
        "relevant": cond,
    }
    good = plain(q.guidance.good)
    if good:
        row["guidance_hint"] = _label(f"What good looks like: {good}")
    if t in ("rating", "yes-no", "choice"):
        row["type"] = f"select_one {_choice_list(q, default_scale)}"
    elif t == "multi-choice":
        row["type"] = f"select_multiple {_choice_list(q, default_scale)}"
    elif t in ("number", "percentage"):
        row["type"] = "decimal"
        row["constraint"], row["constraint_message"] = _number_constraint(q)
    elif t == "date":
        row["type"] = "date"
    else:
        row["type"] = "text"
        row["appearance"] = "multiline"
    yield row
    prompts = "\n".join(f"• {plain(p)}" for p in q.evidence)
    yield {
        "type": "text",
        "name": fields.safe_name(q.evidence_field),
        "label": f"Evidence for {q.number}",
        "hint": _label(prompts),
        "relevant": cond,
        "appearance": "multiline",
    }
    levels = action_levels(q)
    if levels:
        ref = _ref(q.full_id)
        chosen = " or ".join(f"{ref} = '{v}'" for v in levels)
        when = f"({cond}) and ({chosen})" if cond else chosen
        yield {
            "type": "text",
            "name": fields.safe_name(fields.action(q.full_id).name),
            "label": f"Action you will take for {q.number}",
            "hint": "Needed because of the level you chose.",
            "required": "yes",
            "relevant": when,
            "appearance": "multiline",
        }


def _detail_rows(group: str, label: str, items: Sequence[fields.Field], note: str) -> list[Row]:
    rows: list[Row] = [{"type": "begin_group", "name": group, "label": label}]
    if note:
        rows.append({"type": "note", "name": f"{group}_note", "label": _label(note)})
    for f in items:
        row: Row = {
            "type": "date" if f.type == "date" else "text",
            "name": fields.safe_name(f.name),
            "label": _label(f.label),
        }
        if f.name == "org.address":
            row["appearance"] = "multiline"
        rows.append(row)
    rows.append({"type": "end_group", "name": group})
    return rows


def survey_rows(doc: DocumentView, options: RenderOptions) -> list[Row]:
    """The survey sheet's rows (column → value, empty columns left out)."""
    rows: list[Row] = [
        {"type": "calculate", "name": key, "calculation": f"'{value}'"}
        for key, value in envelope_properties(doc, options).items()
    ]
    rows += _detail_rows("details_org", "Organisation details", ORGANISATION_FIELDS, about(doc))
    multiple = frozenset(q.full_id for q in doc.questions() if q.answer.multiple)
    for section in doc.sections:
        rows.append(
            {
                "type": "begin_group",
                "name": group_name(section.id),
                "label": _label(f"{section.number} {section.title}"),
            }
        )
        for standard in section.standards:
            rows.append(
                {
                    "type": "begin_group",
                    "name": group_name(standard.full_id),
                    "label": _label(f"{standard.number} {standard.title}"),
                    "hint": _label(plain(standard.standard.expectation)),
                }
            )
            for q in standard.questions:
                rows.extend(_question_rows(q, multiple, doc.checklist.default_scale))
            rows.append({"type": "end_group", "name": group_name(standard.full_id)})
        rows.append({"type": "end_group", "name": group_name(section.id)})
    rows += _detail_rows(
        "details_signoff", "Sign-off", sign_off_fields(doc.checklist), doc.sign_off_statement
    )
    return rows


def choice_rows(doc: DocumentView) -> list[Row]:
    """The choices sheet's rows: each list once, in the order the form first uses it."""
    rows: list[Row] = []
    seen: set[str] = set()
    for q in doc.questions():
        if not q.answer.choices:
            continue
        name = _choice_list(q, doc.checklist.default_scale)
        if name in seen:
            continue
        seen.add(name)
        rows += [
            {"list_name": name, "name": c.id, "label": _label(c.label)} for c in q.answer.choices
        ]
    return rows


def settings_row(doc: DocumentView, options: RenderOptions) -> Row:
    """The settings sheet's one row: title, id, version number (see
    :func:`._collect.form_version`) and the instance name a submission is listed by."""
    return {
        "form_title": _label(doc.document_title),
        "form_id": form_id(doc, options),
        "version": str(form_version(doc.version)),
        "instance_name": "concat(" + _ref("org.name") + ", ' ', " + _ref("org.date") + ")",
    }


def _sheet(wb: object, title: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    ws = wb.create_sheet(title)  # type: ignore[attr-defined]
    ws.append(list(columns))
    for row in rows:
        ws.append([row.get(c) or None for c in columns])


@writer(DocumentView, "xlsform", kinds=("form", "return-form"))
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", SURVEY_COLUMNS, survey_rows(doc, options))
    _sheet(wb, "choices", _CHOICE_COLUMNS, choice_rows(doc))
    _sheet(wb, "settings", _SETTINGS_COLUMNS, [settings_row(doc, options)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
