"""Slides: one frame per chain, steps revealed by overlays, compiling with pdflatex."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import derive
from derive.render import render, render_many

HAS_BEAMER = shutil.which("pdflatex") is not None and shutil.which("kpsewhich") is not None


def _has_beamer() -> bool:
    if not HAS_BEAMER:
        return False
    found = subprocess.run(["kpsewhich", "beamer.cls", "pgfmath.sty"], capture_output=True)
    return found.stdout.count(b"\n") == 2


def test_one_frame_per_chain_with_overlays():
    d = derive.get("softmax-ce")
    slides = render(d, "beamer")
    assert slides.startswith(r"\documentclass[11pt,aspectratio=169]{beamer}")
    # title, the derivation's own frame, one per chain, one for its verification record
    assert slides.count(r"\begin{frame}") == 1 + 1 + len(d.chains) + 1
    for n in range(1, 7):  # step n and its justification appear on overlay n
        assert slides.count(r"\uncover<%d->{" % n) == (2 if n < 6 else 3)
    assert r"\uncover<6->{\hfill{\scriptsize $\checkmark$ All 6 steps checked" in slides


def test_verification_modes():
    d = derive.get("dense")
    assert "Verification record" not in render_many([d], "beamer", verification="none")
    inline = render_many([d], "beamer", verification="inline")
    assert "Verification record" not in inline and r"{\tiny $\checkmark$ steps 1--3" in inline


def test_mlp_frames_state_the_vector_recurrence():
    slides = render(derive.get("mlp"), "beamer")
    assert (
        r"In matrix form: $\displaystyle \frac{\partial L}{\partial z^{(2)}} = "
        r"\left(W^{(3)}\right)^{\top} \delta^{(3)} \odot h^{(2)}"
    ) in slides


@pytest.mark.slow
@pytest.mark.skipif(not _has_beamer(), reason="pdflatex with beamer and pgf is not installed")
def test_slides_compile(tmp_path):
    from backprop.cli import main

    assert main(["derive", "--all", "--format", "beamer", "-o", str(tmp_path / "slides.tex")]) == 0
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "slides.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    log = (tmp_path / "slides.log").read_text(errors="replace")
    assert "Overfull" not in log
