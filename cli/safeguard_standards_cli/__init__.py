"""The ``safeguard`` command line: a thin shell over the safeguard_standards library."""

from ._app import cli, main

__all__ = ["cli", "main"]
