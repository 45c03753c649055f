"""From checked returns to the partnership's assurance pack: the computations.

Kept light on purpose: importing this package imports nothing heavy. Each part lives in its own
module, imported where it is used, and works on :class:`~safeguard_standards.returns.model.Return`
values and :class:`~safeguard_standards.model.Checklist` values (no file is read here; a caller
gives checked returns):

* :mod:`.table` — :class:`~.table.Table`: a title, column headings, rows and notes, the shape
  every document writer renders (HTML, PDF, DOCX, XLSX, CSV);
* :mod:`.roster` — the organisations expected to return (a roster CSV) and which return is
  whose;
* :mod:`.aggregate` — the thematic report's figures: response rate, the distribution of levels
  per question, standard and section, the share meeting the standard, breakdowns by audience,
  strongest and weakest standards, strengths and areas for improvement, with small-number
  suppression;
* :mod:`.yoy` — last year's returns mapped onto this year's questions through the typed diff;
* :mod:`.panel` — a reproducible selection of organisations (panel, verification visits);
* :mod:`.tracking` — year-2 monitoring of action plans;
* :mod:`.data` — every answer as one long table, and tables as CSV or Parquet;
* :mod:`.synthetic` — seeded, realistic returns for examples, tests and benchmarks;
* :mod:`.lean` — return JSON files read into :class:`Return` values quickly, for bulk work.
"""

from __future__ import annotations

__all__: list[str] = []
