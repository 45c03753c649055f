"""Render every kind × format of each bundled set and put every page on one picture per set,
so that a person can look at all of it in a minute before a release (docs/releasing.md).

PDF pages are drawn by pdftoppm (poppler-utils); DOCX and XLSX are converted to PDF by
LibreOffice headless first (libreoffice-writer, libreoffice-calc), as a person opening them
there would see them; HTML is photographed by Chromium (chromium) at 1280 and 390 px wide and
cut into screen-high pieces. Markdown, CSV and JSON are text and are not drawn.

    python tools/contact_sheet.py                 # every bundled set, into build/contact-sheets
    python tools/contact_sheet.py kcsie --out DIR  # one set

Writes ``<set>.png`` (the sheet) and ``<set>/`` (every page at full size) into the folder.
LibreOffice runs with a profile of its own and a timeout, so one already open is not touched.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import safeguard_standards as sg
from safeguard_standards.render import RenderError, RenderOptions, render

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("form", "return-form", "guidance", "action-plan", "changes")
FORMATS = ("pdf", "docx", "xlsx", "html")
WIDTHS = (1280, 390)
CHROMIUM = "/usr/bin/chromium"
#: Width of one page on the sheet, in pixels.
THUMB = 150
TIMEOUT = 180


def _options(set_id: str, kind: str) -> RenderOptions:
    if kind != "changes":
        return RenderOptions()
    versions = next(s for s in sg.bundled_sets() if s.id == set_id).versions
    if len(versions) < 2:
        return RenderOptions()
    return RenderOptions(previous=sg.load_bundled(set_id, versions[-2]))


def _pdf_pages(pdf: Path, out: Path, stem: str) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(out / stem)],
        check=True,
        timeout=TIMEOUT,
    )
    return sorted(out.glob(f"{stem}-*.png"))


def _office_to_pdf(path: Path, work: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError("LibreOffice is not installed (libreoffice-writer, -calc)")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
    return work / (path.stem + ".pdf")


def _html_pages(browser: Any, html: Path, out: Path, stem: str) -> list[Path]:
    from PIL import Image

    pages: list[Path] = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.route(lambda url: not url.startswith(("file:", "data:")), lambda r: r.abort())
        page.goto(html.as_uri())
        shot = out / f"{stem}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.close()
        image = Image.open(shot)
        piece = int(width * 1.414)  # A4-shaped pieces, like the other formats' pages
        for n, top in enumerate(range(0, image.height, piece), start=1):
            part = out / f"{stem}-{width}px-{n:03}.png"
            image.crop((0, top, width, min(top + piece, image.height))).save(part)
            pages.append(part)
        shot.unlink()
    return pages


def _sheet(rows: list[tuple[str, list[Path]]], target: Path, title: str) -> None:
    """One picture: a labelled row of thumbnails for each kind × format."""
    from PIL import Image, ImageDraw

    per_row = 12
    label_h, gap = 18, 6
    thumbs: list[tuple[str, list[Any]]] = []
    for label, pages in rows:
        images = []
        for p in pages:
            im = Image.open(p).convert("RGB")
            im.thumbnail((THUMB, int(THUMB * 1.6)))
            images.append(im)
        thumbs.append((label, images))
    cell_h = int(THUMB * 1.6) + gap
    height = 40
    for _, images in thumbs:
        height += label_h + max(1, -(-len(images) // per_row)) * cell_h + gap
    sheet = Image.new("RGB", (per_row * (THUMB + gap) + gap, height), "#8a8a8a")
    draw = ImageDraw.Draw(sheet)
    draw.text((gap, 10), title, fill="white")
    y = 40
    for label, images in thumbs:
        draw.text((gap, y + 2), f"{label} ({len(images)} pages)", fill="white")
        y += label_h
        for n, im in enumerate(images):
            x = gap + (n % per_row) * (THUMB + gap)
            sheet.paste(im, (x, y + (n // per_row) * cell_h))
        y += max(1, -(-len(images) // per_row)) * cell_h + gap
    sheet.save(target)


def contact_sheet(set_id: str, out: Path, browser: Any) -> Path:
    checklist = sg.load_bundled(set_id)
    pages_dir = out / set_id
    if pages_dir.exists():
        shutil.rmtree(pages_dir)
    pages_dir.mkdir(parents=True)
    rows: list[tuple[str, list[Path]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for kind in KINDS:
            for fmt in FORMATS:
                try:
                    data = render(checklist, kind, fmt, _options(set_id, kind))
                except RenderError as exc:  # e.g. no return questions, no changes as xlsx
                    print(f"  {kind} {fmt}: not made ({exc.message})", file=sys.stderr)
                    continue
                stem = f"{kind}-{fmt}"
                path = work / f"{set_id}-{stem}.{fmt}"
                path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
                if fmt == "html":
                    if browser is None:
                        continue
                    pages = _html_pages(browser, path, pages_dir, stem)
                else:
                    pdf = path if fmt == "pdf" else _office_to_pdf(path, work)
                    pages = _pdf_pages(pdf, pages_dir, stem)
                rows.append((f"{kind} · {fmt}", pages))
                print(f"  {kind} {fmt}: {len(pages)} pages", file=sys.stderr)
    target = out / f"{set_id}.png"
    _sheet(rows, target, f"{checklist.title} ({checklist.ref})")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set ids (default: every bundled set)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "contact-sheets")
    args = parser.parse_args(argv)
    sets = args.sets or [s.id for s in sg.bundled_sets()]
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = None
        if Path(CHROMIUM).exists():
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
        else:
            print(f"{CHROMIUM} is not installed: HTML is left out", file=sys.stderr)
        try:
            for set_id in sets:
                print(f"{set_id}:", file=sys.stderr)
                print(contact_sheet(set_id, args.out, browser))
        finally:
            if browser is not None:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
