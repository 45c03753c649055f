"""Checking an image before any renderer sees it (the publisher's logo).

Every renderer gets the logo from :func:`checked_image`, as a ``data:`` URI rebuilt from bytes
that passed every check here, so no renderer ever decodes or lays out an image that was not
checked first:

* the bytes: at most :data:`MAX_BYTES` (file and ``data:`` logos alike); a ``data:`` URI
  must be valid base64 (or percent-encoded text);
* the kind: sniffed from the bytes, and it must be the one the file name or the ``data:``
  type says (a ``.png`` that is a JPEG, or a text file, is refused);
* raster images (PNG, JPEG, GIF, WebP): the width and height are read from the header with
  Pillow, without decoding, and at most :data:`MAX_PIXELS` pixels are allowed; only then is
  the first frame decoded, to find a truncated or damaged file (a decompression bomb is
  therefore never decoded, and Pillow's own bomb warning can never be reached or printed);
* SVG: parsed with expat (no DTD, no entity, nothing fetched), with at most
  :data:`MAX_SVG_ELEMENTS` elements, :data:`MAX_SVG_DEPTH` levels, :data:`MAX_SVG_USES`
  ``<use>`` elements and no ``<use>`` that reaches another ``<use>`` (directly, through a
  group or a pattern, or a circle), so a "use bomb" that describes billions of shapes in a
  few kilobytes is refused before a renderer expands it. References may only point inside the
  file (``#id``) or be ``data:`` images, which are checked the same way (one level: an SVG
  inside an SVG is refused).

Problems raise :class:`ImageProblem` (made a RenderError by the caller) with codes SG402
(bytes), SG421 (pixels), SG422 (damaged or not the kind it claims) and SG423 (SVG refused).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
import urllib.parse
import warnings
from collections.abc import Callable

__all__ = [
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SVG_DEPTH",
    "MAX_SVG_ELEMENTS",
    "MAX_SVG_USES",
    "ImageProblem",
    "checked_image",
    "content_security_policy",
    "decode_data_uri",
    "sniff",
]

#: Largest logo, in bytes (a file or the bytes of a ``data:`` URI).
MAX_BYTES = 2 * 1024 * 1024
#: Most pixels (width × height) of a raster logo: 4096 × 4096.
MAX_PIXELS = 4096 * 4096
#: Most elements in an SVG logo.
MAX_SVG_ELEMENTS = 20_000
#: Deepest nesting of elements in an SVG logo.
MAX_SVG_DEPTH = 64
#: Most ``<use>`` elements in an SVG logo.
MAX_SVG_USES = 100

TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml")
_NAMES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/svg+xml": "SVG",
}
_PILLOW = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


def content_security_policy(*scripts: str) -> str:
    """The Content-Security-Policy every HTML document carries (in a ``<meta>``): nothing may
    be loaded from anywhere (``default-src 'none'``) except the inline styles, ``data:``
    images and fonts, and the inline scripts given here, each allowed by its SHA-256 hash, so
    that a script or a request that slipped past every other check still cannot run or
    fetch."""
    import hashlib

    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts
    )
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
        f"script-src {hashes or chr(39) + 'none' + chr(39)}; "
        "base-uri 'none'; form-action 'none'"
    )


class ImageProblem(Exception):
    """An image refused: ``code`` (SG421/SG422/SG423), a message and a hint."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def sniff(data: bytes) -> str:
    """The image type of ``data`` from its first bytes, or "" when it is none we take."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and b"<svg" in head:
        return "image/svg+xml"
    return ""


_DATA = re.compile(r"data:([\w.+-]+/[\w.+-]+)((?:;[\w.+-]+=[^;,]*)*)(;base64)?,(.*)\Z", re.S | re.I)


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    """The declared type and the bytes of a ``data:`` URI; raises ImageProblem (SG422)."""
    m = _DATA.match(uri.strip())
    if m is None:
        raise ImageProblem(
            "SG422",
            "the data: logo is not a well-formed data: URI",
            "write data:image/png;base64,… (or give the path of the image file)",
        )
    mime = m.group(1).lower()
    body = m.group(4)
    if len(body) > MAX_BYTES * 4 // 3 + 4096:
        raise ImageProblem("SG402", "the data: logo is larger than 2 MB", "use a smaller image")
    if m.group(3):
        compact = re.sub(r"\s+", "", body)
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise ImageProblem(
                "SG422",
                "the data: logo is not valid base64",
                "encode the image again (base64 uses A-Z, a-z, 0-9, + and /, padded with =)",
            ) from None
    else:
        data = urllib.parse.unquote_to_bytes(body)
    return mime, data


def checked_image(data: bytes, claimed: str, what: str, _nested: bool = False) -> str:
    """Check image bytes that are said to be of type ``claimed``; returns a ``data:`` URI.

    ``what`` names the image in messages (``the logo 'logo.png'``). Raises ImageProblem.
    """
    if len(data) > MAX_BYTES:
        raise ImageProblem("SG402", f"{what} is larger than 2 MB", "use a smaller image")
    kind = sniff(data)
    if not kind:
        raise ImageProblem(
            "SG422",
            f"{what} is not a PNG, JPEG, GIF, WebP or SVG image (its content is none of them)",
            "save the logo again as PNG or SVG",
        )
    if claimed and kind != claimed:
        raise ImageProblem(
            "SG422",
            f"{what} is said to be {_NAMES.get(claimed, claimed)} but is a {_NAMES[kind]} image",
            f"give the file the extension of its type ({_NAMES[kind]}), or convert it",
        )
    if kind == "image/svg+xml":
        if _nested:
            raise ImageProblem(
                "SG423", f"{what} embeds an SVG image inside an SVG", "flatten the SVG"
            )
        check_svg(data, what)
    else:
        check_raster(data, kind, what)
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def check_raster(data: bytes, kind: str, what: str) -> None:
    """Pixel count from the header, then a decode of the first frame (only when small)."""
    from PIL import ImageFile

    damaged = ImageProblem(
        "SG422",
        f"{what} is damaged or incomplete: it cannot be read as a {_NAMES[kind]} image",
        "open the logo in an image editor and save it again",
    )
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is
    # imported; a truncated logo must be found whatever was imported before.
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        _open_and_decode(data, kind, what, damaged)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok


def _open_and_decode(data: bytes, kind: str, what: str, damaged: ImageProblem) -> None:
    from PIL import Image

    with warnings.catch_warnings():
        # Pillow warns (and refuses above twice its own limit) on large images; ours is lower
        # and checked first, so neither can happen, and a warning would never be printed.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[_PILLOW[kind]]) as im:
                width, height = im.size
                if width <= 0 or height <= 0:
                    raise damaged
                if width * height > MAX_PIXELS:
                    raise ImageProblem(
                        "SG421",
                        f"{what} is {width:,} × {height:,} pixels; the limit is "
                        f"{MAX_PIXELS:,} pixels (4096 × 4096)",
                        "scale the logo down: a logo is printed about 5 cm wide",
                    )
                im.load()
            if kind == "image/png":  # every chunk's checksum, up to IEND (nothing decoded)
                with Image.open(io.BytesIO(data), formats=["PNG"]) as again:
                    again.verify()
        except ImageProblem:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageProblem(
                "SG421",
                f"{what} has more pixels than the limit of {MAX_PIXELS:,} (4096 × 4096)",
                "scale the logo down: a logo is printed about 5 cm wide",
            ) from None
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error):
            raise damaged from None


# -- SVG -----------------------------------------------------------------------------------

#: Longest chain of children and references followed when looking for nested ``<use>``.
_MAX_REF_DEPTH = 256
_URL_REF = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)


class _Node:
    __slots__ = ("children", "refs", "tag")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.children: list[_Node] = []
        self.refs: list[str] = []


def check_svg(data: bytes, what: str) -> None:
    """Parse an SVG safely and refuse what could make a renderer expand or fetch without
    bound; raises ImageProblem (SG422 not well-formed, SG423 refused)."""
    import xml.parsers.expat

    def refuse(message: str, hint: str = "simplify the SVG, or save the logo as PNG") -> None:
        raise ImageProblem("SG423", f"{what}: {message}", hint)

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    ids: dict[str, _Node] = {}
    stack: list[_Node] = [_Node("#document")]
    counts = {"elements": 0, "uses": 0}
    embedded: list[tuple[str, str]] = []
    style: list[str] = []

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if internal:
            refuse("it declares a document type with its own entities or elements")

    def entity(*_args: object) -> None:
        refuse("it declares an entity (an entity can expand without bound)")

    def external(*_args: object) -> int:
        refuse("it refers to an external entity")
        return 0

    def start(name: str, attributes: dict[str, str]) -> None:
        counts["elements"] += 1
        if counts["elements"] > MAX_SVG_ELEMENTS:
            refuse(f"it has more than {MAX_SVG_ELEMENTS:,} elements")
        if len(stack) > MAX_SVG_DEPTH:
            refuse(f"its elements are nested more than {MAX_SVG_DEPTH} levels deep")
        local = name.rpartition(" ")[2]
        node = _Node(local)
        if local == "use":
            counts["uses"] += 1
            if counts["uses"] > MAX_SVG_USES:
                refuse(f"it has more than {MAX_SVG_USES} <use> elements")
        for key, value in attributes.items():
            attr = key.rpartition(" ")[2]
            if attr == "id":
                ids.setdefault(value, node)
            elif attr == "href":
                target = value.strip()
                if target.startswith("#"):
                    node.refs.append(target[1:])
                elif target.lower().startswith("data:"):
                    embedded.append((target, local))
                elif target:
                    refuse(f"it refers to another file or address ({target[:60]!r})")
            if attr == "style" and "\\" in value:
                refuse("a style attribute uses CSS escapes")
            for ref in _URL_REF.findall(value):
                if ref.startswith("#"):
                    node.refs.append(ref[1:])
                elif ref and not ref.lower().startswith("data:"):
                    refuse(f"it refers to another file or address ({ref[:60]!r})")
        stack[-1].children.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        node = stack.pop()
        if node.tag == "style":
            text = "".join(style)
            style.clear()
            for ref in _URL_REF.findall(text):
                if ref.startswith("#"):
                    node.refs.append(ref[1:])
                elif ref and not ref.lower().startswith("data:"):
                    refuse(f"its styles refer to another file or address ({ref[:60]!r})")
            if "@import" in text.lower() or "\\" in text:
                refuse("its styles import another file or use CSS escapes")

    def style_text(text: str) -> None:
        if stack[-1].tag == "style":
            style.append(text)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = style_text
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ImageProblem(
            "SG422",
            f"{what} is not a well-formed SVG file ({_expat_message(exc)} at line {exc.lineno})",
            "open the logo in an image editor and save it again as SVG",
        ) from None
    root = stack[0].children
    if not root or root[0].tag != "svg":
        raise ImageProblem(
            "SG422",
            f"{what} is not an SVG image (its first element is not <svg>)",
            "save it as SVG",
        )
    _check_uses(root[0], ids, refuse)
    for uri, _tag in embedded:
        try:
            mime, inner = decode_data_uri(uri)
        except ImageProblem as exc:
            refuse(f"an image inside it is refused: {exc.message}")
        if mime not in TYPES:
            refuse(f"it embeds something that is not an image ({mime})")
        try:
            checked_image(inner, mime, "an image inside it", _nested=True)
        except ImageProblem as exc:
            raise ImageProblem(exc.code, f"{what}: {exc.message}", exc.hint) from None


def _expat_message(exc: Exception) -> str:
    import xml.parsers.expat

    code = getattr(exc, "code", None)
    return str(xml.parsers.expat.errors.messages.get(code, exc)) if code else str(exc)


def _check_uses(root: _Node, ids: dict[str, _Node], refuse: Callable[..., None]) -> None:
    """Refuse a <use> that reaches another <use> (through any chain of references and
    children), and any circle of references."""
    reaches: dict[int, bool] = {}  # id(node) -> whether it is or reaches a <use>
    visiting: set[int] = set()

    def has_use(node: _Node, depth: int = 0) -> bool:
        key = id(node)
        if key in reaches:
            return reaches[key]
        if key in visiting:
            refuse("its references form a circle (an element that uses itself)")
        if depth > _MAX_REF_DEPTH:
            refuse(f"its references are chained more than {_MAX_REF_DEPTH} deep")
        visiting.add(key)
        found = node.tag == "use"
        for child in node.children:
            found = has_use(child, depth + 1) or found
        for ref in node.refs:
            target = ids.get(ref)
            if target is not None:
                found = has_use(target, depth + 1) or found
        visiting.discard(key)
        reaches[key] = found
        return found

    def walk(node: _Node) -> None:
        pending = [node]
        while pending:
            n = pending.pop()
            if n.tag == "use":
                for ref in n.refs:
                    target = ids.get(ref)
                    if target is not None and has_use(target):
                        refuse(
                            "a <use> element repeats something that itself contains <use> "
                            "(nested <use> can describe billions of shapes)",
                            "flatten the SVG (in Inkscape: Edit > Clone > Unlink clone), or "
                            "save the logo as PNG",
                        )
            else:
                for ref in n.refs:
                    target = ids.get(ref)
                    if target is not None:
                        has_use(target)  # circles through patterns, markers, filters
            pending.extend(n.children)

    walk(root)
