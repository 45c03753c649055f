"""Structure check: the parsed data against the JSON Schema of the DSL.

The fast path asks a compiled validator (jsonschema-rs) one question: is it valid? Only when
it is not does python-jsonschema walk the data to produce every error, each turned into a
located :class:`Diagnostic` with a remedy.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from importlib.resources import files
from typing import Any

from ._yaml import SourceMap
from .diagnostics import Code, Diagnostic, did_you_mean

__all__ = ["check_structure", "schema", "schema_text"]

_SCHEMA_FILE = "standard-set.schema.json"


@functools.lru_cache(maxsize=4)
def shipped_schema_text(name: str) -> str:
    """A JSON Schema shipped in the package's ``schema/`` folder, as text."""
    return (files("safeguard_standards") / "schema" / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=4)
def shipped_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in the package's ``schema/`` folder, parsed."""
    result: dict[str, Any] = json.loads(shipped_schema_text(name))
    return result


def schema_text() -> str:
    """The JSON Schema of the DSL, as shipped in the package."""
    return shipped_schema_text(_SCHEMA_FILE)


def schema() -> dict[str, Any]:
    """The JSON Schema of the DSL, parsed."""
    return shipped_schema(_SCHEMA_FILE)


@functools.lru_cache(maxsize=4)
def _fast_validator(name: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - the fallback when the wheel is missing
        return None
    return jsonschema_rs.validator_for(shipped_schema(name))


@functools.lru_cache(maxsize=64)
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A schema ``pattern`` compiled for Python with its JSON Schema (ECMA-262) meaning.

    In ECMA-262, as in jsonschema-rs, ``$`` matches only at the very end of the text; in
    Python it also matches before a final line break, so python-jsonschema would accept
    ``"kcsie\\n"`` for ``^[a-z]+$``. Each ``$`` outside a character class becomes ``\\Z``.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = r"\Z"
        out.append(ch)
        i += 1
    return re.compile("".join(out))


def _pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """python-jsonschema's ``pattern`` keyword, with ECMA-262's ``$`` (see ecma_pattern)."""
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.lru_cache(maxsize=4)
def _full_validator(name: str) -> Any:
    import jsonschema

    ecma = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, {"pattern": _pattern_keyword}
    )
    return ecma(shipped_schema(name))


def _is_valid_fast(data: Any, name: str) -> bool | None:
    validator = _fast_validator(name)
    if validator is None:  # pragma: no cover
        return None
    try:
        return bool(validator.is_valid(data))
    except (ValueError, TypeError, OverflowError):  # data jsonschema-rs cannot take
        return None


def check_structure(
    data: Any, sm: SourceMap, limit: int | None = None, schema_file: str = _SCHEMA_FILE
) -> list[Diagnostic]:
    """Every structural problem in ``data`` against a shipped schema, located through ``sm``.

    ``schema_file`` names the schema (the DSL's by default; overlays pass theirs). With
    ``limit``, stops once that many have been found (the loader lists at most
    ``loader.MAX_DIAGNOSTICS`` per file; finding 250,000 would take minutes).
    """
    if _is_valid_fast(data, schema_file):
        return []
    found: list[Diagnostic] = []
    for error in _full_validator(schema_file).iter_errors(data):
        found.extend(_diagnose(error, data, sm))
        if limit is not None and len(found) >= limit:
            break
    return found


def _item_id(root: Any, path: Sequence[Hashable]) -> str:
    """Dotted id of the deepest section/standard/question on ``path``."""
    parts: list[str] = []
    node = root
    for i, step in enumerate(path):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        prev = path[i - 1] if i else None
        if isinstance(step, int) and prev in ("sections", "standards", "questions"):
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(ident if isinstance(ident, str) else f"#{step + 1}")
    return ".".join(parts)


def _json_path(path: Sequence[Hashable]) -> str:
    out = "$"
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else f".{step}"
    return out


def _field_name(path: Sequence[Hashable]) -> str:
    for step in reversed(path):
        if isinstance(step, str):
            return step
    return "value"


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "null": "nothing",
}


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return slug or "my-id"


_DATE_HINT = "write the date as YYYY-MM-DD, e.g. 2025-09-01"
_QUESTION_ID_HINT = "write the full id: section.standard.question, in lowercase with hyphens"
_FULL_ID_HINT = (
    "write the full id: section, section.standard or section.standard.question, "
    "in lowercase with hyphens"
)

#: The hint for a value that does not match its schema ``pattern``, by the schema property the
#: pattern belongs to (the last one or two ``properties`` names on the error's schema path);
#: ids and mapping keys not listed get the lowercase-and-hyphens hint, versions their own.
_PATTERN_HINTS: dict[str | tuple[str, str], str] = {
    "from": _DATE_HINT,
    "to": _DATE_HINT,
    "return_deadline": _DATE_HINT,
    "url": "write the full address starting with https://",
    "question": _QUESTION_ID_HINT,
    "formerly": _FULL_ID_HINT,
    "after": _FULL_ID_HINT,
    "before": _FULL_ID_HINT,
    "start_of": _FULL_ID_HINT,
    "end_of": _FULL_ID_HINT,
    "remove": _FULL_ID_HINT,
    ("modify", "id"): _FULL_ID_HINT,
}


def _pattern_field(schema_path: Iterable[Any]) -> str | tuple[str, str]:
    """The schema property a ``pattern`` error is about: ``("modify", "id")`` when that pair is
    catalogued, else the last property name ("" for a mapping key, under ``propertyNames``)."""
    steps = list(schema_path)
    if "propertyNames" in steps:
        return ""
    names = [str(b) for a, b in itertools.pairwise(steps) if a == "properties"]
    if len(names) >= 2 and (names[-2], names[-1]) in _PATTERN_HINTS:
        return (names[-2], names[-1])
    return names[-1] if names else ""


def _diagnose(error: Any, root: Any, sm: SourceMap) -> Iterator[Diagnostic]:
    path = list(error.absolute_path)
    item = _item_id(root, path)
    jpath = _json_path(path)
    kind = error.validator
    instance = error.instance
    field = _field_name(path)
    source = sm.source

    def at_value(code: Code, message: str, hint: str) -> Diagnostic:
        line, col, _style, _raw = sm.locate(root, path)
        return Diagnostic(code, message, source, line, col, item, hint, jpath)

    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        for key in instance:
            if key in allowed:
                continue
            line, col = sm.key(instance, key)
            where = f" in {item!r}" if item else ""
            yield Diagnostic(
                Code.UNKNOWN_FIELD,
                Code.UNKNOWN_FIELD.message(
                    key=key, in_item=where, did_you_mean=did_you_mean(str(key), allowed)
                ),
                source,
                line,
                col,
                item,
                Code.UNKNOWN_FIELD.hint(allowed=", ".join(allowed)),
                _json_path([*path, key]),
            )
        return

    if kind == "required":
        missing = [name for name in error.validator_value if name not in instance]
        line, col = sm.container(instance)
        owner = f"{item!r}" if item else ("the file" if not path else field)
        for name in missing:
            description = error.schema.get("properties", {}).get(name, {}).get("description", "")
            yield Diagnostic(
                Code.MISSING_FIELD,
                Code.MISSING_FIELD.message(owner=owner, name=name),
                source,
                line or 1,
                col or 1,
                item,
                Code.MISSING_FIELD.hint(
                    name=name, described=f" — {description}" if description else ""
                ),
                jpath,
            )
        return

    if kind == "propertyNames":
        # The instance is the offending key itself; the path is its mapping.
        parent: Any = root
        for step in path:
            parent = parent[step]
        line, col = sm.key(parent, instance)
        yield Diagnostic(
            Code.INVALID_VALUE,
            f"{instance!r} is not a valid name for an entry of {field!r}",
            source,
            line,
            col,
            item,
            f"use lowercase letters, digits and single hyphens, e.g. {_slugify(str(instance))!r}",
            _json_path(path),
        )
        return

    if kind == "const" and path == ["dsl"]:
        yield at_value(
            Code.DSL_VERSION,
            f"dsl {instance!r} is not supported: this version of safeguard-standards reads dsl 1",
            "write 'dsl: 1', or upgrade safeguard-standards if the file was made for a newer one",
        )
        return

    if kind == "type":
        expected = error.validator_value
        expected_list = expected if isinstance(expected, list) else [expected]
        line, col, style, raw = sm.locate(root, path)
        if instance is None:
            yield Diagnostic(
                Code.EMPTY_VALUE,
                Code.EMPTY_VALUE.message(field=field),
                source,
                line,
                col,
                item,
                f"give {field!r} a value ({_TYPE_WORDS.get(expected_list[0], expected_list[0])}) "
                "or delete the line",
                jpath,
            )
            return
        if "string" in expected_list and not style and raw is not None:
            yield Diagnostic(
                Code.IMPLICIT_TYPE,
                f"YAML reads {raw} as {_found(instance)}, but {field!r} must be text",
                source,
                line,
                col,
                item,
                f'quote it: "{raw}"',
                jpath,
            )
            return
        words = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected_list)
        hint = f"write {field!r} as {words}"
        if "array" in expected_list and isinstance(instance, str):
            hint = f"write each entry of {field!r} on its own line starting with '- '"
        elif "boolean" in expected_list and isinstance(instance, str):
            hint = "write true or false"
        yield Diagnostic(
            Code.WRONG_TYPE,
            f"{field!r} must be {words}, found {_found(instance)}",
            source,
            line,
            col,
            item,
            hint,
            jpath,
        )
        return

    if kind == "enum":
        allowed = [str(v) for v in error.validator_value]
        yield at_value(
            Code.INVALID_VALUE,
            f"{instance!r} is not a valid {field!r}{did_you_mean(str(instance), allowed)}",
            "use one of: " + ", ".join(allowed),
        )
        return

    if kind == "pattern":
        pattern = error.validator_value
        what = f"a valid {field!r}"
        if "propertyNames" in error.relative_schema_path:
            # a key of the mapping at ``path`` (an id of a reference, scale or audience value)
            what = f"a valid name for an entry of {field!r}"
            mapping: Any = root
            for step in path:
                mapping = mapping[step]
            key_line, key_col = sm.key(mapping, instance)

            def at_value(code: Code, message: str, hint: str) -> Diagnostic:
                return Diagnostic(code, message, source, key_line, key_col, item, hint, jpath)

        if (
            isinstance(instance, str)
            and instance != instance.strip()
            and ecma_pattern(pattern).search(instance.strip())
        ):
            edge = "ends with a line break" if instance.endswith("\n") else "has spaces around it"
            yield at_value(
                Code.INVALID_VALUE,
                f"{instance!r} is not {what}: it {edge}",
                f"write {instance.strip()!r} on one line, without a block marker ('|' or '>' "
                "keeps the line break) and without spaces inside the quotes",
            )
            return
        field_of = _pattern_field(error.schema_path)
        hint = _PATTERN_HINTS.get(field_of, "")
        if field_of in ("version", "supersedes"):
            tidy = re.sub(r"[^A-Za-z0-9._-]+", "-", str(instance)).strip("-._") or "2025-26"
            hint = (
                "write the version with letters, digits, '.', '-' or '_', starting with a "
                f"letter or digit, e.g. {tidy!r}"
            )
        if not hint:  # an id, or the name of a reference, scale or audience value
            hint = (
                "use lowercase letters, digits and single hyphens, "
                f"e.g. {_slugify(str(instance))!r}"
            )
        yield at_value(Code.INVALID_VALUE, f"{instance!r} is not {what}", hint)
        return

    if kind == "minItems":
        if field in ("sections", "standards", "questions"):
            one = {"sections": "a section", "standards": "a standard", "questions": "a question"}
            yield at_value(
                Code.EMPTY_CONTAINER,
                f"{field!r} is empty",
                f"add at least {one[field]}, or remove the enclosing item",
            )
        else:
            yield at_value(
                Code.INVALID_VALUE,
                f"{field!r} needs at least {error.validator_value} entries",
                "add the missing entries",
            )
        return

    if kind == "minLength":
        empty = Code.EMPTY_VALUE
        yield at_value(empty, empty.message(field=field), empty.hint(field=field))
        return

    # uniqueItems, minProperties, and anything else the schema may grow.
    yield at_value(
        Code.INVALID_VALUE,
        f"{field!r}: {error.message}",
        "see docs/dsl.md for what this field accepts",
    )
