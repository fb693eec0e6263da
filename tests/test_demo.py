"""``backprop demo``: the README's main command, end to end, as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backprop import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_demo_derives_generates_trains_and_says_where(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "backprop.cli", "demo", "--out-dir", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert seconds < 60
    assert "= p_i − y_i" in done.stdout  # the softmax-ce derivation is printed
    accuracy = re.search(r"^test \(\d+\) +[\d.]+ +([\d.]+)%$", done.stdout, re.MULTILINE)
    assert accuracy and float(accuracy.group(1)) >= 95
    for name in ("derivations.tex", "derivations.md", "digits.py", "digits.png"):
        assert f"{out / name}" in done.stdout
        assert (out / name).stat().st_size > 0
    module = (out / "digits.py").read_text()
    assert module.startswith("# Code generated") and "DO NOT EDIT" in module.splitlines()[0]
    assert (out / "digits.png").read_bytes().startswith(b"\x89PNG")


def test_demo_out_dir_that_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert cli.main(["demo", "--out-dir", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("backprop: error: cannot create")
