"""Diagnostics: what is wrong with a file, where, and how to fix it.

Diagnostics are data. The loader and the semantic rules *return* them; the public API raises
one :class:`ChecklistError` that carries them all; the CLI formats them at the edge.

Every code lives in the :class:`Code` catalogue below. Codes are stable: tests and other tools
match on them, never on the wording. ``docs/errors.md`` is generated from this catalogue.
"""

from __future__ import annotations

import difflib
import enum
import functools
from collections.abc import Iterable

import attrs

__all__ = [
    "ChecklistError",
    "Code",
    "Detail",
    "Diagnostic",
    "SafeguardError",
    "Severity",
    "best_match",
    "closest",
    "did_you_mean",
    "format_diagnostic",
    "sort_diagnostics",
]


class Severity(str, enum.Enum):
    """How bad a diagnostic is. Errors make a file invalid; warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Detail:
    """A code's usual message and hint, as ``str.format`` templates.

    ``Code.UNKNOWN_FIELD.message(key="guidence", in_item="", did_you_mean=" (did you mean
    'guidance'?)")`` fills the message; the fields are the names in braces (``{key!r}`` writes
    the value quoted). ``docs/errors.md`` shows the message template.
    """

    message: str
    hint: str = ""


class Code(enum.Enum):
    """The catalogue of diagnostic codes.

    SG1xx: the file and its structure. SG2xx: ids, references and meaning.
    SG3xx: tailoring (overlays). SG4xx: rendering. SG5xx: completed returns (SG50x reading a
    file, SG51x PDF, SG52x Word and Excel, SG53x-SG55x checking, SG56x personal data,
    SG57x rendering a return).

    Each member's value is ``(code, severity, title, example)`` or ``(code, severity, title,
    example, Detail(message, hint))``; the example is a short YAML fragment that triggers it,
    used in ``docs/errors.md``; the :class:`Detail` holds the templates of its usual message
    and hint, filled with :meth:`message` and :meth:`hint`.
    """

    # -- SG1xx: reading the file and its structure ---------------------------------------
    YAML_SYNTAX = ("SG100", Severity.ERROR, "YAML syntax error", "title: [unclosed")
    TAB_INDENT = ("SG101", Severity.ERROR, "tab used for indentation", "sections:\n\t- id: a")
    DUPLICATE_KEY = (
        "SG102",
        Severity.ERROR,
        "the same key twice in one mapping",
        "title: A\ntitle: B",
    )
    ALIAS = ("SG103", Severity.ERROR, "anchors and aliases are not allowed", "a: &x 1\nb: *x")
    MERGE_KEY = ("SG104", Severity.ERROR, "merge keys are not allowed", "<<: {title: A}")
    TAG = ("SG105", Severity.ERROR, "tags are not allowed", "title: !!python/object:os.system x")
    IMPLICIT_TYPE = (
        "SG106",
        Severity.ERROR,
        "YAML read a value as a boolean, number or date where text is expected",
        'version: 1.10   # read as the number 1.1: write "1.10"',
    )
    NOT_A_MAPPING = (
        "SG107",
        Severity.ERROR,
        "the file is empty or not a mapping of fields",
        "- just a list",
    )
    MULTIPLE_DOCUMENTS = (
        "SG108",
        Severity.ERROR,
        "more than one YAML document in the file",
        "dsl: 1\n---\ndsl: 1",
    )
    ENCODING = ("SG109", Severity.ERROR, "the file is not valid UTF-8 text", "(bytes 0xff 0xfe…)")
    UNKNOWN_FIELD = (
        "SG110",
        Severity.ERROR,
        "unknown field",
        "guidence: {why: …}",
        Detail(
            "unknown field {key!r}{in_item}{did_you_mean}",
            "allowed here: {allowed}. Fix the spelling or remove the field.",
        ),
    )
    MISSING_FIELD = (
        "SG111",
        Severity.ERROR,
        "a required field is missing",
        "- id: q1\n  type: yes-no",
        Detail("{owner} is missing the required field {name!r}", "add '{name}: …'{described}"),
    )
    WRONG_TYPE = ("SG112", Severity.ERROR, "a value has the wrong type", "evidence: Minutes")
    INVALID_VALUE = ("SG113", Severity.ERROR, "a value is not allowed here", "type: yesno")
    DSL_VERSION = ("SG114", Severity.ERROR, "unsupported dsl version", "dsl: 2")
    UNREADABLE = ("SG115", Severity.ERROR, "the file cannot be read", "(a missing file)")
    LIMIT = ("SG116", Severity.ERROR, "the file exceeds a size limit", "(a 30 MB file)")
    EMPTY_VALUE = (
        "SG117",
        Severity.ERROR,
        "a field is present but empty",
        "evidence:",
        Detail("{field!r} is empty", "write something for {field!r}"),
    )
    TOO_DEEP = (
        "SG118",
        Severity.ERROR,
        "the file is nested more deeply than the limit",
        "title: [[[[[[[[ … 70 levels … ]]]]]]]]",
    )
    TOO_LONG = (
        "SG119",
        Severity.ERROR,
        "a value is longer than the limit",
        "guidance: {why: (more than 100,000 characters)}",
    )
    TOO_MANY_KEYS = (
        "SG120",
        Severity.ERROR,
        "a mapping has more keys than the limit",
        "references: (more than 10,000 entries)",
    )
    TOO_MANY_VALUES = (
        "SG121",
        Severity.ERROR,
        "the file holds more values than the limit",
        "evidence: [a, a, a, … 300,000 values …]",
    )
    TOO_MANY_PROBLEMS = (
        "SG122",
        Severity.ERROR,
        "the file has more errors than are listed",
        "evidence: [1, 1, 1, … 5,000 numbers where text belongs …]",
    )
    TOO_MANY_WARNINGS = (
        "SG124",
        Severity.WARNING,
        "the file has more warnings than are listed",
        "(more than 1,000 questions without evidence prompts)",
    )
    UNPRINTABLE = (
        "SG123",
        Severity.ERROR,
        "a value holds a control character or another character documents cannot hold",
        'title: "Audit\\x07 2025"   # the escape \\x07 writes the bell character',
    )

    # -- SG2xx: ids, references, meaning -------------------------------------------------
    DUPLICATE_ID = (
        "SG201",
        Severity.ERROR,
        "two items share an id",
        "questions:\n  - id: q1 …\n  - id: q1 …",
    )
    UNDEFINED_REFERENCE = (
        "SG202",
        Severity.ERROR,
        "citation of a reference that is not defined",
        "cite: [{ref: kcsie-2052}]",
        Detail(
            "citation of {ref!r}, which is not defined under 'references'{did_you_mean}",
            "fix the key, or define the reference once under 'references' with its title and URL",
        ),
    )
    UNDEFINED_SCALE = (
        "SG203",
        Severity.ERROR,
        "rating question names a scale that is not defined",
        "type: rating\nscale: grde",
    )
    UNDEFINED_AUDIENCE = (
        "SG204",
        Severity.ERROR,
        "applies_to names an audience dimension or value that is not declared",
        "applies_to: {setting: [acadmy]}",
    )
    ASK_IF_UNKNOWN = (
        "SG205",
        Severity.ERROR,
        "ask_if names a question that does not exist",
        "ask_if: {question: a.b.nope, equals: yes}",
    )
    ASK_IF_ORDER = (
        "SG206",
        Severity.ERROR,
        "ask_if names a question that is not asked earlier",
        "ask_if: {question: a.b.later-question, equals: yes}",
    )
    ASK_IF_ANSWER = (
        "SG207",
        Severity.ERROR,
        "ask_if expects an answer the question cannot have",
        "ask_if: {question: a.b.yes-no-q, equals: maybe}",
    )
    ASK_IF_SHAPE = (
        "SG208",
        Severity.ERROR,
        "ask_if is not a well-formed condition",
        "ask_if: {question: a.b.c}",
    )
    EMPTY_CONTAINER = (
        "SG209",
        Severity.ERROR,
        "a section or standard has nothing in it",
        "standards: []",
    )
    TYPE_MISMATCH = (
        "SG210",
        Severity.ERROR,
        "a field does not fit the question type",
        "type: yes-no\noptions: […]",
    )
    BAD_FORMERLY = (
        "SG211",
        Severity.ERROR,
        "formerly names the item itself or is used twice",
        "id: q1\nformerly: a.b.q1   # same full id",
    )
    RESERVED_ID = (
        "SG213",
        Severity.ERROR,
        "an id is reserved for a form field",
        "options:\n  - {id: evidence, label: …}",
    )
    NO_DEFAULT_SCALE = (
        "SG212",
        Severity.ERROR,
        "default_scale names a scale that is not defined",
        "default_scale: grde",
    )
    DATE_BEYOND_9999 = (
        "SG214",
        Severity.ERROR,
        "new-version would move a date past the year 9999",
        "effective: {from: 9999-09-01}   # then: safeguard new-version",
    )
    RENDER_OPTION = (
        "SG215",
        Severity.ERROR,
        "a render option, action-plan layout or audience is not known",
        "(safeguard render kcsie --as form --per question: per is for action plans)",
    )

    UNDEFINED_THEME = (
        "SG230",
        Severity.ERROR,
        "themes names a theme that is not declared",
        "themes: [leadershp]",
        Detail(
            "theme {theme!r} is not declared under 'themes'{did_you_mean}",
            "use one of the declared themes ({known}), or declare it once under 'themes' at "
            "the top of the file with its title",
        ),
    )

    NO_EVIDENCE = (
        "SG250",
        Severity.WARNING,
        "a question has no evidence prompts",
        "- id: q1\n  text: …\n  type: yes-no",
    )
    NO_GUIDANCE = (
        "SG251",
        Severity.WARNING,
        "a question has no guidance on why it is asked or what good looks like",
        "guidance: {why: …}   # no good:",
    )
    REFERENCE_NO_URL = (
        "SG252",
        Severity.WARNING,
        "a reference has no URL",
        "references:\n  wt: {title: Working Together}",
    )
    REFERENCE_UNUSED = (
        "SG253",
        Severity.WARNING,
        "a reference is defined but never cited",
        "references:\n  old: {title: …}   # cited nowhere",
    )

    # -- SG3xx: tailoring ------------------------------------------------------------------
    OVERLAY_BASE_UNKNOWN = (
        "SG300",
        Severity.ERROR,
        "an overlay extends a set, version or file that does not exist",
        "extends: kcsie@2052-53",
    )
    OVERLAY_CYCLE = (
        "SG301",
        Severity.ERROR,
        "overlays extend each other in a circle",
        "extends: ./northshire.yaml   # written in northshire.yaml itself",
    )
    OVERLAY_BASE_INVALID = (
        "SG302",
        Severity.ERROR,
        "the set an overlay extends has errors",
        "extends: ./a-set-with-errors.yaml",
    )
    OVERLAY_UNKNOWN_ID = (
        "SG303",
        Severity.ERROR,
        "an overlay names an id that is not in the set it extends",
        "remove:\n  - leadership.governance.nope",
        Detail("{what} {full_id!r}, which is not a {kind} of {extends}{did_you_mean}"),
    )
    OVERLAY_BAD_POSITION = (
        "SG304",
        Severity.ERROR,
        "an overlay adds at a position that does not exist",
        "add:\n  - after: leadership.governance.nope\n    questions: […]",
    )
    OVERLAY_WRONG_KIND = (
        "SG305",
        Severity.ERROR,
        "an overlay names an item of the wrong kind for the operation",
        "add:\n  - after: leadership   # a section, not a question\n    questions: […]",
    )
    OVERLAY_NO_CHANGE = (
        "SG306",
        Severity.WARNING,
        "an overlay operation changes nothing",
        "modify:\n  - id: leadership.governance.named-governor\n    set: {in_return: true}"
        "   # already true",
    )
    OVERLAY_ID_TAKEN = (
        "SG307",
        Severity.ERROR,
        "an overlay adds an item with an id the set already uses or used",
        "add:\n  - after: leadership.governance.named-governor\n"
        "    questions: [{id: named-governor, …}]",
    )
    OVERLAY_BREAKS_CONDITION = (
        "SG308",
        Severity.ERROR,
        "an overlay removes a question that another question's ask_if depends on",
        "remove:\n  - leadership.governance.named-governor   # governor-visits asks if it is yes",
    )
    OVERLAY_UNPINNED = (
        "SG309",
        Severity.WARNING,
        "an overlay extends a set without naming its version",
        "extends: kcsie   # write kcsie@2025-26",
    )
    OVERLAY_TWICE = (
        "SG310",
        Severity.ERROR,
        "an overlay removes or modifies the same item twice",
        "remove:\n  - a.b.c\nmodify:\n  - id: a.b.c …",
    )
    OVERLAY_EMPTIES = (
        "SG311",
        Severity.ERROR,
        "an overlay removes every question of a standard or every standard of a section",
        "remove:\n  - a.b.only-question   # remove a.b itself instead",
    )
    OVERLAY_CHAIN = (
        "SG312",
        Severity.ERROR,
        "overlays extend overlays more deeply than the limit",
        "extends: overlay-20.yaml   # which extends overlay-19.yaml, … 20 overlays deep",
    )
    EXTENDS_OUTSIDE = (
        "SG313",
        Severity.ERROR,
        "an overlay extends a file outside its own folder",
        "extends: /etc/passwd   # or ../../elsewhere/set.yaml",
    )
    EXTENDS_UNUSABLE = (
        "SG314",
        Severity.ERROR,
        "the file an overlay extends cannot be used (a pipe, a device, a folder, a loop of "
        "links, a name too long, a folder that may not be searched, a NUL)",
        "extends: pipe.yaml   # a named pipe",
    )
    EXTENDS_NOT_A_SET = (
        "SG315",
        Severity.ERROR,
        "an overlay extends a file that is not a standard set (its content is not shown)",
        "extends: notes.yaml   # a file with no dsl: line",
    )
    # -- SG4xx: rendering ------------------------------------------------------------------
    # Raised as safeguard_standards.render.RenderError(message, hint, code).
    RENDER_UNSUPPORTED = (
        "SG401",
        Severity.ERROR,
        "this kind of document cannot be rendered in this format",
        "(safeguard render kcsie --as guidance --format csv)",
    )
    RENDER_LOGO = (
        "SG402",
        Severity.ERROR,
        "the publisher's logo is outside the set's folder, missing, too large or not an image",
        "publisher: {name: Northshire SCP, logo: ../../logo.png}",
    )
    RENDER_CSS = (
        "SG403",
        Severity.ERROR,
        "restyling CSS would fetch a file or address (@import, url()) or end the style element",
        "(--css with @import url(https://example.org/x.css))",
    )
    RENDER_PDF_ENGINE = (
        "SG404",
        Severity.ERROR,
        "PDF output needs WeasyPrint and its Pango libraries, which are missing",
        "(a slim image without libpango-1.0-0 libpangoft2-1.0-0)",
    )
    RENDER_EMPTY = (
        "SG405",
        Severity.ERROR,
        "the document would have no questions in it",
        "(--as return-form for a set where no question has in_return: true)",
    )
    RENDER_NO_PREVIOUS = (
        "SG406",
        Severity.ERROR,
        "a changes document has no previous version to compare with",
        "(safeguard render my-set.yaml --as changes, where my-set.yaml has no supersedes:)",
        Detail(
            "a 'changes' document needs the previous version to compare with",
            "give --since VERSION, or name the version this one replaces in 'supersedes:'",
        ),
    )
    SET_UNKNOWN = (
        "SG407",
        Severity.ERROR,
        "a SET argument names no known set, version or file, or is not ID, ID@VERSION or a path",
        "(safeguard render kcsei --as form, or kcsie@2052-53)",
        Detail("no {what} standard set {set_id!r}{did_you_mean}"),
    )
    # -- SG41x: writing the output (safeguard_standards._atomic.OutputError) -------------
    OUTPUT_IS_INPUT = (
        "SG410",
        Severity.ERROR,
        "the output file is one of the files the command reads (the set, what it extends, ...)",
        "(safeguard render set.yaml --as form --format md -o set.yaml)",
    )
    OUTPUT_NOT_A_FILE = (
        "SG411",
        Severity.ERROR,
        "the output is a folder, a disk, a socket, a pipe nobody reads, or a broken link",
        "(safeguard diff kcsie@2024-25 kcsie -o standards/)",
    )
    OUTPUT_FOLDER = (
        "SG412",
        Severity.ERROR,
        "the output's folder does not exist, is read-only, or may not be written to",
        "(safeguard resolve overlay.yaml -o no-such-folder/resolved.yaml)",
    )
    OUTPUT_FAILED = (
        "SG413",
        Severity.ERROR,
        "writing failed: the disk is full, over quota, or reported an input/output error",
        "(safeguard render kcsie --as form --format pdf > /dev/full)",
    )
    RENDER_PDF_ELEMENTS = (
        "SG430",
        Severity.ERROR,
        "the PDF would be laid out from more HTML elements than the limit (20,000)",
        "(--format pdf of a form with about 1,000 questions)",
    )
    RENDER_PDF_TEXT = (
        "SG431",
        Severity.ERROR,
        "the PDF would hold more characters of text than the limit (1,000,000)",
        "(--as guidance --format pdf of a set with about 400 fully written questions)",
    )

    RENDER_FILE_UNUSABLE = (
        "SG420",
        Severity.ERROR,
        "a logo or stylesheet is not a regular file, or its path cannot be used",
        "publisher: {name: P, logo: pipe.png}   # a named pipe, /dev/zero, a loop of links",
    )
    RENDER_IMAGE_PIXELS = (
        "SG421",
        Severity.ERROR,
        "the logo has more pixels than the limit (a decompression bomb)",
        "(a 27 KB PNG that says it is 100,000 x 100,000 pixels)",
    )
    RENDER_IMAGE_DAMAGED = (
        "SG422",
        Severity.ERROR,
        "the logo is damaged, is not valid base64, or is not the kind of image it claims",
        "publisher: {name: P, logo: 'data:image/png;base64,not base64!'}",
    )
    RENDER_SVG_REFUSED = (
        "SG423",
        Severity.ERROR,
        "an SVG logo is refused: nested <use>, too many elements, entities, or a reference "
        "outside the file",
        '(<use href="#a"/> repeating a group of <use> elements, 10 levels deep)',
    )
    RENDER_CSS_NOT_ALLOWED = (
        "SG424",
        Severity.ERROR,
        "restyling CSS uses a rule, property or function outside the allowed list",
        "(--css with @font-face, or behavior: url(x.htc))",
    )
    RENDER_CSS_SIZE = (
        "SG425",
        Severity.ERROR,
        "the restyling stylesheet is larger than the limit or is not UTF-8 text",
        "(--css /dev/zero, or a 5 MB file)",
    )
    COLLECT_VERSION = (
        "SG445",
        Severity.ERROR,
        "an online form (XLSForm, SurveyJS, FHIR) needs a version number that grows year on "
        "year, and the set's version cannot be made into one",
        "version: draft-b   # for --format xlsform",
    )

    # -- SG50x: reading a completed return (safeguard_standards.returns.read) ----------------
    RETURN_NOT_OURS = (
        "SG500",
        Severity.ERROR,
        "the file is not a return of a form we made (it has no envelope)",
        "(a standard set given to 'returns check', or a form saved from another template)",
    )
    RETURN_UNREADABLE = (
        "SG501",
        Severity.ERROR,
        "the return cannot be read (missing, a folder, corrupt or truncated)",
        "(a PDF whose end was cut off, a zip that is not a workbook)",
        Detail("{file} cannot be read: {reason}", "{hint}"),
    )
    RETURN_TOO_LARGE = (
        "SG502",
        Severity.ERROR,
        "the return is larger than the limit",
        "(a 2 GB file, or a workbook that unpacks to more than the limit)",
    )
    RETURN_ACTIVE_CONTENT = (
        "SG503",
        Severity.ERROR,
        "the return holds active content (scripts, macros or external links)",
        "(a PDF with JavaScript actions, an XLSX with macros or links to other workbooks)",
    )
    RETURN_EDITED = (
        "SG504",
        Severity.ERROR,
        "the return was edited out of shape (rows, fields or sheets changed)",
        "(a row of the Answers sheet deleted, a Word content control removed)",
    )
    RETURN_ENVELOPE = (
        "SG505",
        Severity.ERROR,
        "the return's envelope is there but damaged",
        "(a property removed from File > Properties > Custom)",
    )
    RETURN_FORMAT = (
        "SG506",
        Severity.ERROR,
        "the file's format is not one a return is read from",
        "(a .odt file, or a text file that is neither CSV nor JSON)",
    )

    RETURN_NOT_A_SET = (
        "SG507",
        Severity.ERROR,
        "a completed return (or another non-YAML file) was given where a standard set is read",
        "safeguard validate form.pdf",
    )

    # -- SG51x: reading a filled PDF form (safeguard_standards.returns._read_pdf) ------------
    RETURN_PDF_PASSWORD = (
        "SG510",
        Severity.ERROR,
        "the PDF is protected by a password, so its fields cannot be read",
        "(a return saved with File > Properties > Security > Password)",
    )
    RETURN_PDF_SCRIPT = (
        "SG511",
        Severity.ERROR,
        "the PDF holds JavaScript (or an XFA form, which can run scripts)",
        "(a return whose Name field runs a script when it is left, or an open action)",
    )
    RETURN_PDF_ACTION = (
        "SG512",
        Severity.ERROR,
        "the PDF opens a program, a web address or another file, or sends the form "
        "somewhere, by itself or from a field",
        "(a Launch action on opening, a SubmitForm action on a field)",
    )
    RETURN_PDF_FIELD_TREE = (
        "SG513",
        Severity.ERROR,
        "the PDF's field tree is damaged: a loop, too deep, or too many fields",
        "(a field that is its own grandchild, or 100,000 fields)",
    )
    RETURN_PDF_FIELD_NAME = (
        "SG514",
        Severity.ERROR,
        "a PDF field is named almost like one of the form's fields, but not quite",
        "(leadership.culture.Culture-Rating, or a field renamed in an editor)",
    )
    RETURN_PDF_FIELD_VALUE = (
        "SG515",
        Severity.ERROR,
        "a PDF field's value cannot be read: a choice no button has, or a value of the wrong kind",
        "(a rating group whose value is /7 with five buttons)",
    )

    # -- SG52x: reading a filled Word or Excel form, or our CSV (returns._read_office, _read_csv)
    RETURN_DUPLICATE_FIELD = (
        "SG520",
        Severity.ERROR,
        "a field appears twice in the return (a Word answer area copied, an Id repeated)",
        "(two rows of the Answers sheet with the Id leadership.governance.named-governor)",
    )
    RETURN_UNKNOWN_ID = (
        "SG521",
        Severity.ERROR,
        "a row's Id is not one of the form's questions (typed over, or a row added)",
        "(the Id leadership.governance.named-governor changed to named-governor)",
    )
    RETURN_ROW_MISSING = (
        "SG522",
        Severity.ERROR,
        "a question of the form has no row on the Answers sheet (deleted, or its Id changed)",
        "(the row of 1.2.3 deleted from the Answers sheet)",
    )
    RETURN_SHEET_RENAMED = (
        "SG523",
        Severity.WARNING,
        "the Answers sheet was renamed; it was found by its headings and read",
        "(the Answers sheet renamed 'Our answers')",
    )
    RETURN_DOCTYPE = (
        "SG524",
        Severity.ERROR,
        "a part of the file declares a document type or entities, which Word and Excel never write",
        '(<!DOCTYPE x [<!ENTITY a "...">]> at the top of word/document.xml)',
    )
    RETURN_CSV_ENCODING = (
        "SG525",
        Severity.WARNING,
        "the CSV file was saved in the Windows-1252 encoding, not UTF-8; it was read as such",
        "(Excel's Save As › CSV (Comma delimited), rather than CSV UTF-8)",
    )

    # -- SG53x-SG55x: checking a return against the version it answers (returns.check) ------
    RETURN_SET_UNKNOWN = (
        "SG530",
        Severity.ERROR,
        "the return answers a standard set that is not known",
        '(an answers file with "set": "kcsei")',
    )
    RETURN_VERSION_UNKNOWN = (
        "SG531",
        Severity.ERROR,
        "the return answers a version of the set that is not known",
        "(a return of kcsie 2023-24 when only 2024-25 and 2025-26 are known)",
    )
    RETURN_NO_SET = (
        "SG532",
        Severity.ERROR,
        "the return does not say which set and version it answers",
        '(an answers file with no "envelope", "set" or "version")',
    )
    RETURN_READ_BY_ID = (
        "SG533",
        Severity.WARNING,
        "a return of an unknown version was read onto --as-version by question id alone",
        "(safeguard returns check --as-version 2025-26 old.json, old.json answering 2023-24)",
    )
    ANSWER_NOT_CARRIED = (
        "SG534",
        Severity.WARNING,
        "an answer could not be carried over to --as-version (the question changed or went)",
        "(an answer to a question whose options changed between the two versions)",
    )
    RETURN_SET_EDITED = (
        "SG535",
        Severity.WARNING,
        "the set was edited after the form was made (its content hash differs)",
        "(a form made from kcsie 2025-26 before a question's wording was corrected)",
    )
    RETURN_DECLARED_MISMATCH = (
        "SG536",
        Severity.WARNING,
        "the return declares another set, version, kind or audience than its envelope",
        '("version": "2024-25" beside an envelope of 2025-26)',
    )
    ANSWER_NOT_ON_FORM = (
        "SG537",
        Severity.ERROR,
        "an answer to a question the form did not include (another audience, or not on a "
        "return form)",
        "(an answer to a boarding question in a form made --for residential=day)",
    )
    RETURN_AUDIENCE_UNKNOWN = (
        "SG538",
        Severity.ERROR,
        "the return's audience names a dimension or value the set does not declare",
        '(an envelope with "audience": {"setting": "acadmy"})',
    )
    ANSWER_UNKNOWN_QUESTION = (
        "SG539",
        Severity.ERROR,
        "an answer to a question the version does not have",
        '("answers": {"leadership.governance.nope": "yes"})',
    )
    ANSWER_WRONG_TYPE = (
        "SG540",
        Severity.ERROR,
        "an answer is not of the question's type (not a number, a date, yes or no)",
        '("governors-total": "several")',
    )
    ANSWER_OUT_OF_RANGE = (
        "SG541",
        Severity.ERROR,
        "a number or percentage is outside the question's range",
        '("trained-percentage": 140)',
    )
    ANSWER_UNKNOWN_OPTION = (
        "SG542",
        Severity.ERROR,
        "a choice answer names an option the question does not have",
        '("records-system": "cloud")',
    )
    ANSWER_UNKNOWN_LEVEL = (
        "SG543",
        Severity.ERROR,
        "a rating answer names a level that is not on the question's scale",
        '("dsl-role": "excellent")',
    )
    ANSWER_SEVERAL_TICKED = (
        "SG544",
        Severity.ERROR,
        "more than one box is ticked for a question that takes one answer",
        '("dsl-role": ["met", "partly"])',
    )
    ANSWER_NO_ACTION = (
        "SG545",
        Severity.ERROR,
        "an answer at a level that requires an action has no action",
        "(Not met, and the action box left empty)",
    )
    ANSWER_NO_JUSTIFICATION = (
        "SG546",
        Severity.ERROR,
        "an answer at a level that requires a justification (Not applicable) says nothing "
        "in its evidence box",
        "(Not applicable, and the evidence box left empty)",
    )
    ANSWER_NO_EVIDENCE = (
        "SG547",
        Severity.ERROR,
        "an answer at a level that requires evidence has nothing in its evidence box",
        "(Fully met and embedded, and the evidence box left empty)",
    )
    ANSWER_REQUIRED_BLANK = (
        "SG548",
        Severity.ERROR,
        "a required question that was asked is left blank",
        "(no answer to 1.1.1)",
    )
    ANSWER_NOT_ASKED = (
        "SG549",
        Severity.WARNING,
        "an answer to a question whose ask_if says it was not asked",
        "(an answer to 'contract clauses' when 'commissions services' is No)",
    )
    ORG_NAME_MISSING = (
        "SG550",
        Severity.ERROR,
        "the return does not name the organisation",
        "(the 'Name of organisation' box left empty)",
    )
    ORG_DETAIL_MISSING = (
        "SG551",
        Severity.WARNING,
        "an organisation detail is missing (who completed it, a contact, the date)",
        "(the 'Email or telephone' box left empty)",
    )
    DETAIL_NOT_A_DATE = (
        "SG552",
        Severity.WARNING,
        "the date completed or the sign-off date is not a date",
        "(Date completed: 'last week')",
    )
    RETURN_DUPLICATE = (
        "SG553",
        Severity.WARNING,
        "two returns from the same organisation for the same set and version",
        "(northshire-primary.pdf and northshire-primary-v2.xlsx)",
    )
    RETURN_NOT_A_FORM = (
        "SG554",
        Severity.ERROR,
        "the file was made as a document that is not a form (guidance, an action plan)",
        "(the guidance document given to 'returns check')",
    )
    RETURN_SET_INVALID = (
        "SG555",
        Severity.ERROR,
        "the set the return answers has errors, so the return cannot be checked against it",
        "(a partnership's kcsie/2025-26.yaml with a YAML error)",
    )
    # -- SG56x: personal data in a return (returns.privacy, reported by returns.check) --------
    PERSONAL_DATA = (
        "SG560",
        Severity.WARNING,
        "free text in the return looks like personal data (a name, an NHS number, ...)",
        "(evidence: 'Referral for Jayden, aged 7, NHS 943 476 5870')",
    )
    PERSONAL_DATA_STRICT = (
        "SG561",
        Severity.ERROR,
        "free text in the return looks like personal data (with --strict)",
        "(safeguard returns check --strict, evidence naming a child)",
    )
    # -- SG565-SG568: a redacted copy of a return (returns.redact) -----------------------------
    REDACT_UNCHECKED = (
        "SG565",
        Severity.ERROR,
        "the return cannot be read and checked, so its personal data cannot be removed",
        "(safeguard returns redact on a return of a set that is not known)",
    )
    REDACT_CANNOT_EDIT = (
        "SG566",
        Severity.ERROR,
        "a value holding personal data cannot be changed in place in the file",
        "(an Excel evidence cell holding a formula)",
    )
    REDACT_NOT_REMOVED = (
        "SG567",
        Severity.ERROR,
        "personal data is still found in the redacted copy, so no copy is written",
        "(a replacement that the next reading still finds)",
    )
    REDACT_UNCHECKED_TEXT = (
        "SG568",
        Severity.WARNING,
        "a text in the return is not read as an answer, so it is copied unchecked",
        "(an answer to a question the version does not have)",
    )
    # -- SG57x: rendering from a completed return (render.render_return, render RETURN) ------
    RENDER_RETURN_KIND = (
        "SG570",
        Severity.ERROR,
        "a completed return was given for a kind that is not made from answers",
        "(safeguard render northshire.pdf --as guidance)",
        Detail(
            "a completed return makes an action plan or the completed form, not {kind}",
            "use --as action-plan (the plan of its gaps) or --as form (the return filled in), "
            "or give the set itself (e.g. kcsie) for a blank {kind}",
        ),
    )
    RENDER_RETURN_FORMAT = (
        "SG571",
        Severity.ERROR,
        "the completed form was asked for in a format it is not shown in",
        "(safeguard render northshire.pdf --as form --format xlsx)",
        Detail(
            "a completed return is shown as a form in PDF, HTML or Word, not {fmt}",
            "use --format pdf, html or docx (or --as action-plan, in any format)",
        ),
    )
    RENDER_RETURN_INVALID = (
        "SG572",
        Severity.ERROR,
        "the completed return has errors, so nothing is made from it",
        "(safeguard render northshire.pdf --as action-plan, with a rating that is not a level)",
        Detail(
            "{source} has {count} error{s}, so nothing was made from it",
            "correct the return (or ask the organisation for a corrected one), check it with "
            "'safeguard returns check {source}', then render it again",
        ),
    )
    RENDER_RETURN_AUDIENCE = (
        "SG573",
        Severity.ERROR,
        "--for names another audience than the one the return was made for",
        "(safeguard render academy-return.json --as form --for setting=maintained)",
        Detail(
            "the return was made for {made}, but --for asks for {given}",
            "leave --for out: a return is shown for the audience it was made for",
        ),
    )
    RENDER_RETURN_SET = (
        "SG574",
        Severity.ERROR,
        "the return answers another set or version than the one it is rendered with",
        "(render_return(a kcsie 2025-26 return, the kcsie 2024-25 checklist, ...))",
        Detail(
            "the return answers {answers}, not {given}",
            "render it with the set and version it answers ({answers})",
        ),
    )

    # -- SG58x-SG59x: responses from survey tools (returns._read_export, returns._map) -----
    IMPORT_NOT_AN_EXPORT = (
        "SG580",
        Severity.ERROR,
        "the file is not a response export of a form made from a set",
        "(a KoboToolbox export with labels as headings instead of the XML names)",
    )
    IMPORT_NO_RESPONSES = (
        "SG581",
        Severity.WARNING,
        "the export holds no responses",
        "(an ODK Central CSV with the heading row only)",
    )
    IMPORT_UNKNOWN_NAME = (
        "SG582",
        Severity.WARNING,
        "a column or result name looks like one of ours but names no field",
        "(a column SG_leadership__governance renamed in the survey tool)",
    )
    IMPORT_BAD_VALUE = (
        "SG583",
        Severity.ERROR,
        "a response value has a shape no field of a form holds",
        "(a SurveyJS result value that is an object)",
    )
    FHIR_QUESTIONNAIRE_UNKNOWN = (
        "SG584",
        Severity.ERROR,
        "a QuestionnaireResponse does not name a Questionnaire made from a set",
        "(questionnaire: http://example.org/Questionnaire/other)",
    )
    FHIR_UNKNOWN_LINK_ID = (
        "SG585",
        Severity.ERROR,
        "a QuestionnaireResponse item's linkId is not an item of its Questionnaire",
        "(linkId leadership.governance.gone, a question the Questionnaire does not have)",
    )
    FHIR_WRONG_ANSWER = (
        "SG586",
        Severity.ERROR,
        "a QuestionnaireResponse answer has the wrong type or option for its item",
        "(valueString 'met' for a coding item)",
    )
    IMPORT_NEEDS_MAP = (
        "SG587",
        Severity.ERROR,
        "a Microsoft Forms or SmartSurvey export is read only through a mapping file",
        "(safeguard returns check responses.xlsx, with no --map)",
    )
    MAP_INVALID = (
        "SG588",
        Severity.ERROR,
        "the mapping file is not a valid mapping of export columns to fields",
        "(field: leadership.governance, which is not a question's full id)",
    )
    MAP_COLUMN_MISSING = (
        "SG589",
        Severity.WARNING,
        "a column of the mapping file is not in the export, or an export column is not in it",
        "(the question reworded again in Microsoft Forms after the map was made)",
    )
    MAP_SET_MISMATCH = (
        "SG590",
        Severity.ERROR,
        "the mapping file names a set or version that is not known",
        "(set: kcsie, version: 2019-20)",
    )

    # -- SG60x: reports from returns (safeguard_standards.report) ----------------------------
    REPORT_ROSTER = (
        "SG600",
        Severity.ERROR,
        "the roster of organisations is missing a column, or a row is incomplete or repeated",
        "(a roster CSV without an Id column, or two rows with the same organisation id)",
    )
    REPORT_ACTION_PLAN = (
        "SG601",
        Severity.ERROR,
        "an action plan row cannot be read (no question id, or a target date that is not a date)",
        "(Target date 31/02/2026, or a row with an action but no Id)",
    )
    REPORT_EXTRA_MISSING = (
        "SG602",
        Severity.ERROR,
        "this output needs an optional extra that is not installed",
        "(writing Parquet without pyarrow)",
    )
    REPORT_RETURN_SHAPE = (
        "SG603",
        Severity.ERROR,
        "a return JSON file is not in the shape a checked return is written in",
        "(a file whose 'answers' is a list, or with no 'set' and 'version')",
    )
    REPORT_RETURN_SKIPPED = (
        "SG604",
        Severity.WARNING,
        "a return was left out of the report (another set or version, or a second return from "
        "the same organisation)",
        "(a kcsie return among section 11 returns)",
    )

    # -- SG64x: the triangulated report (safeguard_standards.report.triangulate) -------------
    TRIANGULATE_RETURN_SKIPPED = (
        "SG640",
        Severity.WARNING,
        "a return was left out of the triangulated report (it answers a set version the "
        "report was not given, or is a second self-assessment from the same organisation)",
        "(a kcsie 2024-25 return in a review of kcsie 2025-26)",
    )

    # -- SG62x: report documents (safeguard_standards.report.documents, safeguard report) -----
    REPORT_COMMENTS = (
        "SG620",
        Severity.ERROR,
        "the reviewer's comments file cannot be read (not YAML or CSV in the expected shape)",
        "(a comments CSV without a Comment column, or YAML whose organisation is not a mapping)",
    )
    REPORT_COMMENT_UNKNOWN = (
        "SG621",
        Severity.WARNING,
        "a reviewer's comment names an organisation or a question the report does not know",
        "(a comment for ORG-0099 when no return from ORG-0099 was used)",
    )
    REPORT_NO_RETURNS = (
        "SG622",
        Severity.ERROR,
        "no return can be used for the report",
        "(a folder whose every file is rejected by returns check)",
    )
    REPORT_OPTION = (
        "SG623",
        Severity.ERROR,
        "an option the report needs is missing or does not fit the report kind",
        "(safeguard report returns/ --as panel without --seed and --size)",
    )
    REPORT_FORMAT = (
        "SG624",
        Severity.ERROR,
        "this report kind cannot be written in this format",
        "(--as thematic --format csv: the tables are --as data)",
    )

    @property
    def code(self) -> str:
        """The stable code, e.g. ``SG102``."""
        return str(self.value[0])

    @property
    def severity(self) -> Severity:
        """The severity every diagnostic with this code has."""
        return Severity(self.value[1])

    @property
    def title(self) -> str:
        """A one-line description of the problem."""
        return str(self.value[2])

    @property
    def example(self) -> str:
        """A YAML fragment that triggers it."""
        return str(self.value[3])

    @property
    def detail(self) -> Detail | None:
        """The templates of the usual message and hint, or None for a code without them."""
        return self.value[4] if len(self.value) > 4 else None

    def message(self, **fields: object) -> str:
        """The usual message, filled in: ``Code.EMPTY_VALUE.message(field="evidence")``."""
        if self.detail is None:
            raise ValueError(f"{self.code} has no message template")
        return self.detail.message.format(**fields)

    def hint(self, **fields: object) -> str:
        """The usual hint, filled in ("" for a code without one)."""
        return self.detail.hint.format(**fields) if self.detail else ""

    @property
    def exit_status(self) -> int:
        """The CLI's exit status for this problem: 2 for a bad command line, 1 for bad input."""
        return 2 if self in _COMMAND_LINE else 1

    @classmethod
    def by_code(cls, code: str) -> Code:
        """Look a member up by its ``SGnnn`` code."""
        for member in cls:
            if member.code == code:
                return member
        raise KeyError(code)


#: Problems with the command line rather than the input: another argument would do (exit 2).
_COMMAND_LINE: frozenset[Code] = frozenset(
    {
        Code.RENDER_OPTION,
        Code.RENDER_UNSUPPORTED,
        Code.REPORT_OPTION,
        Code.REPORT_FORMAT,
        Code.RENDER_CSS,
        Code.RENDER_EMPTY,  # the set has nothing for this kind: ask for another kind
        Code.RENDER_NO_PREVIOUS,
        Code.RENDER_CSS_NOT_ALLOWED,
        Code.RENDER_CSS_SIZE,
        Code.SET_UNKNOWN,
        Code.OUTPUT_IS_INPUT,
        Code.OUTPUT_NOT_A_FILE,
        Code.OUTPUT_FOLDER,
        Code.RENDER_RETURN_KIND,
        Code.RENDER_RETURN_FORMAT,
        Code.RENDER_RETURN_AUDIENCE,
    }
)


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest of ``choices`` to ``word`` (difflib's ratio at least ``cutoff``), or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to ``word``, or "" for none."""
    close = closest(word, choices, cutoff)
    return f" (did you mean {close!r}?)" if close is not None else ""


class SafeguardError(Exception):
    """A problem the user can fix, raised rather than returned: one catalogue code, a message,
    a hint and where it is.

    ``entry`` is the :class:`Code`; ``code`` its stable ``SGnnn`` text; ``where`` is
    ``file:line:col`` (or a path) of the value concerned, "" for the whole request;
    ``exit_status`` is what the CLI exits with.
    """

    def __init__(self, code: Code, message: str, hint: str = "", where: str = "") -> None:
        super().__init__(message)
        self.entry = code
        self.message = message
        self.hint = hint
        self.where = where

    @property
    def code(self) -> str:
        """The stable ``SGnnn`` code of :attr:`entry`."""
        return self.entry.code

    @property
    def exit_status(self) -> int:
        return self.entry.exit_status


@attrs.frozen(order=False)
class Diagnostic:
    """One problem found in a file.

    ``line`` and ``column`` are 1-based; 0 means "the whole file" (e.g. it cannot be read).
    """

    #: The catalogue entry.
    code: Code
    #: What is wrong, naming the value found and what was expected.
    message: str
    #: The file (a path, or a label such as ``bundled:kcsie/2025-26.yaml``).
    source: str
    #: 1-based line of the problem, 0 when the whole file is concerned.
    line: int = 0
    #: 1-based column.
    column: int = 0
    #: Dotted id of the item concerned (``leadership.governance.named-governor``), or "".
    item: str = ""
    #: How to fix it, as a sentence.
    hint: str = ""
    #: JSON path of the value concerned, e.g. ``$.sections[2].standards[0].id``.
    path: str = ""
    #: Where in a file that has no lines the problem is: a completed return's page and field
    #: (``page 12:field a.b.c``), sheet and cell (``Answers!I37``), JSON pointer
    #: (``/answers/a.b.c``) or content-control tag (``tag a.b.c``); "" otherwise.
    at: str = ""

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def is_error(self) -> bool:
        return self.code.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.source, self.line, self.column, self.at, self.code.code, self.message)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict, as ``safeguard validate --format json`` prints it."""
        return {
            "code": self.code.code,
            "severity": self.severity.value,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "item": self.item,
            "message": self.message,
            "hint": self.hint,
            "path": self.path,
            "at": self.at,
        }

    def __str__(self) -> str:
        return format_diagnostic(self)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by (source, line, column, code) and drop exact duplicates."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


@functools.lru_cache(maxsize=1)
def _source_lines(text: str) -> list[str]:
    # Diagnostics of one file are printed one after another with the same text: split it
    # once, not once per diagnostic (a file with a thousand problems would be quadratic).
    return text.splitlines()


def format_diagnostic(diagnostic: Diagnostic, source_text: str | None = None) -> str:
    """``file:line:col: CODE message`` then the hint; with ``source_text``, the line and a caret."""
    d = diagnostic
    where = d.source if d.line == 0 else f"{d.source}:{d.line}:{d.column}"
    if d.at:
        where += f":{d.at}"
    kind = "" if d.is_error else "warning: "
    head = f"{where}: {d.code.code} {kind}{d.message}"
    lines = [head]
    if source_text is not None and d.line > 0:
        src_lines = _source_lines(source_text)
        if d.line <= len(src_lines):
            text = src_lines[d.line - 1].replace("\t", " ")
            if len(text) > 160:
                text = text[:157] + "..."
            lines.append(f"    {text}")
            lines.append("    " + " " * max(0, min(d.column - 1, 160)) + "^")
    if d.hint:
        lines.append(f"    hint: {d.hint}")
    return "\n".join(lines)


def best_match(diagnostics: Iterable[Diagnostic]) -> Diagnostic | None:
    """The one diagnostic to show in a one-line summary.

    Errors before warnings; then file-level problems (syntax, encoding) before structure
    before meaning; then the earliest in the file. The choice does not depend on the order
    the diagnostics come in.
    """
    items = list(diagnostics)
    if not items:
        return None
    return min(
        items,
        key=lambda d: (not d.is_error, d.code.code[:3], d.line, d.column, d.code.code, d.message),
    )


class ChecklistError(Exception):
    """Raised by :func:`safeguard_standards.load` when a file has errors.

    ``diagnostics`` holds every problem found (errors and warnings), sorted.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sort_diagnostics(diagnostics))
        errors = [d for d in self.diagnostics if d.is_error]
        first = best_match(errors) or best_match(self.diagnostics)
        summary = str(first).splitlines()[0] if first else "invalid standard set"
        more = len(errors) - 1
        if more > 0:
            summary += f" (and {more} more error{'s' if more > 1 else ''})"
        super().__init__(summary)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)
