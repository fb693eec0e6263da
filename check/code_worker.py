"""Run a student's gradient function in this (separate) process: ``python code_worker.py``.

Protocol (the parent is :mod:`check.code_runner`): argv = STUDENT.py FUNCTION DIR. DIR holds
case0.npz, case1.npz, ... each with the arrays X, Y and params ``p_<name>``. For each case the
function's result is saved as DIR/out<n>.npz (keys as returned), then DIR/status.json says how
the run ended: {"status": "ok"} or {"status": "raised" | "no-function" | "bad-result", ...}.
Only NumPy and the standard library are imported here; the student's prints go to /dev/null.
"""

import contextlib
import importlib.util
import json
import os
import sys
import traceback

import numpy as np


def _status(directory, **fields):
    with open(os.path.join(directory, "status.json"), "w", encoding="utf-8") as handle:
        json.dump(fields, handle)


def _raised(directory, exc, path, case):
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) == path
    ]
    line = frames[-1].lineno if frames else None
    message = " ".join(str(exc).split()) or "(no message)"
    _status(
        directory,
        status="raised",
        type=type(exc).__name__,
        message=message[:300],
        line=line,
        case=case,
    )


def main(path, function, directory):
    path = os.path.abspath(path)
    sys.path.insert(0, os.path.dirname(path))
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        try:
            spec = importlib.util.spec_from_file_location("student_code", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: B036 - the student's code may raise anything
            return _raised(directory, exc, path, None)
        fn = getattr(module, function, None)
        if not callable(fn):
            return _status(directory, status="no-function")
        case = 0
        while os.path.exists(os.path.join(directory, f"case{case}.npz")):
            with np.load(os.path.join(directory, f"case{case}.npz")) as data:
                params = {k[2:]: data[k] for k in data.files if k.startswith("p_")}
                X, Y = data["X"], data["Y"]
            try:
                result = fn(params, X, Y)
            except BaseException as exc:  # noqa: B036
                return _raised(directory, exc, path, case)
            if not isinstance(result, dict) or not all(isinstance(k, str) for k in result):
                return _status(
                    directory,
                    status="bad-result",
                    message=f"returned {type(result).__name__}, not a dict of arrays",
                )
            try:
                arrays = {k: np.asarray(v, dtype=np.float64) for k, v in result.items()}
            except (TypeError, ValueError) as exc:
                return _status(
                    directory,
                    status="bad-result",
                    message=f"a value is not an array of numbers: {exc}",
                )
            np.savez(os.path.join(directory, f"out{case}.npz"), **arrays)
            case += 1
    _status(directory, status="ok")


if __name__ == "__main__":
    main(*sys.argv[1:4])
