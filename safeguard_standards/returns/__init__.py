"""Completed returns: what comes back from the organisations that filled in a form.

Kept light on purpose: importing this package imports nothing heavy. Each part lives in its own
module and is imported where it is used:

* :mod:`safeguard_standards.returns.read` — from a file (PDF, Word, Excel, the web form's
  saved answers, our JSON and CSV) to a :class:`~.raw.RawReturn`: the envelope, every value
  found and where it was found (:mod:`.raw`), and the problems met reading it;
* :mod:`safeguard_standards.returns.check` — a raw return read against the version it
  answers (:func:`~.check.check`, :func:`~.check.check_many`): the typed return and every
  problem, located (SG53x-SG55x, personal data SG56x);
* :mod:`safeguard_standards.returns.model` — the checked, typed :class:`~.model.Return`, and
  the JSON Schema of its JSON form (``safeguard schema --return``);
* :mod:`safeguard_standards.returns.privacy` — personal data in free text (NHS and National
  Insurance numbers, pupil numbers, postcodes, phone numbers, e-mail addresses, dates of
  birth, named children and family members): typed findings, masked for messages, and
  redaction.
"""

from __future__ import annotations

__all__: list[str] = []
