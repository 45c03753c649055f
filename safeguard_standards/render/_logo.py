"""The publisher's logo, read from the set's folder and checked, as a ``data:`` URI.

:func:`logo_data_uri` is the one place a renderer reads a file named by the set; the image
itself is checked by :mod:`._assets` (type, size, pixels, SVG content) before any renderer
sees it. A :class:`~._view.DocumentView` asks for its logo when a writer first prints it.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Publisher

__all__ = ["logo_data_uri"]


# -- branding --------------------------------------------------------------------------------

_LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def logo_data_uri(publisher: Publisher | None, base_dir: str | None) -> str:
    """The publisher's logo as a checked ``data:`` URI, or ``""`` when there is none.

    A relative logo path is taken from the folder of the file that names it
    (``publisher.logo_dir``; ``base_dir`` when the set was not read from a file) and must stay
    inside that folder (no ``..`` escapes, no absolute paths elsewhere, no symbolic link out);
    with ``base_dir`` None no file is read and the logo is left out. A ``data:image/…`` logo
    and a file alike go through :mod:`~safeguard_standards.render._assets` (size, kind,
    pixels, SVG ``<use>`` nesting) before any renderer sees them. Raises RenderError located at
    the logo value: SG402 (outside the folder, missing, too large, not an image name), SG420
    (not a regular file, or a path that cannot be used), SG421-SG423 (see ``_assets``).
    """
    from .._files import FileProblem, confine, read_regular
    from . import RenderError
    from ._assets import MAX_BYTES, ImageProblem, checked_image, decode_data_uri

    if publisher is None or not publisher.logo:
        return ""
    logo = publisher.logo.strip()
    where = str(publisher.logo_at) if publisher.logo_at.line else ""
    shown = logo if len(logo) <= 80 else logo[:60] + "…"

    def fail(code: str, message: str, hint: str) -> RenderError:
        return RenderError(message, hint, code, where=where)

    try:
        if logo[:5].lower() == "data:":
            mime, data = decode_data_uri(logo)
            if mime not in _LOGO_TYPES.values():
                raise fail(
                    "SG422",
                    f"the data: logo is of type {mime[:40]!r}, not a PNG, JPEG, GIF, SVG or "
                    "WebP image",
                    "convert the logo to PNG or SVG",
                )
            return checked_image(data, mime, "the data: logo")
        if base_dir is None:
            return ""
        root = publisher.logo_dir or base_dir
        try:
            path = confine(root, logo)
        except FileProblem as exc:
            if exc.kind == "outside":
                raise fail(
                    "SG402",
                    f"the logo {shown!r} is outside the folder of the set ({Path(root)})",
                    "put the logo file next to the YAML file and give its relative path",
                ) from None
            raise fail(
                "SG420", f"the logo {shown!r} cannot be used: {exc.reason}", _PATH_HINT
            ) from None
        mime = _LOGO_TYPES.get(path.suffix.lower(), "")
        if not mime:
            raise fail(
                "SG402",
                f"the logo {shown!r} is not a PNG, JPEG, GIF, SVG or WebP image",
                "convert the logo to PNG or SVG",
            )
        try:
            data = read_regular(path, MAX_BYTES)
        except FileProblem as exc:
            if exc.kind in ("missing", "too-large"):
                raise fail(
                    "SG402",
                    f"the logo {shown!r} cannot be read: {exc.reason}",
                    f"check that the file exists in {Path(root)}"
                    if exc.kind == "missing"
                    else "use a smaller image",
                ) from None
            raise fail(
                "SG420", f"the logo {shown!r} cannot be read: {exc.reason}", _PATH_HINT
            ) from None
        return checked_image(data, mime, f"the logo {shown!r}")
    except ImageProblem as exc:
        raise fail(exc.code, exc.message, exc.hint) from None


_PATH_HINT = "give the relative path of an image file next to the YAML file"
