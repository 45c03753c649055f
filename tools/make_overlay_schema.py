"""Write safeguard_standards/schema/overlay.schema.json: the JSON Schema of partnership overlays.

An overlay adapts a standard set without copying it (see docs/tailoring.md). Its schema reuses
the definitions of the standard-set schema (tools/make_schema.py) for the questions, standards
and sections it adds and for the fields it sets, so that both stay in step. Run:

    python tools/make_overlay_schema.py            # write it
    python tools/make_overlay_schema.py --check    # exit 1 if the committed file differs

tests/test_tailoring.py runs the check.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_schema as base

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from safeguard_standards import tailoring

_DOTTED = base.DOTTED
_SET_PROPS = base.SCHEMA["properties"]  # type: ignore[index]
_QUESTION_PROPS = base.QUESTION["properties"]  # type: ignore[index]
_STANDARD_PROPS = base.STANDARD["properties"]  # type: ignore[index]
_SECTION_PROPS = base.SECTION["properties"]  # type: ignore[index]


def dotted(description: str) -> dict[str, object]:
    return {"type": "string", "pattern": _DOTTED, "description": description}


def _optional(schema: dict[str, object]) -> dict[str, object]:
    """A copy of an object schema with no required fields (for settings merged over the base)."""
    out = copy.deepcopy(schema)
    out["required"] = []
    return out


SETTABLE: dict[str, object] = {
    # questions
    "text": _QUESTION_PROPS["text"],
    "type": _QUESTION_PROPS["type"],
    "scale": _QUESTION_PROPS["scale"],
    "options": _QUESTION_PROPS["options"],
    "unit": _QUESTION_PROPS["unit"],
    "min": _QUESTION_PROPS["min"],
    "max": _QUESTION_PROPS["max"],
    "required": _QUESTION_PROPS["required"],
    "priority": _QUESTION_PROPS["priority"],
    "evidence": _QUESTION_PROPS["evidence"],
    "ask_if": _QUESTION_PROPS["ask_if"],
    "in_return": _QUESTION_PROPS["in_return"],
    # standards and sections
    "title": _STANDARD_PROPS["title"],
    "expectation": _STANDARD_PROPS["expectation"],
    "intro": _SECTION_PROPS["intro"],
    # all three
    "guidance": {
        "type": ["object", "string"],
        "description": (
            "For a question: `{why, good, support}`; each part given replaces that part, the "
            "others are kept. For a standard: Markdown text that replaces its guidance."
        ),
        "additionalProperties": False,
        "properties": copy.deepcopy(_QUESTION_PROPS["guidance"]["properties"]),
    },
    "cite": _QUESTION_PROPS["cite"],
    "applies_to": _QUESTION_PROPS["applies_to"],
    "themes": {
        **_QUESTION_PROPS["themes"],  # type: ignore[dict-item]
        "description": (
            "For a question or standard: the theme ids it lists, replacing those it listed. A "
            "question keeps its standard's themes whatever it lists itself."
        ),
    },
    "change_note": base.md(
        "Why the partnership changed this item, shown in the 'what changed' document."
    ),
}

# What `unset` may clear: the union of what each kind of item allows (defined once, in the
# library, which also checks it per kind).
UNSETTABLE = sorted({f for fields in tailoring.UNSETTABLE.values() for f in fields})

MODIFY = base.obj(
    "Change fields of one section, standard or question of the set this overlay extends.",
    {
        "id": dotted(
            "Full id of the item to change: `section`, `section.standard` or "
            "`section.standard.question`."
        ),
        "set": {
            "type": "object",
            "description": (
                "Fields to set, replacing the set's value (guidance of a question is merged "
                "part by part). Questions take text, type, scale, options, unit, min, max, "
                "required, priority, evidence, guidance, cite, applies_to, ask_if, in_return; "
                "standards title, expectation, guidance, cite, applies_to; sections title, "
                "intro, applies_to. All take change_note."
            ),
            "additionalProperties": False,
            "minProperties": 1,
            "properties": SETTABLE,
        },
        "unset": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "description": (
                "Optional fields to clear, e.g. `[ask_if]` to ask a question of everyone or "
                "`[applies_to]` to make it apply to every setting."
            ),
            "items": {"enum": UNSETTABLE},
        },
        "append": base.obj(
            "Entries to add after the set's own, keeping them.",
            {
                "evidence": {
                    "type": "array",
                    "minItems": 1,
                    "description": "Evidence prompts to add, e.g. local documents.",
                    "items": base.text("One evidence prompt."),
                },
                "cite": {
                    "type": "array",
                    "minItems": 1,
                    "description": "Citations to add, e.g. of the partnership's own procedures.",
                    "items": base.CITATION,
                },
            },
            [],
        ),
    },
    ["id"],
)

ADD = base.obj(
    "Add questions, standards or sections at a position. Give exactly one position (after, "
    "before, start_of or end_of; sections may leave it out to go at the end) and exactly one "
    "of questions, standards or sections.",
    {
        "after": dotted(
            "Add right after this item: a question (when adding questions), a standard (when "
            "adding standards) or a section (when adding sections)."
        ),
        "before": dotted("Add right before this item (of the same kind as what is added)."),
        "start_of": dotted(
            "Add at the start of this standard (when adding questions) or section (when adding "
            "standards)."
        ),
        "end_of": dotted(
            "Add at the end of this standard (when adding questions) or section (when adding "
            "standards)."
        ),
        "questions": {
            "type": "array",
            "minItems": 1,
            "description": "Local questions, written in full as in a standard set.",
            "items": {"$ref": "#/$defs/question"},
        },
        "standards": {
            "type": "array",
            "minItems": 1,
            "description": "Local standards, written in full as in a standard set.",
            "items": {"$ref": "#/$defs/standard"},
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "description": "Local sections, written in full as in a standard set.",
            "items": {"$ref": "#/$defs/section"},
        },
    },
    [],
)

SCHEMA: dict[str, object] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://safeguard-standards.invalid/schema/overlay/1.json",
    "title": "safeguard-standards partnership overlay (dsl 1)",
    "description": (
        "A partnership's local adaptation of a standard set: the set it extends and the "
        "changes, by id. The resolved set keeps the national ids, so returns stay comparable."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["extends"],
    "properties": {
        "dsl": _SET_PROPS["dsl"],
        "extends": base.text(
            "The set this overlay adapts: `ID@VERSION` of a bundled set (e.g. `kcsie@2025-26`), "
            "or the path of a standard set or another overlay, relative to this file."
        ),
        "title": _SET_PROPS["title"],
        "description": _SET_PROPS["description"],
        "status": _SET_PROPS["status"],
        "effective": _SET_PROPS["effective"],
        "change_summary": base.md(
            "What the partnership changed this year, for the 'what changed' document."
        ),
        "publisher": _optional(_SET_PROPS["publisher"]),  # type: ignore[arg-type]
        "sign_off": _SET_PROPS["sign_off"],
        "references": {
            **_SET_PROPS["references"],  # type: ignore[dict-item]
            "description": (
                "References to add (local documents such as the threshold document) or replace, "
                "by key."
            ),
        },
        "scales": {
            **_SET_PROPS["scales"],  # type: ignore[dict-item]
            "description": "Rating scales to add or replace, by id.",
        },
        "default_scale": _SET_PROPS["default_scale"],
        "audiences": {
            **_SET_PROPS["audiences"],  # type: ignore[dict-item]
            "description": "Audience dimensions to add or replace, by id.",
        },
        "themes": {
            **_SET_PROPS["themes"],  # type: ignore[dict-item]
            "description": (
                "Themes to add to the vocabulary or replace, by id. Keep the national ids, so "
                "that reports still bring the sets together under the same headings."
            ),
        },
        "remove": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "description": (
                "Full ids of sections, standards or questions to leave out. Say why in a "
                "comment on the same line."
            ),
            "items": dotted("Full id of the item to leave out."),
        },
        "modify": {
            "type": "array",
            "minItems": 1,
            "description": "Changes to fields of existing items.",
            "items": MODIFY,
        },
        "add": {
            "type": "array",
            "minItems": 1,
            "description": "Local sections, standards and questions, each at a named position.",
            "items": ADD,
        },
    },
    "$defs": base.SCHEMA["$defs"],
}


def render() -> str:
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


TARGET = (
    Path(__file__).resolve().parent.parent
    / "safeguard_standards"
    / "schema"
    / "overlay.schema.json"
)

if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.read_text(encoding="utf-8") == render() else 1)
    TARGET.write_text(render(), encoding="utf-8")
