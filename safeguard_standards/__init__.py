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

from ._atomic import write_atomic
from ._audience import AudienceError, parse_audience, select_audience
from ._structure import schema, schema_text
from ._version import __version__
from .bundled import (
    BundledSet,
    SetNotFound,
    bundled_root,
    bundled_sets,
    check_bundled,
    check_set,
    load_bundled,
    load_set,
)
from .diagnostics import (
    ChecklistError,
    Code,
    Diagnostic,
    Severity,
    best_match,
    format_diagnostic,
)
from .loader import (
    LoadResult,
    check_path,
    check_text,
    load,
    load_path,
    load_text,
    validate,
)
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
    "Publisher",
    "Question",
    "Reference",
    "Scale",
    "Section",
    "SetNotFound",
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
