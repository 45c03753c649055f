"""Reports on completed returns: what a partnership makes of them.

Kept light on purpose: importing this package imports nothing heavy. Each part lives in its own
module and is imported where it is used.
"""

from __future__ import annotations

__all__: list[str] = []
