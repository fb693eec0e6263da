"""Run untrusted gradient code in the sandbox (:mod:`check.sandbox`); arrays travel as files.

A crash, an infinite loop, noisy prints or hostile code in the student's file stay in a
locked-down child process: the parent gets a :class:`RunResult` saying what happened, never a
traceback, and reads the returned arrays itself.
"""

from __future__ import annotations

from pathlib import Path

from check.sandbox import RunResult, Sandbox

__all__ = ["RunResult", "run_student"]


def run_student(
    path: Path, function: str, cases: list[dict], timeout: float, sandbox: Sandbox | None = None
) -> tuple[RunResult, list[str]]:
    """Call ``function(params, X, Y)`` from ``path`` on each case; the result and the
    protections that were in force. A given ``sandbox`` is reused (a grading pool's worker)."""
    if sandbox is not None:
        return sandbox.run(path, function, cases, timeout), sandbox.protections
    with Sandbox() as box:
        return box.run(path, function, cases, timeout), box.protections
