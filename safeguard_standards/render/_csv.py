"""CSV renderers: action plans, and forms as a flat list of questions.

Files are UTF-8 with a byte-order mark (so that Excel on Windows reads ’, – and £ correctly),
RFC 4180 quoting and ``\\r\\n`` line ends. Every text cell goes through :func:`neutralise`, the
OWASP defence against CSV (formula) injection: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading single quote, so that a spreadsheet never runs
text from a standard set (or from a partnership's overlay) as a formula. The XLSX renderer uses
the same helper.

Kinds: ``form`` and ``return-form`` (one row per question, with blank Answer, Evidence,
Action and Notes columns; then a row per organisation detail and sign-off field, and the
envelope, a row per property, so that a filled CSV is read back as a return), ``action-plan``
(one row per standard, or per question with ``per=question``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from ..fields import ORGANISATION_FIELDS
from ..model import Checklist
from . import RenderOptions, writer
from ._envelope import envelope_of
from ._view import (
    AnswerSpace,
    DocumentView,
    QuestionView,
    action_plan_headers,
    action_plan_rows,
    build_document,
    md_to_text,
    resolve_per,
)

__all__ = [
    "FORM_HEADERS",
    "action_plan_table",
    "choices_text",
    "form_table",
    "neutralise",
    "plain_text",
    "to_csv",
]

#: First characters a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: prefixed with ``'`` when it starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP "CSV injection").

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("Fully met")
    'Fully met'
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_PLAIN = re.compile(r"[^\\`*_\[\]<>&!#|~\n\r\t]*")
_BLOCK_START = re.compile(r"[-+*>#=]|\d{1,9}[.)](?:\s|$)")


def plain_text(markdown: str) -> str:
    """``markdown`` as plain text: :func:`~._view.md_to_text`, with a fast path for the usual
    case of a sentence with no Markdown in it (no markup characters, no list or heading
    start), which is returned as it is. The result is always what ``md_to_text`` returns."""
    if (
        markdown == markdown.strip()
        and _PLAIN.fullmatch(markdown)
        and not _BLOCK_START.match(markdown)
    ):
        return markdown
    return md_to_text(markdown)


#: Column ids and headings of a form as CSV (and of the XLSX answers sheet's first columns).
FORM_HEADERS: tuple[tuple[str, str], ...] = (
    ("ref", "Ref"),
    ("id", "Id"),
    ("section", "Section"),
    ("standard", "Standard"),
    ("question", "Question"),
    ("type", "Answer type"),
    ("choices", "Choices"),
    ("answer_if", "Answer if"),
    ("evidence_prompts", "Evidence to look for"),
    ("answer", "Answer"),
    ("evidence", "Evidence"),
    ("action", "Action"),
    ("notes", "Notes"),
)

#: The Section cell of the rows after the questions: the organisation details, the sign-off
#: and the form's envelope (one row per property, its value in the Answer column).
DETAILS_SECTION = "Organisation details"
SIGN_OFF_SECTION = "Sign-off"
ENVELOPE_SECTION = "About this form (do not change)"


def choices_text(answer: AnswerSpace) -> str:
    """The labels a question can be answered with, separated by " | " ("" for none)."""
    return " | ".join(c.label for c in answer.choices)


def evidence_text(question: QuestionView) -> str:
    """A question's evidence prompts as plain text, separated by "; "."""
    return "; ".join(plain_text(e) for e in question.evidence)


def form_table(checklist: Checklist, kind: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Headings and rows of a form (``form`` or ``return-form``) as a flat question list."""
    return form_rows(build_document(checklist, kind))


def form_rows(
    doc: DocumentView, options: RenderOptions | None = None
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Headings and rows of a form view: one row per question, then one per organisation
    detail and sign-off field (answered in the Answer column), then the envelope, one row per
    property (``sg_set`` … in the Id column, the value in the Answer column), so a filled CSV
    says which set, version and audience it answers."""
    rows: list[tuple[str, ...]] = []
    for section in doc.sections:
        for standard in section.standards:
            for q in standard.questions:
                rows.append(
                    (
                        q.number,
                        q.full_id,
                        section.title,
                        standard.title,
                        plain_text(q.text),
                        q.answer_type,
                        choices_text(q.answer),
                        q.condition,
                        evidence_text(q),
                        "",
                        "",
                        "",
                        "",
                    )
                )
    blank = ("",) * 3
    for heading, group in (
        (DETAILS_SECTION, ORGANISATION_FIELDS),
        (SIGN_OFF_SECTION, doc.sign_off_fields),
    ):
        for f in group:
            kind = "Date" if f.type == "date" else "Text"
            rows.append(("", f.name, heading, "", f.label, kind, "", "", "", *blank, ""))
    envelope = envelope_of(doc.checklist, doc.kind, options, doc)
    for name, value in envelope.to_properties().items():
        rows.append(("", name, ENVELOPE_SECTION, "", "", "", "", "", "", value, "", "", ""))
    return tuple(label for _, label in FORM_HEADERS), rows


def action_plan_table(
    checklist: Checklist, options: RenderOptions | None = None
) -> tuple[tuple[tuple[str, str], ...], list[tuple[str, ...]]]:
    """Column (id, heading) pairs and rows of an action-plan skeleton.

    Columns: Ref, Id, Section, Standard (and Question with ``per=question``), then the set's
    ``action_plan.columns``, left blank. One row per standard, or per question. With
    ``options.answers`` (a completed return), the rows of its gaps, with the finding, the
    action and the RAG rating filled in (see :func:`._view.action_plan_rows`).
    """
    per = resolve_per(checklist, options)
    answers = options.answers if options is not None else None
    plan_columns = action_plan_headers(checklist, per, answers)[2:]
    head: list[tuple[str, str]] = [
        ("ref", "Ref"),
        ("id", "Id"),
        ("section", "Section"),
        ("standard", "Standard"),
    ]
    if per == "question":
        head.append(("question", "Question"))
    head.extend(plan_columns)
    rows: list[tuple[str, ...]] = []
    for row in action_plan_rows(checklist, per, answers):
        first: tuple[str, ...] = (row.ref, row.id, row.section, row.standard)
        if per == "question":
            first = (*first, row.title)
        rows.append(first + tuple(row.value(cid) for cid, _ in plan_columns))
    return tuple(head), rows


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file (UTF-8 with BOM, ``\\r\\n``) of ``header`` and ``rows``, every cell
    neutralised."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


@writer(DocumentView, "csv", kinds=("form", "return-form", "action-plan"))
def _write(doc: DocumentView, options: RenderOptions) -> bytes:
    """A form as CSV, one row per question; an action-plan skeleton, one row per standard
    (or per question)."""
    if doc.kind == "action-plan":
        head, rows = action_plan_table(doc.checklist, options)
        return to_csv([label for _, label in head], rows)
    return to_csv(*form_rows(doc, options))
