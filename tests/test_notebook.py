"""The example notebook, examples/backprop.ipynb: up to date with tools/make_notebook.py, and it
runs from top to bottom (nbclient, a python3 kernel from this interpreter) with rich outputs."""

import json
import os
import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "backprop.ipynb"


def _kernel(tmp_path: Path, monkeypatch) -> str:
    """A kernelspec for this interpreter with this checkout on its path, found first."""
    spec_dir = tmp_path / "kernels" / "backprop-test"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "backprop test",
        "language": "python",
        "env": {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return "backprop-test"


def test_notebook_is_what_make_notebook_writes():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_notebook
    finally:
        sys.path.pop(0)
    assert NOTEBOOK.read_text(encoding="utf-8") == nbformat.writes(make_notebook.build()) + "\n"


def test_notebook_runs_and_displays_richly(tmp_path, monkeypatch):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=60,
        kernel_name=_kernel(tmp_path, monkeypatch),
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o.get("data", {}) for o in outputs if o.output_type == "execute_result"]
    latex = [d for d in shown if "text/latex" in d]
    html = [d["text/html"] for d in shown if "text/html" in d]
    assert len(latex) >= 2  # softmax-ce and dense, typeset
    assert any("trained 2000 epochs: test accuracy 100.00%" in h and "<svg" in h for h in html)
    assert any("✗ softmax-ce: incorrect" in h and "sign error" in h for h in html)
    assert any("✓ softmax-ce: correct" in h for h in html)
    assert any("first wrong line: 5" in h for h in html)
    plots = [o for o in outputs if "image/png" in o.get("data", {})]
    assert plots, "the matplotlib plot is missing"
