"""Write safeguard_standards/schema/standard-set.schema.json from the definition below.

The schema is authored here as Python so that shared pieces (ids, Markdown, conditions) are
defined once; the JSON file is what ships and what editors read. Run:

    python tools/make_schema.py

tests/test_schema_and_docs.py fails if the committed JSON differs from what this script writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
DOTTED = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]+(?:[-_][a-z0-9]+)*)*$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: An address: http(s), then no space or line break up to the end.
URL = r"^https?://[^\s]+$"


def md(description: str) -> dict[str, object]:
    return {
        "type": "string",
        "description": description + " Markdown (CommonMark); raw HTML is shown as text.",
    }


def text(description: str, **extra: object) -> dict[str, object]:
    return {"type": "string", "minLength": 1, "description": description, **extra}


def slug(description: str) -> dict[str, object]:
    return {"type": "string", "pattern": SLUG, "description": description}


def obj(description: str, props: dict[str, object], required: list[str]) -> dict[str, object]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": required,
        "properties": props,
    }


APPLIES_TO = {
    "type": "object",
    "description": (
        "Who this applies to, by audience dimension: `{setting: [academy, maintained]}`. "
        "Each key must be a dimension declared under `audiences` and each value one of its "
        "values. Leave it out when the item applies to everyone."
    ),
    "additionalProperties": {
        "type": "array",
        "description": "The values of this dimension the item applies to.",
        "items": slug("A value declared for this dimension under `audiences`."),
        "minItems": 1,
    },
}

ANSWER = {
    "description": (
        "An answer id: `yes`/`no` for yes-no questions, a level id for rating questions, an "
        "option id for choice questions. Unquoted yes/no/true/false are read as yes/no."
    ),
    "type": ["string", "boolean"],
}

CONDITION = {
    "description": (
        "A condition on an earlier answer. Either a comparison `{question, equals | "
        "not_equals | in}` or a combination `{all: [...]}` / `{any: [...]}`."
    ),
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "question": {
            "type": "string",
            "pattern": DOTTED,
            "description": (
                "Full id (section.standard.question) of an earlier question whose answer "
                "decides whether this one is asked."
            ),
        },
        "equals": ANSWER,
        "not_equals": ANSWER,
        "in": {
            "type": "array",
            "minItems": 1,
            "items": ANSWER,
            "description": "Ask when the earlier answer is any of these.",
        },
        "all": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/condition"},
            "description": "Ask only when every one of these conditions holds.",
        },
        "any": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/condition"},
            "description": "Ask when at least one of these conditions holds.",
        },
    },
}

CITATION = obj(
    "A citation of a reference defined under `references`.",
    {
        "ref": slug("Key of a reference defined under `references`."),
        "at": text(
            "Where in the reference: a part, chapter, section or paragraph, e.g. `Part two` "
            "or `Chapter 4`."
        ),
        "note": text("Optional short note on what the cited passage covers."),
    },
    ["ref"],
)

CHANGE_NOTE = md(
    "What changed in this version and why, for the people who fill the form in. Shown in the "
    "'what changed' document."
)
FORMERLY = {
    "type": "string",
    "pattern": DOTTED,
    "description": (
        "The full id this item had in the version it supersedes, when it was renamed or moved. "
        "Diffs match the two versions through it. Ids are never reused for something else."
    ),
}

THEMES = {
    "type": "array",
    "uniqueItems": True,
    "minItems": 1,
    "description": (
        "Themes this item is about: ids of themes declared under `themes` at the top of the "
        "file, e.g. `[leadership, training]`. A question has its standard's themes and any it "
        "lists itself. Reports bring findings from several instruments together by theme."
    ),
    "items": slug("The id of a theme declared under `themes`."),
}

GUIDANCE = obj(
    "Guidance for the audit guidance document.",
    {
        "why": md("Why the partnership asks this."),
        "good": md("What a strong answer looks like."),
        "support": md("Where to get help: signposting to training, templates or advice."),
    },
    [],
)

QUESTION = obj(
    "One question of the audit.",
    {
        "id": slug("Stable id, unique within its standard. Kept from year to year."),
        "text": md("The question as the person filling the form sees it."),
        "type": {
            "enum": [
                "rating",
                "yes-no",
                "number",
                "percentage",
                "date",
                "text",
                "choice",
                "multi-choice",
            ],
            "description": (
                "Kind of answer: `rating` (a level of a named scale), `yes-no`, `number`, "
                "`percentage` (0-100), `date`, `text` (free text), `choice` (one option) or "
                "`multi-choice` (any number of options)."
            ),
        },
        "scale": slug(
            "For `rating` questions: the id of a scale defined under `scales`. Defaults to "
            "`default_scale` of the set."
        ),
        "options": {
            "type": "array",
            "minItems": 2,
            "description": "For `choice` and `multi-choice` questions: the options offered.",
            "items": obj(
                "One option.",
                {
                    "id": slug("Stable id of the option, used in answers and conditions."),
                    "label": text("The option as shown on the form."),
                },
                ["id", "label"],
            ),
        },
        "unit": text("For `number` questions: what is counted, e.g. `staff` or `governors`."),
        "min": {"type": "number", "description": "For `number` questions: the smallest allowed."},
        "max": {"type": "number", "description": "For `number` questions: the largest allowed."},
        "required": {
            "type": "boolean",
            "description": "Whether an answer is required. Default true.",
        },
        "priority": {
            "enum": ["essential", "recommended"],
            "description": (
                "For proportionate checklists: `essential` (every group should have this) or "
                "`recommended` (good practice as the group grows)."
            ),
        },
        "evidence": {
            "type": "array",
            "description": (
                "Evidence prompts: what the organisation could show to support its answer."
            ),
            "items": text("One evidence prompt."),
        },
        "guidance": GUIDANCE,
        "cite": {
            "type": "array",
            "description": "Statutory or guidance references for this question.",
            "items": CITATION,
        },
        "applies_to": APPLIES_TO,
        "ask_if": {
            "$ref": "#/$defs/condition",
            "description": (
                "Ask this question only when an earlier answer meets a condition, e.g. "
                "`{question: governance.commissioning.commissions-services, equals: yes}`. "
                "Printed on paper as 'Answer if you answered Yes to 3.1.1'."
            ),
        },
        "in_return": {
            "type": "boolean",
            "description": "Whether the question is also on the short return form. Default false.",
        },
        "themes": THEMES,
        "formerly": FORMERLY,
        "change_note": CHANGE_NOTE,
    },
    ["id", "text", "type"],
)

STANDARD = obj(
    "A standard: one expectation and the questions that test it.",
    {
        "id": slug("Stable id, unique within its section."),
        "title": text("Short title of the standard."),
        "expectation": md("What good looks like, in one or two sentences."),
        "guidance": md("Guidance on the standard as a whole."),
        "cite": {"type": "array", "items": CITATION, "description": "References for the standard."},
        "applies_to": APPLIES_TO,
        "themes": THEMES,
        "formerly": FORMERLY,
        "change_note": CHANGE_NOTE,
        "questions": {
            "type": "array",
            "minItems": 1,
            "description": "The questions of the standard, in order.",
            "items": {"$ref": "#/$defs/question"},
        },
    },
    ["id", "title", "questions"],
)

SECTION = obj(
    "A section of the audit: a group of standards.",
    {
        "id": slug("Stable id, unique within the set."),
        "title": text("Section heading."),
        "intro": md("Introductory prose shown before the section."),
        "applies_to": APPLIES_TO,
        "formerly": FORMERLY,
        "change_note": CHANGE_NOTE,
        "standards": {
            "type": "array",
            "minItems": 1,
            "description": "The standards of the section, in order.",
            "items": {"$ref": "#/$defs/standard"},
        },
    },
    ["id", "title", "standards"],
)

LEVEL = obj(
    "One level of a rating scale.",
    {
        "id": slug("Stable id of the level, used in answers and conditions."),
        "label": text("The level as shown on the form, e.g. `Fully met`."),
        "rag": {
            "enum": ["red", "amber", "green", "blue", "grey"],
            "description": "Colour of the level in RAG reports.",
        },
        "score": {"type": "number", "description": "Numeric score for summaries."},
        "scored": {
            "type": "boolean",
            "description": "Whether the level counts in scores. Use false for Not applicable.",
        },
        "describe": md("What this level means: the descriptor shown beside the choice."),
        "requires": {
            "type": "array",
            "uniqueItems": True,
            "description": (
                "What an answer at this level must also carry: `action` (an action-plan entry), "
                "`justification` (why) or `evidence`."
            ),
            "items": {"enum": ["action", "justification", "evidence"]},
        },
    },
    ["id", "label"],
)

REFERENCE = obj(
    "A statutory or guidance document, defined once and cited by key.",
    {
        "title": text("Title of the document, including its edition or year."),
        "publisher": text("Who publishes it, e.g. `Department for Education`."),
        "kind": {
            "enum": ["legislation", "statutory-guidance", "guidance", "standard", "other"],
            "description": "What sort of document it is.",
        },
        "edition": text("Edition or version, e.g. `December 2023` or `2025`."),
        "url": {"type": "string", "pattern": URL, "description": "Where to read it."},
    },
    ["title"],
)

THEME = obj(
    "A theme: a heading that findings from several instruments are brought together under.",
    {
        "title": text("The theme as reports show it, e.g. `Leadership and accountability`."),
        "describe": md("What the theme covers."),
    },
    ["title"],
)

SCHEMA: dict[str, object] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://safeguard-standards.invalid/schema/standard-set/1.json",
    "title": "safeguard-standards standard set (dsl 1)",
    "description": (
        "One version of one set of safeguarding audit standards: its metadata, references, "
        "rating scales, audiences and sections of standards and questions."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["dsl", "id", "version", "title", "sections"],
    "properties": {
        "dsl": {
            "const": 1,
            "description": "Version of the file format (not of the content). Always 1 for now.",
        },
        "id": slug("Stable id of the standard set, the same every year, e.g. `kcsie`."),
        "version": text(
            "Content version, e.g. `2025-26`. Quote it if it looks like a number.",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        ),
        "title": text("Title of the audit tool."),
        "status": {
            "enum": ["draft", "published", "withdrawn"],
            "description": "Publication status. Only published versions are picked by default.",
        },
        "effective": obj(
            "The period this version is for.",
            {
                "from": text("First day, as YYYY-MM-DD.", pattern=DATE),
                "to": text("Last day, as YYYY-MM-DD.", pattern=DATE),
            },
            ["from"],
        ),
        "supersedes": text(
            "The version this one replaces; used for 'what changed' documents.",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        ),
        "description": md("What the audit is for and who completes it."),
        "change_summary": md("A summary of what changed since the superseded version."),
        "publisher": obj(
            "Who issues this audit tool.",
            {
                "name": text("Name of the partnership or body."),
                "contact": text("Who to contact with questions, e.g. an email address."),
                "url": {
                    "type": "string",
                    "pattern": URL,
                    "description": "Web page about the audit.",
                },
                "logo": text("Path of a logo image, relative to this file."),
                "return_deadline": text("Date returns are due, as YYYY-MM-DD.", pattern=DATE),
            },
            ["name"],
        ),
        "references": {
            "type": "object",
            "description": "References defined once and cited by key from questions and standards.",
            "propertyNames": {"pattern": SLUG},
            "additionalProperties": REFERENCE,
        },
        "scales": {
            "type": "object",
            "description": "Named rating scales: each a list of levels from best to worst.",
            "propertyNames": {"pattern": SLUG},
            "additionalProperties": {
                "type": "array",
                "minItems": 2,
                "description": "The levels of the scale, best first.",
                "items": LEVEL,
            },
        },
        "default_scale": slug("The scale used by rating questions that name none."),
        "audiences": {
            "type": "object",
            "description": (
                "Dimensions of who completes the audit (e.g. `setting`, `agency`), each with its "
                "values. Questions use them in `applies_to`; `--for setting=academy` filters by "
                "them."
            ),
            "propertyNames": {"pattern": SLUG},
            "additionalProperties": obj(
                "One audience dimension.",
                {
                    "label": text("What the dimension is called, e.g. `Type of setting`."),
                    "values": {
                        "type": "object",
                        "minProperties": 1,
                        "description": "Value id → label, e.g. `academy: Academy or free school`.",
                        "propertyNames": {"pattern": SLUG},
                        "additionalProperties": text("How the value is shown."),
                    },
                },
                ["values"],
            ),
        },
        "themes": {
            "type": "object",
            "description": (
                "The theme vocabulary: theme id → title and description. Standards and "
                "questions name themes in their own `themes` list. Sets that are to be reported "
                "side by side (a self-assessment, a case-file audit, a survey) declare the same "
                "vocabulary, so their findings meet under the same headings."
            ),
            "propertyNames": {"pattern": SLUG},
            "additionalProperties": THEME,
        },
        "action_plan": obj(
            "How action plans for this set are laid out.",
            {
                "per": {
                    "enum": ["standard", "question"],
                    "description": "One action-plan row per standard (default) or per question.",
                },
                "columns": {
                    "type": "array",
                    "minItems": 1,
                    "description": "The columns after ref and standard, in order.",
                    "items": obj(
                        "One column.",
                        {
                            "id": slug("Column id, used as the field name."),
                            "label": text("Column heading."),
                        },
                        ["id", "label"],
                    ),
                },
            },
            [],
        ),
        "sign_off": obj(
            "The sign-off at the end of a form: what the person signing confirms and who that "
            "is. It belongs to the set because it differs by sector (a school's governing "
            "body, an agency's board, a charity's trustees). Leave it out for wording that fits "
            "any organisation.",
            {
                "statement": text(
                    "What the person signing confirms, e.g. `We confirm that this "
                    "self-assessment is accurate and has been seen by the board.`"
                ),
                "role_examples": text(
                    "Who typically signs, shown with the Role field as `Role (for example "
                    "…)`, e.g. `chair of governors, trustee or proprietor`."
                ),
            },
            [],
        ),
        "sections": {
            "type": "array",
            "minItems": 1,
            "description": "The sections of the audit, in order.",
            "items": {"$ref": "#/$defs/section"},
        },
    },
    "$defs": {
        "section": SECTION,
        "standard": STANDARD,
        "question": QUESTION,
        "condition": CONDITION,
    },
}


def render() -> str:
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "safeguard_standards" / "schema" / "standard-set.schema.json"

if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.read_text(encoding="utf-8") == render() else 1)
    TARGET.write_text(render(), encoding="utf-8")
