"""Everything the CLI prints passes through here: control characters are shown, not obeyed.

Text from a set (titles, question text, a diagnostic's source line), from a file name or from
an argument could otherwise reach the terminal as escape sequences: retitle the window, clear
the screen, hide text, or move the cursor to overwrite a line of a diff. While a command runs,
``sys.stdout`` and ``sys.stderr`` are replaced by :class:`EscapingStream` wrappers (see
:func:`escaped_output`, entered once by the command group), so every ``click.echo``, every
error message and click's own usage errors are covered without each command doing anything.

* C0 controls except tab and line feed (and a carriage return that ends a CRLF line end), DEL,
  the C1 controls and lone surrogates are written as ``\\u001b`` and so on, on both streams.
  None of them can be in a valid set (SG109, SG123), so no data printed to standard output
  changes; and in JSON output the same escape means the same character.
* Bidirectional-text overrides and isolates (U+202A-U+202E, U+2066-U+2069, and the marks
  U+200E, U+200F, U+061C), which are legal text but can make a line read differently from what
  it holds, are escaped on standard error always and on standard output when it is a
  terminal; written to a pipe or a file, data output (``new-version -o -``, ``resolve -o -``)
  keeps them exactly.

Binary output (``render -o -``) is written to ``sys.stdout.buffer``, which is not wrapped.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["EscapingStream", "escaped_output", "printable"]

_CONTROLS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff"
_BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}]|\\r(?!\\n)")
_UNSAFE_OR_BIDI = re.compile(f"[{_CONTROLS}{_BIDI}]|\\r(?!\\n)")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str, *, bidi: bool = True) -> str:
    """``text`` with every character that would steer a terminal written as ``\\uXXXX``."""
    return (_UNSAFE_OR_BIDI if bidi else _UNSAFE).sub(_escape, text)


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class EscapingStream:
    """A text stream that writes :func:`printable` text to the stream it wraps.

    Everything else (``buffer``, ``encoding``, ``isatty``, ``fileno``…) is the wrapped
    stream's, so binary output through ``.buffer`` is untouched.
    """

    def __init__(self, stream: TextIO, *, bidi: bool) -> None:
        self._stream = stream
        self._bidi = bidi

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a text stream does (click probes with b"")
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._stream.write(printable(text, bidi=self._bidi))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def escaped_output() -> Iterator[None]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` in EscapingStreams for the duration."""
    out, err = sys.stdout, sys.stderr
    if out is not None and not isinstance(out, EscapingStream):
        sys.stdout = EscapingStream(out, bidi=is_terminal(out))
    if err is not None and not isinstance(err, EscapingStream):
        sys.stderr = EscapingStream(err, bidi=True)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
