"""Hostile files a set names: logos, restyling CSS and the set an overlay extends.

Generated cases of each class, not hand-picked files:

* every image kind (PNG, JPEG, GIF, WebP, SVG) as a file and as a ``data:`` URI, valid,
  truncated, named with the wrong extension, as a decompression bomb (more pixels than the
  limit), and ``data:`` URIs with bad base64: every one is either embedded (in HTML, and in
  Word for the kinds Word takes) or refused with its code at the logo's line and column —
  never a crash, never Pillow's bomb warning;
* SVG "use bombs" (nested, indirect through groups, symbols and patterns, circular), entity
  tricks and outside references, each refused (SG423) quickly;
* every awkward path kind (a named pipe, a device, a 2 GB sparse file, a folder, a loop of
  symbolic links, a name too long, a NUL, a folder that may not be searched) as a logo, as
  ``--css`` and as ``extends:``: a located diagnostic at once, no hang, no traceback;
* ``extends:`` confined to the overlay's folder (``--extends-from`` allows more), and the
  content of a file that is not a set never echoed;
* a relative logo taken from the folder of the file that names it (a base set's logo when an
  overlay in another folder extends it);
* CSS: escapes and every spelling of ``url(``/``image-set(`` refused by the tokenizer's
  allowed lists; and with the check bypassed on purpose, the page's Content-Security-Policy
  still stops Chromium from making any request to a local server.
"""

from __future__ import annotations

import base64
import io
import itertools
import os
import random
import re
import subprocess
import sys
import time
import warnings
import zlib
from pathlib import Path
from typing import Any

import pytest

from safeguard_standards import Registry, check_set
from safeguard_standards.model import Publisher
from safeguard_standards.render import RenderError, RenderOptions, render
from safeguard_standards.render._assets import MAX_PIXELS, MAX_SVG_USES
from safeguard_standards.render._html import check_css
from safeguard_standards.render._view import logo_data_uri
from safeguard_standards.tailoring import check_overlay_text

HERE = Path(__file__).resolve().parent


def _harness() -> Any:
    """tests/test_safe_output.py, for its no-request harness (the recording server)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_safe_output_harness", HERE / "test_safe_output.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def harness() -> Any:
    return _harness()


@pytest.fixture(scope="module")
def quiet_server(harness: Any) -> Any:
    """The harness's local server: every request it gets is recorded; none may come."""
    import http.server
    import threading

    harness._Recorder.requests.clear()
    httpd = http.server.HTTPServer(("127.0.0.1", 0), harness._Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def chromium(harness: Any) -> Any:
    if not os.path.exists(harness.CHROMIUM):
        pytest.skip(f"{harness.CHROMIUM} is not installed (CI installs chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=harness.CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


COMPLETE = HERE / "cases" / "valid" / "complete.yaml"
PUBLISHER_LINE = "publisher: {name: Example Safeguarding Partnership, contact: audit@example.org}"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# -- images, generated -----------------------------------------------------------------------

RASTER = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}


def raster(ext: str, size: tuple[int, int] = (40, 20)) -> bytes:
    from PIL import Image

    im = Image.new("RGB", size, (29, 79, 145))
    for x in range(min(size[0], 40)):  # not one flat colour: a real decode has work to do
        im.putpixel((x, x % size[1]), (255, 255, 255))
    out = io.BytesIO()
    im.save(out, RASTER[ext], **({"lossless": True} if ext == "webp" else {}))
    return out.getvalue()


SVG_OK = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'width="40" height="20"><defs><rect id="r" width="4" height="4" fill="#1d4f91"/></defs>'
    b'<use xlink:href="#r" x="2"/><use href="#r" x="10"/><circle cx="30" cy="10" r="5"/></svg>'
)


def image(ext: str) -> bytes:
    return SVG_OK if ext == "svg" else raster(ext)


def _chunk(tag: bytes, data: bytes) -> bytes:
    import struct

    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bomb(width: int, height: int) -> bytes:
    """A PNG whose header says width x height; its few kilobytes of data decompress to rows
    of zeros (the shape of a real decompression bomb)."""
    import struct

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")
    )


def bombs() -> list[tuple[str, str, bytes]]:
    """(name, extension, bytes): more pixels than the limit, each kind, small on disk."""
    side = int(MAX_PIXELS**0.5) + 8  # just over the limit, as a square
    return [
        ("png-header-50000", "png", png_bomb(50_000, 50_000)),
        ("png-header-just-over", "png", png_bomb(side, side)),
        ("png-one-row-too-wide", "png", png_bomb(MAX_PIXELS + 1, 1)),
        *((f"{ext}-real", ext, raster(ext, (side, side))) for ext in ("png", "gif", "webp")),
        ("jpg-real", "jpg", raster("jpg", (side, side))),
    ]


@pytest.fixture(scope="module")
def bomb_cases() -> list[tuple[str, str, bytes]]:
    return bombs()


def set_with_logo(folder: Path, logo: str, name: str = "set.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = COMPLETE.read_text(encoding="utf-8").replace(
        PUBLISHER_LINE,
        "publisher:\n  name: Example Safeguarding Partnership\n  logo: " + _yaml_str(logo),
    )
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\0", "\\0") + '"'


def _logo_line(path: Path) -> tuple[int, int]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("  logo: "):
            return n, len("  logo: ") + 1
    raise AssertionError("no logo line")


def render_logo(path: Path, fmt: str = "html") -> bytes:
    checklist = check_set(str(path)).unwrap()
    return render(checklist, "form", fmt, RenderOptions(base_dir=str(path.parent)))


def refused(path: Path, fmt: str = "html") -> RenderError:
    with pytest.raises(RenderError) as caught:
        render_logo(path, fmt)
    line, col = _logo_line(path)
    assert caught.value.where == f"{path}:{line}:{col}", caught.value.where
    return caught.value


# -- every image kind, as a file and as data: -------------------------------------------------


@pytest.mark.parametrize("ext", list(MIME))
@pytest.mark.parametrize("as_data", [False, True], ids=["file", "data"])
def test_every_image_kind_is_embedded_as_what_it_is(tmp_path: Path, ext: str, as_data: bool):
    data = image(ext)
    if as_data:
        path = set_with_logo(tmp_path, f"data:{MIME[ext]};base64,{base64.b64encode(data).decode()}")
    else:
        (tmp_path / f"logo.{ext}").write_bytes(data)
        path = set_with_logo(tmp_path, f"logo.{ext}")
    html = render_logo(path).decode("utf-8")
    m = re.search(r'<img class="logo" src="data:([^;]+);base64,([^"]+)"', html)
    assert m is not None
    assert m.group(1) == MIME[ext]
    assert base64.b64decode(m.group(2)) == data
    if ext in ("png", "jpg", "gif"):  # the kinds Word embeds
        import docx

        document = docx.Document(io.BytesIO(render_logo(path, "docx")))
        assert len(document.inline_shapes) == 1


def test_every_raster_bomb_is_refused_from_its_header_without_a_warning(
    tmp_path: Path, bomb_cases: list[tuple[str, str, bytes]]
):
    for name, ext, data in bomb_cases:
        assert len(data) < 2 * 1024 * 1024, name  # small on disk: the size check cannot help
        for as_data in (False, True):
            folder = tmp_path / f"{name}-{as_data}"
            if as_data:
                logo = f"data:{MIME[ext]};base64,{base64.b64encode(data).decode()}"
                if len(logo) > 100_000:  # a YAML value has its own limit (SG119)
                    continue
            else:
                (folder).mkdir()
                (folder / f"logo.{ext}").write_bytes(data)
                logo = f"logo.{ext}"
            path = set_with_logo(folder, logo)
            started = time.perf_counter()
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                err = refused(path)
            assert time.perf_counter() - started < 10, name  # the header, not a decode
            assert err.code == "SG421", (name, err.message)
            assert not [w for w in seen if "DecompressionBomb" in str(w.category)], name


def test_a_logo_over_the_byte_limit_is_refused_without_reading_it_all(tmp_path: Path):
    from safeguard_standards.render._assets import MAX_BYTES, checked_image

    data = image("png")
    with open(tmp_path / "logo.png", "wb") as handle:  # a valid start, then 2 MB + 1 of zeros
        handle.write(data)
        handle.truncate(MAX_BYTES + 1)
    assert refused(set_with_logo(tmp_path, "logo.png")).code == "SG402"
    with pytest.raises(Exception) as caught:  # bytes given directly: the same limit
        checked_image(data + b"\0" * MAX_BYTES, "image/png", "the logo")
    assert getattr(caught.value, "code", None) == "SG402"


def test_the_pixel_limit_itself_is_allowed(tmp_path: Path):
    data = png_bomb(MAX_PIXELS // 64, 64)  # exactly MAX_PIXELS, valid rows of zeros
    (tmp_path / "logo.png").write_bytes(data)
    html = render_logo(set_with_logo(tmp_path, "logo.png")).decode()
    assert 'src="data:image/png;base64,' in html


@pytest.mark.parametrize("ext", list(MIME))
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_image_is_refused(tmp_path: Path, ext: str, keep: float):
    import weasyprint  # noqa: F401  (it makes Pillow accept truncated images, process-wide)

    data = image(ext)
    (tmp_path / f"logo.{ext}").write_bytes(data[: int(len(data) * keep)])
    err = refused(set_with_logo(tmp_path, f"logo.{ext}"))
    assert err.code == "SG422", err.message


@pytest.mark.parametrize(("content", "name"), list(itertools.permutations(MIME, 2)))
def test_an_image_named_as_another_kind_is_refused(tmp_path: Path, content: str, name: str):
    (tmp_path / f"logo.{name}").write_bytes(image(content))
    err = refused(set_with_logo(tmp_path, f"logo.{name}"))
    assert err.code == "SG422"
    assert "but is a" in err.message


@pytest.mark.parametrize("ext", list(MIME))
@pytest.mark.parametrize(
    "content",
    [b"", b"hello, not an image\n", b"root:x:0:0:root:/root:/bin/bash\n", os.urandom(64)],
    ids=["empty", "text", "passwd", "random"],
)
def test_a_file_that_is_not_an_image_is_refused_in_every_format(
    tmp_path: Path, ext: str, content: bytes
):
    (tmp_path / f"logo.{ext}").write_bytes(content)
    path = set_with_logo(tmp_path, f"logo.{ext}")
    for fmt in ("html", "docx", "xlsx", "md", "json"):  # each builds the title page's logo
        assert refused(path, fmt).code == "SG422", fmt
    render_logo(path, "csv")  # a CSV has no logo: it is not read


BAD_DATA = [
    "data:image/png;base64,!!!!",
    "data:image/png;base64,AAA",  # bad padding
    "data:image/png;base64,",
    "data:image/png;base64,iVBORw0KGgo=",  # the PNG signature and nothing else
    "data:image/png;base64," + base64.b64encode(b"GIF89a" + b"\0" * 20).decode(),
    "data:image/jpeg;base64,/9j/" + "A" * 40,
    "data:image/svg+xml,<svg",
    "data:image/svg+xml;base64," + base64.b64encode(b"<svg><g></svg>").decode(),
    "data:image/png",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/x-icon;base64,AAABAA==",
]


@pytest.mark.parametrize("logo", BAD_DATA)
def test_a_bad_data_logo_is_a_located_diagnostic_in_every_format(tmp_path: Path, logo: str):
    path = set_with_logo(tmp_path, logo)
    for fmt in ("html", "docx", "md", "json"):
        err = refused(path, fmt)
        assert err.code == "SG422", (fmt, err.message)


def test_a_bad_data_logo_is_refused_by_the_cli_with_its_line(tmp_path: Path):
    path = set_with_logo(tmp_path, "data:image/png;base64,!!!!")
    line, col = _logo_line(path)
    for fmt in ("docx", "html", "pdf"):
        out = tmp_path / f"out.{fmt}"
        result = _cli("render", str(path), "--as", "form", "-o", str(out))
        assert result.returncode == 1, result.stderr
        assert f"{path}:{line}:{col}: SG422 " in result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists()


# -- SVG: use bombs, entities, references -------------------------------------------------------

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


def use_bomb(depth: int, fan: int, attr: str = "href", wrapper: str = "g") -> bytes:
    """The classic: level k is a group of ``fan`` uses of level k-1 (fan**depth shapes)."""
    parts = [SVG_HEAD, '<defs><path id="l0" d="M0 0h1v1z"/>']
    for k in range(1, depth + 1):
        uses = "".join(f'<use {attr}="#l{k - 1}"/>' for _ in range(fan))
        parts.append(f'<{wrapper} id="l{k}">{uses}</{wrapper}>')
    parts.append(f'</defs><use {attr}="#l{depth}"/></svg>')
    return "".join(parts).encode()


SVG_REFUSED = {
    **{
        f"use-bomb-{d}x{f}-{a}-{w}": use_bomb(d, f, a, w)
        for d, f in ((2, 2), (5, 10), (10, 10))
        for a in ("href", "xlink:href")
        for w in ("g", "symbol")
    },
    "use-of-a-use": (SVG_HEAD + '<rect id="r"/><use id="u" href="#r"/><use href="#u"/></svg>'),
    "use-of-itself": SVG_HEAD + '<use id="u" href="#u"/></svg>',
    "use-circle": SVG_HEAD + '<g id="a"><use href="#b"/></g><g id="b"><rect/></g>'
    '<use id="c" href="#a"/></svg>',
    "use-through-a-pattern": SVG_HEAD
    + '<pattern id="p"><use href="#g"/></pattern><g id="g"><rect/></g>'
    '<g id="h"><rect fill="url(#p)"/></g><use href="#h"/></svg>',
    "use-through-a-style-attribute": SVG_HEAD
    + '<pattern id="p"><use href="#g"/></pattern><g id="g"><rect/></g>'
    '<g id="h"><rect style="fill: url( \'#p\' )"/></g><use href="#h"/></svg>',
    "pattern-circle": SVG_HEAD
    + '<pattern id="p" href="#q"><rect/></pattern><pattern id="q" href="#p"/>'
    '<rect fill="url(#p)"/></svg>',
    "too-many-uses": SVG_HEAD
    + '<rect id="r"/>'
    + '<use href="#r"/>' * (MAX_SVG_USES + 1)
    + "</svg>",
    "too-many-elements": SVG_HEAD + "<g/>" * 20_001 + "</svg>",
    "too-deep": SVG_HEAD + "<g>" * 70 + "</g>" * 70 + "</svg>",
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    + SVG_HEAD
    + "<text>&c;</text></svg>",
    "external-entity": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
    '"file:///etc/passwd">]>' + SVG_HEAD + "<text>&x;</text></svg>",
    "parameter-entity": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % x SYSTEM '
    '"http://127.0.0.1:9/x.dtd"> %x;]>' + SVG_HEAD + "</svg>",
    "image-from-an-address": SVG_HEAD + '<image href="http://127.0.0.1:9/x.png"/></svg>',
    "image-from-a-file": SVG_HEAD + '<image xlink:href="file:///etc/passwd"/></svg>',
    "use-of-another-file": SVG_HEAD + '<use href="other.svg#a"/></svg>',
    "fill-from-another-file": SVG_HEAD + '<rect fill="url(other.svg#p)"/></svg>',
    "style-import": SVG_HEAD + "<style>@import 'http://127.0.0.1:9/x.css';</style></svg>",
    "style-escaped-url": SVG_HEAD + r"<style>rect { fill: \75 rl(http://127.0.0.1:9/) }</style>"
    "</svg>",
    "style-attribute-escaped-url": SVG_HEAD
    + r'<rect style="fill: \75 rl(http://127.0.0.1:9/)"/></svg>',
    "svg-inside-svg": SVG_HEAD
    + '<image href="data:image/svg+xml;base64,'
    + base64.b64encode(use_bomb(3, 3)).decode()
    + '"/></svg>',
    "png-bomb-inside-svg": SVG_HEAD
    + '<image href="data:image/png;base64,'
    + base64.b64encode(png_bomb(50_000, 50_000)).decode()
    + '"/></svg>',
}


@pytest.mark.parametrize("name", list(SVG_REFUSED))
@pytest.mark.parametrize("as_data", [False, True], ids=["file", "data"])
def test_svg_bombs_and_outside_references_are_refused_quickly(
    tmp_path: Path, name: str, as_data: bool
):
    svg = SVG_REFUSED[name]
    data = svg if isinstance(svg, bytes) else svg.encode()
    if as_data:
        logo = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
        if len(logo) > 100_000:  # longer than a YAML value may be (SG119): as plain text
            logo = "data:image/svg+xml," + data.decode()
            assert len(logo) <= 100_000
        path = set_with_logo(tmp_path, logo)
    else:
        (tmp_path / "logo.svg").write_bytes(data)
        path = set_with_logo(tmp_path, "logo.svg")
    started = time.perf_counter()
    err = refused(path)
    assert time.perf_counter() - started < 10
    expected = "SG421" if name == "png-bomb-inside-svg" else "SG423"
    assert err.code == expected, (name, err.message)


def test_svg_that_repeats_plain_shapes_is_allowed_up_to_the_limit(tmp_path: Path):
    svg = SVG_HEAD + '<rect id="r"/>' + '<use href="#r"/>' * MAX_SVG_USES + "</svg>"
    (tmp_path / "logo.svg").write_text(svg)
    assert b"data:image/svg+xml;base64," in render_logo(set_with_logo(tmp_path, "logo.svg"))


@pytest.mark.slow
def test_a_checked_svg_and_png_render_in_pdf(tmp_path: Path):
    import pypdf

    for ext in ("svg", "png"):
        folder = tmp_path / ext
        folder.mkdir()
        (folder / f"logo.{ext}").write_bytes(image(ext))
        pdf = pypdf.PdfReader(io.BytesIO(render_logo(set_with_logo(folder, f"logo.{ext}"), "pdf")))
        assert len(pdf.pages) >= 1


# -- awkward paths: logo, --css and extends: -----------------------------------------------------


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safeguard_standards_cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def awkward(folder: Path, name: str) -> dict[str, str]:
    """name → a path (relative to ``folder``) of each awkward kind, made in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / f"pipe-{name}")
    (folder / f"loop-a-{name}").symlink_to(f"loop-b-{name}")
    (folder / f"loop-b-{name}").symlink_to(f"loop-a-{name}")
    (folder / f"folder-{name}").mkdir()
    with open(folder / f"sparse-{name}", "wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)
    if not (folder / "zero.yaml").exists():
        (folder / "zero.yaml").symlink_to("/dev/zero")
    return {
        "pipe": f"pipe-{name}",
        "loop": f"loop-a-{name}",
        "folder": f"folder-{name}",
        "sparse": f"sparse-{name}",
        "name-too-long": "x" * 300 + name,
        "path-too-long": "/".join(["d" * 200] * 25) + "/" + name,
        "nul": f"a\0{name}",
        "device-link": "zero.yaml",
    }


LOGO_CODES = {
    "pipe": "SG420",
    "loop": "SG420",
    "folder": "SG420",
    "sparse": "SG402",
    "name-too-long": "SG420",
    "path-too-long": "SG420",
    "nul": "SG123",  # a NUL written as an escape is refused when the set is read
    "device-link": "SG402",  # a link out of the folder
}


def test_every_awkward_logo_path_is_a_located_diagnostic_at_once(tmp_path: Path):
    paths = awkward(tmp_path, "logo.png")
    for kind, rel in paths.items():
        path = set_with_logo(tmp_path, rel, name=f"set-{kind}.yaml")
        started = time.perf_counter()
        if LOGO_CODES[kind] == "SG123":
            codes = [d.code.code for d in check_set(str(path)).errors]
            assert codes == ["SG123"], (kind, codes)
            continue
        err = refused(path)
        assert time.perf_counter() - started < 5, kind  # no hang, no 2 GB read
        assert err.code == LOGO_CODES[kind], (kind, err.code, err.message)


def test_a_logo_in_a_folder_that_may_not_be_searched(tmp_path: Path, monkeypatch: Any):
    (tmp_path / "locked").mkdir()
    path = set_with_logo(tmp_path, "locked/logo.png")
    if AS_ROOT:  # root may search anything: make the system say no
        real = os.open

        def deny(p: Any, *a: Any, **k: Any) -> int:
            if "locked" in str(p):
                raise PermissionError(13, "Permission denied")
            return real(p, *a, **k)

        monkeypatch.setattr(os, "open", deny)
    else:
        (tmp_path / "locked" / "logo.png").write_bytes(image("png"))
        (tmp_path / "locked").chmod(0)
    try:
        err = refused(path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert err.code == "SG420"
    assert "permission denied" in err.message


def test_a_fifo_logo_through_the_cli_does_not_hang(tmp_path: Path):
    paths = awkward(tmp_path, "logo.png")
    path = set_with_logo(tmp_path, paths["pipe"])
    line, col = _logo_line(path)
    result = _cli("render", str(path), "--as", "form", "-o", str(tmp_path / "f.html"), timeout=30)
    assert result.returncode == 1
    assert f"{path}:{line}:{col}: SG420 " in result.stderr


CSS_CODES = {
    "pipe": "SG420",
    "loop": "SG420",
    "folder": "SG420",
    "sparse": "SG425",
    "name-too-long": "SG420",
    "path-too-long": "SG420",
    "device-link": "SG420",
    "dev-zero": "SG420",
}


def test_every_awkward_css_path_is_refused_at_once(tmp_path: Path):
    paths = awkward(tmp_path, "brand.css")
    paths.pop("nul")  # a NUL cannot be passed on a command line at all
    paths["dev-zero"] = "/dev/zero"
    for kind, rel in paths.items():
        started = time.perf_counter()
        result = _cli(
            "render", str(COMPLETE), "--as", "form", "-o", str(tmp_path / "f.html"),
            "--css", str(tmp_path / rel) if not rel.startswith("/") else rel,
            timeout=30,
        )  # fmt: skip
        assert time.perf_counter() - started < 20, kind
        assert result.returncode == 2, (kind, result.stderr)
        wanted = "is a directory" if kind == "folder" else f": {CSS_CODES[kind]} "
        assert wanted in result.stderr, (kind, result.stderr)
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "f.html").exists()


def overlay_text(extends: str) -> str:
    return (
        f"extends: {_yaml_str(extends)}\nmodify:\n  - id: leadership\n    set: {{title: Changed}}\n"
    )


EXTENDS_CODES = {
    "pipe": "SG314",
    "loop": "SG314",
    "folder": "SG314",
    "sparse": "SG116",  # read by the set reader, which refuses it whole
    "name-too-long": "SG314",
    "path-too-long": "SG314",
    "nul": "SG300",  # an extends: value with a control character names no set
    "device-link": "SG313",
}


def _at_extends(result: Any) -> list[Any]:
    return [d for d in result.diagnostics if d.line == 1 and d.column == 10]


def test_every_awkward_extends_path_is_a_located_diagnostic(tmp_path: Path):
    paths = awkward(tmp_path, "base.yaml")
    for kind, rel in paths.items():
        started = time.perf_counter()
        result = check_overlay_text(
            overlay_text(rel), "overlay.yaml", tmp_path, registry=Registry()
        )
        assert time.perf_counter() - started < 5, kind
        codes = [d.code.code for d in _at_extends(result)]
        assert EXTENDS_CODES[kind] in codes or (kind == "sparse" and "SG302" in codes), (
            kind,
            [str(d) for d in result.diagnostics],
        )


def test_extends_into_a_folder_that_may_not_be_searched(tmp_path: Path, monkeypatch: Any):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "base.yaml").write_text(COMPLETE.read_text())
    if AS_ROOT:  # root may search anything: make the system say no
        real = os.stat

        def deny(p: Any, *a: Any, **k: Any) -> Any:
            if "locked" in str(p):
                raise PermissionError(13, "Permission denied")
            return real(p, *a, **k)

        monkeypatch.setattr(os, "stat", deny)
    else:
        (tmp_path / "locked").chmod(0)
    try:
        result = check_overlay_text(
            overlay_text("locked/base.yaml"), "overlay.yaml", tmp_path, registry=Registry()
        )
    finally:
        (tmp_path / "locked").chmod(0o755)
    found = _at_extends(result)
    assert [d.code.code for d in found] == ["SG314"], [str(d) for d in result.diagnostics]
    assert "permission denied" in found[0].message


def test_a_fifo_named_by_extends_says_so_and_does_not_hang(tmp_path: Path):
    os.mkfifo(tmp_path / "base.yaml")
    (tmp_path / "overlay.yaml").write_text(overlay_text("base.yaml"))
    result = _cli("validate", str(tmp_path / "overlay.yaml"), timeout=30)
    assert result.returncode == 1
    assert "overlay.yaml:1:10: SG314 " in result.stdout
    assert "no such file" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "target",
    ["/etc/passwd", "/proc/self/environ", "../outside/base.yaml", "/dev/zero", "sub/../../x.yaml"],
)
def test_extends_is_confined_to_the_overlay_folder(tmp_path: Path, target: str):
    folder = tmp_path / "overlay"
    folder.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "base.yaml").write_text(COMPLETE.read_text())
    result = check_overlay_text(overlay_text(target), "overlay.yaml", folder, registry=Registry())
    assert [d.code.code for d in _at_extends(result)] == ["SG313"]
    assert "root:" not in "\n".join(str(d) for d in result.diagnostics)


def test_extends_from_allows_another_folder(tmp_path: Path):
    (tmp_path / "overlay").mkdir()
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "base.yaml").write_text(COMPLETE.read_text())
    text = overlay_text("../national/base.yaml")
    (tmp_path / "overlay" / "o.yaml").write_text(text)
    refused_ = check_set(str(tmp_path / "overlay" / "o.yaml"))
    assert [d.code.code for d in refused_.errors] == ["SG313"]
    allowed = check_set(str(tmp_path / "overlay" / "o.yaml"), extends_from=[tmp_path / "national"])
    assert allowed.ok, [str(d) for d in allowed.diagnostics]
    assert allowed.unwrap().sections[0].title == "Changed"
    cli = _cli(
        "--extends-from", str(tmp_path / "national"), "show", str(tmp_path / "overlay" / "o.yaml")
    )
    assert cli.returncode == 0, cli.stderr
    assert _cli("show", str(tmp_path / "overlay" / "o.yaml")).returncode == 1


def test_the_content_of_a_file_that_is_not_a_set_is_never_echoed(tmp_path: Path):
    secret = "root:x:0:0:SECRET-7f3a:/root:/bin/bash"
    for name, content in {
        "passwd.yaml": secret + "\n",
        "mapping.yaml": f"password: {secret}\n",
        "list.yaml": f"- {secret}\n",
        "binary.yaml": "\xff\xfe" + secret,
    }.items():
        (tmp_path / name).write_text(content, encoding="utf-8", errors="surrogateescape")
        (tmp_path / "o.yaml").write_text(overlay_text(name))
        result = _cli("validate", str(tmp_path / "o.yaml"))
        assert result.returncode == 1
        assert "SECRET-7f3a" not in result.stdout + result.stderr, (name, result.stderr)
        assert "o.yaml:1:10: SG315 " in result.stdout, (name, result.stdout)


# -- paths relative to the file that names them ---------------------------------------------------


def test_a_base_logo_is_taken_from_the_base_folder(tmp_path: Path):
    national = tmp_path / "national"
    (national).mkdir(parents=True)
    (national / "logo.png").write_bytes(image("png"))
    set_with_logo(national, "logo.png", name="base.yaml")
    local = tmp_path / "local.yaml"  # the overlay lives in another folder (the parent here)
    local.write_text(overlay_text("national/base.yaml"))
    result = _cli("render", str(local), "--as", "form", "--format", "html", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert 'src="data:image/png;base64,' + base64.b64encode(image("png")).decode() in result.stdout
    # an overlay that names its own logo: taken from the overlay's folder
    (tmp_path / "own.png").write_bytes(image("gif"))
    local.write_text(
        overlay_text("national/base.yaml") + "publisher:\n  name: Local\n  logo: own.png\n"
    )
    result = _cli("render", str(local), "--as", "form", "--format", "html", "-o", "-")
    assert result.returncode == 1  # a GIF named .png
    assert f"{local}:7:9: SG422 " in result.stderr
    (tmp_path / "own.png").write_bytes(image("png"))
    result = _cli("render", str(local), "--as", "form", "--format", "html", "-o", "-")
    assert result.returncode == 0, result.stderr


def test_logo_without_a_file_folder_uses_base_dir(tmp_path: Path):
    (tmp_path / "logo.png").write_bytes(image("png"))
    uri = logo_data_uri(Publisher(name="P", logo="logo.png"), str(tmp_path))
    assert uri.startswith("data:image/png;base64,")


# -- CSS: the tokenizer's allowed lists, and the page's CSP ---------------------------------------

HEX = {c: f"{ord(c):x}" for c in "urlimagest-"}


def spellings(word: str, rng: random.Random, n: int) -> set[str]:
    """``n`` CSS spellings of ``word``: each letter as itself, upper case, ``\\HH ``,
    ``\\00HH``, or ``\\`` + the letter (a CSS escape of a non-hex letter)."""
    out = {word}
    while len(out) < n:
        parts = []
        for i, c in enumerate(word):
            choice = rng.randrange(5)
            if choice == 1:
                parts.append(c.upper())
            elif choice == 2:
                parts.append(f"\\{HEX.get(c, f'{ord(c):x}')} ")
            elif choice == 3:
                parts.append(f"\\{ord(c):06x}")
            elif choice == 4 and c not in "abcdef0123456789":
                parts.append("\\" + c)
            else:
                parts.append(c)
            del i
        out.add("".join(parts))
    return out


def fetching_css(host: str, n: int = 40) -> list[str]:
    """Stylesheets that would fetch from ``host``, in many spellings and places."""
    rng = random.Random(1907)
    target = f"http://{host}/x.png"
    values = []
    for word in ("url", "image-set", "-webkit-image-set", "image", "cross-fade"):
        for spelled in spellings(word, rng, n if word == "url" else n // 4):
            if word == "url":
                values += [
                    f"{spelled}({target})",
                    f"{spelled}('{target}')",
                    f'{spelled}( "{target}" )',
                ]
            else:
                values.append(f'{spelled}("{target}" 1x)')
                values.append(f"{spelled}(url({target}) 1x)")
    props = ["background", "background-image", "list-style", "content", "border-image", "--x",
             "cursor", "mask-image"]  # fmt: skip
    sheets = []
    for i, value in enumerate(values):
        prop = props[i % len(props)]
        sheets.append(
            [
                f"body {{ {prop}: {value} }}",
                f"@media print {{ h1 {{ {prop}: {value} }} }}",
                f"@supports (color: red) {{ p {{ {prop}: {value} }} }}",
                f"@page {{ @top-center {{ {prop}: {value} }} }}",
                f"h1 {{ color: red; {prop}: {value} !important }}",
                f"h1 {{ color: red; }} h2 {{ color: calc(1px + var(--a, {value})) }}",
            ][i % 6]
        )
    for spelled in spellings("import", rng, n // 2):
        sheets += [f"@{spelled} '{target}';", f"@{spelled} url({target});"]
    sheets += [
        f"@font-face {{ font-family: x; src: url({target}) }} body {{ font-family: x }}",
        f"body {{ behavior: url({target}) }}",
        f"body {{ -moz-binding: url({target}) }}",
        f"u/**/rl({target})",
        f"body {{ background: u/**/rl({target}) }}",
        f"@namespace url({target});",
    ]
    return sheets


def test_every_spelling_of_a_fetch_in_css_is_refused() -> None:
    sheets = fetching_css("127.0.0.1:9")
    assert len(sheets) > 150
    for css in sheets:
        with pytest.raises(RenderError) as caught:
            check_css(css, "brand.css")
        assert caught.value.code in ("SG403", "SG424"), css
        assert caught.value.where.startswith("brand.css:1:"), (css, caught.value.where)


@pytest.mark.parametrize(
    "css",
    [
        ":root { --sg-accent: #7a1f5c; --sg-logo-height: 25mm; }",
        "h1 { color: rgb(10 20 30 / 50%); font: bold 2rem/1.2 'Open Sans', sans-serif; }",
        "@media print { .toolbar { display: none } } @page { size: A4; margin: 2cm;"
        " @top-center { content: 'Northshire'; } }",
        "table td:nth-child(2n+1):not(.x) { border: 1px solid hsl(0 0% 80%);"
        " background: linear-gradient(to right, #fff, #eee); }",
        "h2::before { content: counter(section) '. '; } h2 { counter-increment: section; }",
        "p { margin: calc(1em + 2px) clamp(1rem, 2vw, 3rem); }",
        "@supports (display: grid) { main { display: grid; gap: 1rem; } }",
    ],
)
def test_ordinary_restyles_are_allowed(css: str) -> None:
    assert check_css(css) == css


def test_css_that_could_end_the_style_element_is_refused() -> None:
    for css in ("</style><script>x</script>", "a{} <!--", "a{} -->", "/* </STYLE > */"):
        with pytest.raises(RenderError) as caught:
            check_css(css)
        assert caught.value.code == "SG403"


def test_every_html_output_forbids_every_load() -> None:
    from safeguard_standards import load_set
    from safeguard_standards.render import available, render_diff

    checklist = check_set(str(COMPLETE)).unwrap()
    pages = [
        render(checklist, kind, "html", RenderOptions())
        for kind, fmt in available()
        if fmt == "html" and kind != "changes"
    ]
    pages.append(render(checklist, "changes", "html", RenderOptions(previous=checklist)))
    old, new = load_set("kcsie@2024-25"), load_set("kcsie@2025-26")
    pages.append(render_diff(old, new, "html"))
    for page in pages:
        m = re.search(rb'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
        assert m is not None
        policy = m.group(1).decode().replace("&#39;", "'")
        assert policy.startswith("default-src 'none';")
        assert "http" not in policy and "*" not in policy
        assert page.index(m.group(0)) < page.index(b"<style")  # before anything is loaded


@pytest.mark.slow
def test_with_the_css_check_bypassed_chromium_still_requests_nothing(
    quiet_server: str, chromium: Any, harness: Any, tmp_path: Path
) -> None:
    """The CSP is the second wall: put the refused stylesheets (and raw tags) straight into
    the page, as if the check had missed them, and load it: the server hears nothing, and the
    form's own script still runs."""
    checklist = check_set(str(COMPLETE)).unwrap()
    html = render(checklist, "form", "html", RenderOptions()).decode("utf-8")
    server = quiet_server
    evil = "\n".join(fetching_css(server, n=12))
    evil += f"\n</style><img src='http://{server}/img.png'><link rel=stylesheet href='http://{server}/l.css'>"
    evil += f"<script>fetch('http://{server}/js')</script><style>"
    page_file = tmp_path / "form.html"
    page_file.write_text(html.replace("</style>", evil + "\n</style>", 1), encoding="utf-8")
    context = chromium.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text))
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        page.check("input[type=radio] >> nth=0")
        overall = page.evaluate("() => document.getElementById('sg-overall').textContent")
    finally:
        context.close()
    assert overall.startswith("1 of "), overall  # the form's script counted the answer
    harness._no_request()
    assert any("Content Security Policy" in v for v in violations)  # it did block something


@pytest.mark.slow
def test_the_form_script_is_allowed_by_the_policy(chromium: Any, tmp_path: Path) -> None:
    checklist = check_set(str(COMPLETE)).unwrap()
    page_file = tmp_path / "form.html"
    page_file.write_bytes(render(checklist, "form", "html", RenderOptions()))
    context = chromium.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert not [m for m in messages if "Content Security Policy" in m], messages
