"""Every quantity module can be imported first: the registry is made on first use."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("__init__", "sandbox_server", "sandbox_child")  # run as programs in the sandbox
MODULES = sorted(f"check.{p.stem}" for p in (ROOT / "check").glob("*.py") if p.stem not in SCRIPTS)


@pytest.mark.parametrize("module", MODULES)
def test_imported_first(module):
    code = f"import {module}; import check.quantities as q; print(len(q.QUANTITIES))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]
    assert int(out.stdout) > 50
