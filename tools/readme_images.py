"""The README's pictures, made by the commands the tests run: a page of the PDF notes and a
screenshot of the HTML page.

Usage::

    python tools/readme_images.py            # rewrites docs/img/notes-page.png, notes-html.png
    python tools/readme_images.py --out DIR  # writes them elsewhere

The PDF: ``backprop derive --all --standalone -o notes.tex``, ``pdflatex`` twice (the footnotes
refer to the appendix), then ``pdftoppm`` renders the page where ``PAGE_TITLE`` begins. The HTML:
``backprop derive --all --format html -o notes.html``, then Debian's ``chromium --headless
--screenshot`` at ``WINDOW``. tests/test_render_lecture.py and tests/test_render_html.py call
the same functions (and keep the images in ``$BACKPROP_ARTIFACTS`` when it is set).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
PDF_IMAGE = "notes-page.png"
HTML_IMAGE = "notes-html.png"
PAGE_TITLE = "Softmax with cross-entropy loss"  # the page of the PDF the README shows
RESOLUTION = 90  # dpi of the PDF page: an A4 page of 744 × 1052 pixels
WINDOW = (1100, 1300)  # pixels of the HTML screenshot
PDFLATEX = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error")
TIMEOUT = 300


def chromium() -> str | None:
    """Debian's chromium (or chromium-browser), or None where neither is installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_command(profile: Path, window: tuple[int, int] = WINDOW) -> list[str]:
    """Headless Chromium with its own profile, no GPU or sandbox, script errors on stderr."""
    return [
        chromium() or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={window[0]},{window[1]}",
        "--virtual-time-budget=20000",
        "--enable-logging=stderr",
        "--v=0",
    ]


def _derive(*args: str) -> None:
    from backprop.cli import main

    status = main(["derive", *args])
    if status != 0:
        raise RuntimeError(f"backprop derive {' '.join(args)} exited with {status}")


def notes_pdf(directory: Path) -> tuple[Path, str]:
    """``derive --all --standalone`` compiled twice by pdflatex in ``directory``: (the PDF,
    the log of the second run). RuntimeError with the end of the output if it fails."""
    source = directory / "notes.tex"
    _derive("--all", "--standalone", "-o", str(source))
    for _ in range(2):
        result = subprocess.run(
            [*PDFLATEX, source.name],
            cwd=directory,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT,
        )
        if result.returncode != 0:
            raise RuntimeError("pdflatex failed:\n" + result.stdout[-3000:])
    log = (directory / "notes.log").read_text(errors="replace")
    return directory / "notes.pdf", log


def page_of(pdf: Path, title: str = PAGE_TITLE) -> int:
    """The number (from 1) of the first page whose text contains ``title``, else 1."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=TIMEOUT
    ).stdout
    for number, page in enumerate(text.split("\f"), start=1):
        if title in page:
            return number
    return 1


def pdf_page_png(pdf: Path, out: Path, page: int | None = None) -> Path:
    """One page of the PDF (the ``PAGE_TITLE`` page by default) as a PNG at ``RESOLUTION``."""
    page = page_of(pdf) if page is None else page
    stem = out.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-png", "-r", str(RESOLUTION)]
        + ["-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=TIMEOUT,
    )
    return out


def notes_html(directory: Path) -> Path:
    """``derive --all --format html -o notes.html`` in ``directory``."""
    page = directory / "notes.html"
    _derive("--all", "--format", "html", "-o", str(page))
    return page


def screenshot(page: Path, out: Path, profile: Path) -> Path:
    """Headless Chromium's screenshot of the top of ``page`` (offline: a file URL)."""
    shot = subprocess.run(
        [*chromium_command(profile), f"--screenshot={out}", page.resolve().as_uri()],
        capture_output=True,
        timeout=TIMEOUT,
    )
    if shot.returncode != 0 or not out.exists():
        raise RuntimeError("chromium failed:\n" + shot.stderr.decode(errors="replace")[-2000:])
    return out


def keep_artifact(image: Path) -> None:
    """Copy an image to ``$BACKPROP_ARTIFACTS`` (CI's artifacts) when that is set."""
    artifacts = os.environ.get("BACKPROP_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(image, Path(artifacts) / image.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="directory for the PNGs")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("pdflatex", "pdftoppm", "pdftotext") if not shutil.which(tool)]
    if missing or chromium() is None:
        print(f"readme_images: needs {', '.join(missing or ['chromium'])}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="readme-images-") as tmp:
        work = Path(tmp)
        pdf, _ = notes_pdf(work)
        print(pdf_page_png(pdf, args.out / PDF_IMAGE))
        print(screenshot(notes_html(work), args.out / HTML_IMAGE, work / "profile"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
