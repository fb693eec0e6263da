"""Run untrusted gradient code in a subprocess with a time limit; arrays travel as .npz files.

A crash, an infinite loop or noisy prints in the student's code stay in the child process:
the parent gets a :class:`RunResult` saying what happened, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

WORKER = Path(__file__).with_name("code_worker.py")


@dataclass
class RunResult:
    """status: ok | raised | no-function | bad-result | timeout | crashed; outputs: one dict of
    float64 arrays per case (for ok); detail: the child's report (type, message, line)."""

    status: str
    outputs: list[dict] = field(default_factory=list)
    detail: dict = field(default_factory=dict)


def run_student(path: Path, function: str, cases: list[dict], timeout: float) -> RunResult:
    """Call ``function(params, X, Y)`` from ``path`` on each case ({"params", "X", "Y"})."""
    with tempfile.TemporaryDirectory(prefix="backprop-check-") as tmp:
        directory = Path(tmp)
        for n, case in enumerate(cases):
            arrays = {f"p_{k}": v for k, v in case["params"].items()}
            np.savez(directory / f"case{n}.npz", X=case["X"], Y=case["Y"], **arrays)
        try:
            proc = subprocess.run(
                [sys.executable, "-I", str(WORKER), str(path.resolve()), function, str(directory)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
                cwd=directory,
            )
        except subprocess.TimeoutExpired:
            return RunResult("timeout", detail={"seconds": timeout})
        status_file = directory / "status.json"
        if not status_file.exists():
            last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            return RunResult("crashed", detail={"message": last, "returncode": proc.returncode})
        detail = json.loads(status_file.read_text(encoding="utf-8"))
        outputs = []
        for n in range(len(cases)):
            out = directory / f"out{n}.npz"
            if out.exists():
                with np.load(out) as data:
                    outputs.append({k: data[k] for k in data.files})
        return RunResult(detail.pop("status"), outputs, detail)
