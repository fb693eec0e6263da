"""``backprop check code FILE.py:FUNCTION --spec SPEC.toml``: judge hand-written backprop code.

>>> report = check_code("examples/check/student_correct.py:gradients", "examples/lecture.toml")  # doctest: +SKIP
>>> report.ok  # doctest: +SKIP
True

The student's ``FUNCTION(params, X, Y) -> {"W1": dW1 (n1, n0), "b1": db1 (n1,), ...}`` (gradients
of the MEAN loss; X (m, n0), one example per row) runs in the sandbox (:mod:`check.sandbox`)
on random float64 parameters and batches from several seeds, and is compared with the gradients
of the module generated from the spec: relative error |a − b| / max(|a|, |b|, tiny), elementwise
max, agreeing at ≤ 1e-7. A disagreeing gradient is tested against the usual slips: the correct
one transposed, scaled by m or 1/m, or with the wrong sign.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from check.code_runner import RunResult, run_student
from check.numeric_report import Report
from check.report_display import Code, Heading, Note, Table
from codegen.generate import load_module
from codegen.spec import load_spec
from derive.errors import BackpropError, SpecError

AGREE = 1e-7  # the cs231n convention for float64
TINY = 1e-12
SEEDS = (0, 1, 2)
BATCH_SIZES = (5, 3, 7)  # distinct and > 1, so a missing or extra 1/m shows
TIMEOUT = 20.0
MAX_TIMEOUT = 3600.0
_BATCHES = (
    f"{len(SEEDS)} random batches (m = {', '.join(map(str, BATCH_SIZES))}), "
    f"float64; agreement: relative error ≤ {AGREE:g}"
)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max over entries of |a − b| / max(|a|, |b|, tiny); 0 for empty arrays."""
    if a.size == 0:
        return 0.0
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), TINY)
    return float(np.max(np.abs(a - b) / scale))


@dataclass
class ParameterVerdict:
    """One gradient: the worst relative error over the seeds, a verdict and a diagnosis."""

    name: str
    shape: tuple
    error: float | None
    verdict: str  # agrees | wrong | wrong shape | missing | not finite
    diagnosis: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == "agrees"


@dataclass
class CodeReport(Report):
    target: str
    parameters: list[ParameterVerdict] = field(default_factory=list)
    problem: str = ""  # one line when the code could not be compared at all
    extra_keys: list[str] = field(default_factory=list)
    sandbox: list[str] = field(default_factory=list)  # the protections that were in force

    @property
    def ok(self) -> bool:
        return not self.problem and not self.extra_keys and all(p.ok for p in self.parameters)

    def to_dict(self) -> dict:
        return {
            "correct": self.ok,
            "target": self.target,
            "problem": self.problem or None,
            "extra_keys": self.extra_keys,
            "sandbox": self.sandbox,
            "parameters": [
                {
                    "name": p.name,
                    "shape": list(p.shape),
                    "relative_error": p.error,
                    "verdict": p.verdict,
                    "diagnosis": p.diagnosis or None,
                }
                for p in self.parameters
            ],
        }

    def to_text(self) -> str:
        lines = [f"{self.target}: " + ("all gradients agree" if self.ok else "INCORRECT")]
        if self.problem:
            lines.append(f"  {self.problem}")
            lines.append(self._sandbox_line())
            return "\n".join(lines)
        lines.append(f"  {'param':<6} {'shape':<10} {'rel. error':>10}  verdict")
        for p in self.parameters:
            error = "-" if p.error is None else f"{p.error:.1e}"
            note = f"  ({p.diagnosis})" if p.diagnosis else ""
            lines.append(f"  {p.name:<6} {str(p.shape):<10} {error:>10}  {p.verdict}{note}")
        if self.extra_keys:
            lines.append(f"  unexpected keys: {', '.join(self.extra_keys)}")
        lines.append(f"  {_BATCHES}")
        lines.append(self._sandbox_line())
        return "\n".join(lines)

    def display_blocks(self) -> list:
        """What Jupyter shows: the verdict, then a row per gradient (✓/✗; shape, worst
        relative error, verdict, diagnosis), the batches it was run on and the sandbox."""
        blocks = [
            Heading(f"{self.target}: {'all gradients agree' if self.ok else 'INCORRECT'}", self.ok)
        ]
        sandbox = Note(self._sandbox_line().strip())
        if self.problem:
            return blocks + [Note(self.problem), sandbox]
        rows = tuple(
            (
                Code(p.name),
                Code(str(p.shape)),
                "-" if p.error is None else f"{p.error:.1e}",
                p.verdict,
                p.diagnosis,
            )
            for p in self.parameters
        )
        marks = tuple(p.ok for p in self.parameters)
        header = ("gradient", "shape", "relative error", "verdict", "diagnosis")
        blocks.append(Table(header, rows, marks))
        if self.extra_keys:
            blocks.append(Note(f"unexpected keys: {', '.join(self.extra_keys)}"))
        return blocks + [Note(_BATCHES), sandbox]

    def _sandbox_line(self) -> str:
        return "  sandbox: " + ("; ".join(self.sandbox) if self.sandbox else "none")


@functools.lru_cache(maxsize=8)
def _reference(spec_path: str, mtime: float):
    """The spec and its generated module (cached: generating takes a few seconds)."""
    spec = load_spec(spec_path)
    return spec, load_module(spec)


def _cases(spec, module) -> list[dict]:
    """Random parameters (biases too: a wrong db must show) and batches, one per seed."""
    cases = []
    for seed, m in zip(SEEDS, BATCH_SIZES, strict=True):
        rng = np.random.default_rng(seed)
        shapes = {k: v.shape for k, v in module.init_params(seed).items()}
        params = {k: rng.normal(0, 0.8, size=shape) for k, shape in shapes.items()}
        X = rng.normal(size=(m, spec.sizes[0]))
        k = spec.sizes[-1]
        if spec.output.loss.text == "cross-entropy":
            Y = np.eye(k)[rng.integers(0, k, size=m)]
        elif spec.output.loss.text == "binary-cross-entropy":
            Y = rng.integers(0, 2, size=(m, k)).astype(np.float64)
        else:
            Y = rng.normal(size=(m, k))
        cases.append({"params": params, "X": X, "Y": Y, "m": m})
    return cases


def _parse_target(target: str) -> tuple[Path, str]:
    path, sep, function = str(target).rpartition(":")
    if not sep or not function.isidentifier():
        raise BackpropError(f"{target}: expected FILE.py:FUNCTION")
    if not Path(path).is_file():
        raise BackpropError(f"{path}: no such file")
    return Path(path), function


def check_timeout(seconds: float) -> float:
    """``seconds`` if it is a usable time limit (finite, > 0, at most an hour), else an error."""
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds)):
        raise BackpropError(f"timeout {seconds!r}: not a finite number of seconds")
    if not 0 < seconds <= MAX_TIMEOUT:
        raise BackpropError(f"timeout {seconds:g}: must be > 0 and at most {MAX_TIMEOUT:g} s")
    return float(seconds)


def check_code(target: str, spec, timeout: float = TIMEOUT, sandbox=None) -> Report:
    """Judge ``target`` ("FILE.py:FUNCTION") against the gradients derived for ``spec`` (a path).

    ``sandbox``: a :class:`check.sandbox.Sandbox` to reuse (grading many files); else one is
    started for this call."""
    timeout = check_timeout(timeout)
    path, function = _parse_target(target)
    spec_path = Path(spec)
    if not spec_path.is_file():
        raise SpecError(f"{spec}: no such spec file")
    spec, module = _reference(str(spec_path.resolve()), spec_path.stat().st_mtime)
    cases = _cases(spec, module)
    expected = [module.gradients(c["params"], c["X"], c["Y"])[1] for c in cases]
    result, protections = run_student(path, function, cases, timeout, sandbox)
    report = CodeReport(str(target), sandbox=protections)
    if result.status == "no-function":
        raise BackpropError(f"{path}: no function '{function}'")
    if result.status != "ok":
        report.problem = _problem(result, path)
        return report
    report.extra_keys = sorted(set(result.outputs[0]) - set(expected[0]))
    for name, reference in expected[0].items():
        report.parameters.append(_judge(name, reference.shape, result.outputs, expected, cases))
    return report


def _problem(result: RunResult, path: Path) -> str:
    d = result.detail
    if result.status == "timeout":
        return f"did not finish within the time limit of {d['seconds']:g} s (an infinite loop?)"
    if result.status == "raised":
        where = f" at {path.name} line {d['line']}" if d.get("line") else ""
        when = " while importing the file" if d.get("case") is None else ""
        return f"raised {d['type']}: {d['message']}{where}{when}"
    if result.status == "bad-result":
        return f"bad result: {d['message']}"
    if d.get("signal"):
        return f"the process was killed by {d['signal']}: {d.get('message')}"
    return f"the process died (exit status {d.get('returncode')}): {d.get('message')}"


def _judge(name, shape, outputs, expected, cases) -> ParameterVerdict:
    got_all = [out.get(name) for out in outputs]
    if any(g is None for g in got_all):
        return ParameterVerdict(name, shape, None, "missing", f"no key '{name}' in the result")
    if any(not np.all(np.isfinite(g)) for g in got_all):
        return ParameterVerdict(name, shape, None, "not finite", "NaN or infinity in the result")
    if any(g.shape != shape for g in got_all):
        got = got_all[0].shape
        diagnosis = f"shape {got}, expected {shape}"
        if all(_close(g, e[name].T) for g, e in zip(got_all, expected, strict=True)):
            diagnosis += ": it is the correct gradient transposed"
        return ParameterVerdict(name, shape, None, "wrong shape", diagnosis)
    pairs = list(zip(got_all, (e[name] for e in expected), cases, strict=True))
    error = max(relative_error(g, e) for g, e, _ in pairs)
    if error <= AGREE:
        return ParameterVerdict(name, shape, error, "agrees")
    return ParameterVerdict(name, shape, error, "wrong", _diagnose(pairs))


def _diagnose(pairs) -> str:
    """The slip every seed's result matches, if any."""
    slips = [
        (
            "the correct gradient transposed",
            lambda e, m: e.T if e.ndim == 2 and e.shape[0] == e.shape[1] else None,
        ),
        ("scaled by m: the gradient of the summed loss, not the mean", lambda e, m: e * m),
        ("scaled by 1/m once too often", lambda e, m: e / m),
        ("wrong sign", lambda e, m: -e),
    ]
    for text, slip in slips:
        if all((s := slip(e, c["m"])) is not None and _close(g, s) for g, e, c in pairs):
            return text
    return ""


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and relative_error(a, b) <= AGREE
