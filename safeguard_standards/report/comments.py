"""A reviewer's comments on the returns, merged into each organisation's feedback.

The officer keeps the comments in a simple file, keyed by organisation (its roster id, or the
return file's name without extension) and question (a full id; none for a general comment):

YAML::

    ORG-0042:
      general: A thorough return; thank you.
      leadership.governance.named-governor: Please send the minutes that record it.

CSV (headings in any case and order; Question may be empty)::

    Organisation,Question,Comment
    ORG-0042,,A thorough return; thank you.
    ORG-0042,leadership.governance.named-governor,Please send the minutes that record it.

:func:`read_comments` parses the text (the caller reads the file) and never raises for a bad
file: problems are located diagnostics (SG620: line and column in YAML, row and column in
CSV). :meth:`Comments.check` warns (SG621) about a comment for an organisation or a question
the report does not know, so a typing mistake is not silently dropped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import attrs

from ..diagnostics import Code, Diagnostic, did_you_mean

__all__ = ["Comment", "Comments", "read_comments"]

GENERAL = "general"


@attrs.frozen
class Comment:
    organisation: str
    #: A question's full id, or "" for a general comment.
    question: str
    text: str
    #: Where it was read (``line 4`` or ``row 4``), for messages.
    where: str = ""
    line: int = 0
    column: int = 0
    #: Line and column of the organisation's key (YAML), for a comment for no one known.
    org_at: tuple[int, int] = (0, 0)


@attrs.frozen
class Comments:
    comments: tuple[Comment, ...] = ()
    source: str = ""

    def for_organisation(self, org_id: str) -> list[tuple[str, str]]:
        """(question, text) of the organisation's comments, the general ones first, then in
        the file's order."""
        mine = [c for c in self.comments if c.organisation == org_id]
        return [(c.question, c.text) for c in sorted(mine, key=lambda c: c.question != "")]

    def check(
        self, organisations: Iterable[str], questions: Iterable[str]
    ) -> tuple[Diagnostic, ...]:
        """SG621 for each comment naming an organisation or a question not known."""
        orgs = sorted(set(organisations))
        qids = sorted(set(questions))
        out = []
        for c in self.comments:
            if c.organisation not in orgs:
                out.append(
                    Diagnostic(
                        Code.REPORT_COMMENT_UNKNOWN,
                        f"a comment for {c.organisation!r}, which has no return in this report"
                        + did_you_mean(c.organisation, orgs),
                        self.source,
                        c.org_at[0] or c.line,
                        c.org_at[1] or c.column,
                        hint="use the organisation's roster id (or its return file's name "
                        "without extension)",
                        at=c.where if not c.line else "",
                    )
                )
            elif c.question and c.question not in qids:
                out.append(
                    Diagnostic(
                        Code.REPORT_COMMENT_UNKNOWN,
                        f"a comment on {c.question!r}, which is not a question of this version"
                        + did_you_mean(c.question, qids),
                        self.source,
                        c.line,
                        c.column,
                        hint="use the question's full id, e.g. leadership.governance.named-"
                        "governor, or 'general' for a comment on the whole return",
                        at=c.where if not c.line else "",
                    )
                )
        return tuple(out)


def read_comments(text: str, source: str = "comments") -> tuple[Comments, tuple[Diagnostic, ...]]:
    """The comments in ``text``: CSV when ``source`` ends in ``.csv``, else YAML."""
    text = text.lstrip("\ufeff")
    if source.lower().endswith(".csv"):
        return _read_csv(text, source)
    return _read_yaml(text, source)


def _read_csv(text: str, source: str) -> tuple[Comments, tuple[Diagnostic, ...]]:
    problems: list[Diagnostic] = []

    def problem(message: str, hint: str, at: str) -> None:
        problems.append(Diagnostic(Code.REPORT_COMMENTS, message, source, hint=hint, at=at))

    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problem(f"the comments are not a CSV file that can be read: {exc}", "save it as CSV", "")
        return Comments((), source), tuple(problems)
    if not rows:
        problem(
            "the comments file is empty",
            "add a heading row: Organisation,Question,Comment",
            "row 1",
        )
        return Comments((), source), tuple(problems)
    heads = [h.strip().lower() for h in rows[0]]
    index = {}
    for want in ("organisation", "question", "comment"):
        found = [i for i, h in enumerate(heads) if h in (want, want.replace("isation", "ization"))]
        if not found and want != "question":
            problem(
                f"the heading row has no {want.capitalize()} column" + did_you_mean(want, heads),
                "the headings are Organisation, Question and Comment",
                "row 1",
            )
        elif found:
            index[want] = found[0]
    if problems:
        return Comments((), source), tuple(problems)
    out: list[Comment] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def get(key: str, row: list[str] = row) -> str:
            i = index.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        org, qid, body = get("organisation"), get("question"), get("comment")
        if not org:
            col = index["organisation"] + 1
            problem(
                "this comment names no organisation",
                "put the organisation's roster id in the Organisation column",
                f"row {n}, column {col}",
            )
            continue
        if not body:
            continue
        out.append(Comment(org, "" if qid.lower() in ("", GENERAL) else qid, body, f"row {n}"))
    return Comments(tuple(out), source), tuple(problems)


def _read_yaml(text: str, source: str) -> tuple[Comments, tuple[Diagnostic, ...]]:
    import yaml

    problems: list[Diagnostic] = []

    def problem(message: str, hint: str, node: object | None) -> None:
        mark = getattr(node, "start_mark", None)
        line = mark.line + 1 if mark is not None else 0
        column = mark.column + 1 if mark is not None else 0
        problems.append(Diagnostic(Code.REPORT_COMMENTS, message, source, line, column, hint=hint))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(
            Diagnostic(
                Code.REPORT_COMMENTS,
                f"the comments file is not valid YAML: {getattr(exc, 'problem', exc)}",
                source,
                mark.line + 1 if mark is not None else 0,
                mark.column + 1 if mark is not None else 0,
                hint="check the indentation and quote any text that has a ': ' in it",
            )
        )
        return Comments((), source), tuple(problems)
    if root is None:
        return Comments((), source), ()
    if not isinstance(root, yaml.MappingNode):
        problem(
            "the comments file should map each organisation's id to its comments",
            "write ORG-0042: on a line, then its comments indented under it",
            root,
        )
        return Comments((), source), tuple(problems)
    out: list[Comment] = []
    for key, value in root.value:
        org = str(key.value).strip() if isinstance(key, yaml.ScalarNode) else ""
        if not org:
            problem("an organisation's id is missing or not text", "write the roster id", key)
            continue
        if isinstance(value, yaml.ScalarNode):
            if str(value.value).strip():
                m = value.start_mark
                out.append(Comment(org, "", str(value.value).strip(), "", m.line + 1, m.column + 1))
            continue
        if not isinstance(value, yaml.MappingNode):
            problem(
                f"the comments for {org!r} should be question: comment lines",
                "indent each comment under the organisation, as question: text",
                value,
            )
            continue
        for qkey, qvalue in value.value:
            qid = str(qkey.value).strip() if isinstance(qkey, yaml.ScalarNode) else ""
            if not isinstance(qvalue, yaml.ScalarNode) or not qid:
                problem(
                    f"a comment for {org!r} is not question: text",
                    "write the question's full id (or general), a colon and the comment",
                    qvalue if qid else qkey,
                )
                continue
            body = str(qvalue.value).strip()
            if body:
                m = qkey.start_mark
                out.append(
                    Comment(
                        org,
                        "" if qid.lower() == GENERAL else qid,
                        body,
                        "",
                        m.line + 1,
                        m.column + 1,
                        (key.start_mark.line + 1, key.start_mark.column + 1),
                    )
                )
    return Comments(tuple(out), source), tuple(problems)
