"""Make the pictures in docs/rendering.md (docs/images/render-*.png).

Needs Debian's chromium (HTML screenshots) and poppler-utils' pdftoppm (PDF pages):

    python tools/render_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import safeguard_standards as sg
from safeguard_standards.render import render

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"


def _html_shots(tmp: Path) -> None:
    from playwright.sync_api import sync_playwright

    kcsie = sg.load_bundled("kcsie")
    form = tmp / "form.html"
    form.write_bytes(render(kcsie, "form", "html"))
    rating = next(q for q in kcsie.questions() if q.type == "rating" and q.ask_if is None)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 860, "height": 760})
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
        )
        page.goto(form.as_uri())
        page.locator(f'input[name="{rating.full_id}"]').first.check()
        page.locator(f'fieldset[data-qid="{rating.full_id}"]').scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -190)")
        page.screenshot(path=str(IMAGES / "render-html-form.png"))
        browser.close()


def _pdf_page(data: bytes, page: int, name: str, tmp: Path, dpi: int = 60) -> None:
    pdf = tmp / f"{name}.pdf"
    pdf.write_bytes(data)
    out = IMAGES / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(out),
        ],
        check=True,
    )


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    kcsie = sg.load_bundled("kcsie")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        _html_shots(tmp)
        _pdf_page(render(kcsie, "form", "pdf"), 4, "render-pdf-form", tmp)
        _pdf_page(render(kcsie, "guidance", "pdf"), 1, "render-pdf-guidance", tmp)
        _pdf_page(
            render(sg.load_bundled("vcs_checklist"), "action-plan", "pdf"),
            2,
            "render-pdf-action-plan",
            tmp,
        )
    for png in sorted(IMAGES.glob("render-*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
