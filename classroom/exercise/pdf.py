"""Compiling a LaTeX document to PDF with ``pdflatex`` when it is installed.

The run is reproducible: ``SOURCE_DATE_EPOCH`` fixes the dates pdfTeX writes and the
preamble empties the trailer ID, so the same LaTeX gives the same PDF bytes. The document is
our own (every value in it escaped), shell escape is off, and the run is in a fresh
temporary directory with a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from derive.errors import BackpropError

SECONDS = 120
REPRODUCIBLE = {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}


def pdflatex() -> str | None:
    """The path of pdflatex, or None when it is not installed."""
    return shutil.which("pdflatex")


def compile_pdf(tex: str, name: str = "document") -> bytes:
    """The PDF of ``tex``; a BackpropError with pdflatex's first error line if it fails."""
    program = pdflatex()
    if program is None:
        raise BackpropError("pdflatex is not installed (use --no-pdf for the .tex files only)")
    with tempfile.TemporaryDirectory(prefix="backprop-tex-") as folder:
        source = Path(folder) / "document.tex"
        source.write_text(tex, encoding="utf-8")
        command = [program, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape"]
        try:
            done = subprocess.run(
                [*command, "document.tex"],
                cwd=folder,
                env={**os.environ, **REPRODUCIBLE},
                capture_output=True,
                timeout=SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BackpropError(f"pdflatex took more than {SECONDS} s on {name}") from None
        output = Path(folder) / "document.pdf"
        if done.returncode != 0 or not output.is_file():
            log = done.stdout.decode("utf-8", "replace").splitlines()
            first = next((line for line in log if line.startswith("!")), "no PDF written")
            raise BackpropError(f"pdflatex failed on {name}: {first}")
        return output.read_bytes()
