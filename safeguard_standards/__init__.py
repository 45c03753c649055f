"""safeguard-standards: English child-safeguarding audit standards as code.

Load, validate, diff, tailor and render versioned YAML standard sets (section 11 of the
Children Act 2004, Keeping Children Safe in Education, a voluntary and community sector
checklist).

>>> import safeguard_standards as sg
>>> kcsie = sg.load_bundled("kcsie")
>>> [d.code.code for d in sg.validate("standards/kcsie/2025-26.yaml")]  # doctest: +SKIP
[]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # the real imports, for type checkers and editors
    from ._atomic import OutputError, write_atomic
    from ._audience import AudienceError, parse_audience, select_audience
    from ._setspec import SetNotFound, SetSpec, SetSpecError
    from ._structure import schema, schema_text
    from .bundled import BundledSet, bundled_root, bundled_sets
    from .diagnostics import (
        ChecklistError,
        Code,
        Diagnostic,
        SafeguardError,
        Severity,
        best_match,
        format_diagnostic,
    )
    from .loader import LoadResult
    from .model import (
        ActionPlan,
        ActionPlanColumn,
        Audience,
        AudienceValue,
        Checklist,
        Citation,
        Condition,
        Guidance,
        Level,
        Location,
        Option,
        Publisher,
        Question,
        Reference,
        Scale,
        Section,
        Standard,
    )
    from .sets import (
        Registry,
        check_bundled,
        check_path,
        check_set,
        check_text,
        load,
        load_bundled,
        load_path,
        load_set,
        load_text,
        validate,
    )

# Public name -> module that defines it. Importing the package stays cheap (the CLI's
# start-up depends on it); each module is imported on first use of one of its names.
_EXPORTS: dict[str, str] = {
    "ActionPlan": ".model",
    "ActionPlanColumn": ".model",
    "Audience": ".model",
    "AudienceError": "._audience",
    "AudienceValue": ".model",
    "BundledSet": ".bundled",
    "Checklist": ".model",
    "ChecklistError": ".diagnostics",
    "Citation": ".model",
    "Code": ".diagnostics",
    "Condition": ".model",
    "Diagnostic": ".diagnostics",
    "Guidance": ".model",
    "Level": ".model",
    "LoadResult": ".loader",
    "Location": ".model",
    "Option": ".model",
    "OutputError": "._atomic",
    "Publisher": ".model",
    "Question": ".model",
    "Reference": ".model",
    "Scale": ".model",
    "Section": ".model",
    "Registry": ".sets",
    "SafeguardError": ".diagnostics",
    "SetNotFound": "._setspec",
    "SetSpec": "._setspec",
    "SetSpecError": "._setspec",
    "Severity": ".diagnostics",
    "Standard": ".model",
    "best_match": ".diagnostics",
    "bundled_root": ".bundled",
    "bundled_sets": ".bundled",
    "check_bundled": ".sets",
    "check_path": ".sets",
    "check_set": ".sets",
    "check_text": ".sets",
    "format_diagnostic": ".diagnostics",
    "load": ".sets",
    "load_bundled": ".sets",
    "load_path": ".sets",
    "load_set": ".sets",
    "load_text": ".sets",
    "parse_audience": "._audience",
    "schema": "._structure",
    "schema_text": "._structure",
    "select_audience": "._audience",
    "validate": ".sets",
    "write_atomic": "._atomic",
}

__all__ = [
    "ActionPlan",
    "ActionPlanColumn",
    "Audience",
    "AudienceError",
    "AudienceValue",
    "BundledSet",
    "Checklist",
    "ChecklistError",
    "Citation",
    "Code",
    "Condition",
    "Diagnostic",
    "Guidance",
    "Level",
    "LoadResult",
    "Location",
    "Option",
    "OutputError",
    "Publisher",
    "Question",
    "Reference",
    "Registry",
    "SafeguardError",
    "Scale",
    "Section",
    "SetNotFound",
    "SetSpec",
    "SetSpecError",
    "Severity",
    "Standard",
    "__version__",
    "best_match",
    "bundled_root",
    "bundled_sets",
    "check_bundled",
    "check_path",
    "check_set",
    "check_text",
    "format_diagnostic",
    "load",
    "load_bundled",
    "load_path",
    "load_set",
    "load_text",
    "parse_audience",
    "schema",
    "schema_text",
    "select_audience",
    "validate",
    "write_atomic",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'safeguard_standards' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
