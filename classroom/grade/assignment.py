"""The assignment file (TOML): the tasks of ``backprop grade``, their points and model answers.

>>> a = load_assignment("examples/class/assignment.toml")  # doctest: +SKIP
>>> [t.name for t in a.tasks]  # doctest: +SKIP
['dz_out', 'dW', 'sigmoid', 'bce_steps', 'backprop_code']

The format::

    title = "Backpropagation, week 3"       # optional, shown in the reports

    [limits]                                # optional: for each task of each submission
    seconds = 20                            # wall-clock seconds (default 20)
    memory_mb = 2048                        # MiB beyond what the grading worker holds

    [[task]]
    name = "dz_out"                         # letters, digits, "_" and "-": a CSV column, a file name
    mode = "answer"                         # answer | steps | numbers | code
    quantity = "softmax-ce"                 # answer: a `backprop check answer --list` name
    notation = "superscript-layers"         # answer, optional: a notation profile
    points = 2
    model = "p_i - y_i"                     # the model answer (see below)
    [[task.partial]]                        # optional, any number: credit for a named mistake
    diagnosis = "transposed"                # a key of classroom.grade.credit.MISTAKES
    fraction = 0.5                          # the share of the points it earns

    [[task]]
    name = "forward"
    mode = "numbers"
    points = 4
    model = "forward_model.toml"            # a filled-in `check numbers` file
    solutions = "exercise/solutions"        # optional: DIR/<student>.toml, each student's variant
    file = "answers.toml"                   # optional: the file's name in a student's folder

    [[task]]
    name = "backprop_code"
    mode = "code"
    spec = "../lecture.toml"                # the network spec the code is checked against
    function = "gradients"                  # default "gradients"
    points = 5
    model = "model_code.py"

``model``: for an answer task the answer text, for a steps task the derivation's text (a
multi-line string), for numbers and code tasks a file. Paths are relative to the assignment
file. A numbers task with ``solutions`` may leave ``model`` out: each solution file is then its
model. ``backprop grade --self-test`` grades every model answer and refuses to grade a class
if any of them is not correct.

A student's answer to a task (see :mod:`classroom.grade.submissions`): in an answer or steps
task the value under the task's name in ``answers.toml`` or the file ``<name>.txt``; in a
numbers task the file ``<name>.toml`` (or ``file``); in a code task ``<name>.py`` (or ``file``).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from classroom.grade.credit import KEYS
from derive.errors import SpecError
from derive.files import read_text

MODES = ("answer", "steps", "numbers", "code")
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
MAX_TASKS = 100
MAX_POINTS = 1000
MAX_SECONDS = 600.0
_KEYS = {
    "answer": {"quantity", "notation"},
    "steps": set(),
    "numbers": {"solutions", "file"},
    "code": {"spec", "function", "file"},
}
_COMMON = {"name", "mode", "points", "model", "partial"}


@dataclass(frozen=True)
class PartialRule:
    """``fraction`` of the points for a wrong answer whose mistake is ``diagnosis``."""

    diagnosis: str
    fraction: Fraction


@dataclass(frozen=True)
class Task:
    """One task; ``model`` is text (answer, steps) or a resolved path (numbers, code)."""

    name: str
    mode: str
    points: Fraction
    model: str | Path | None
    partial: tuple[PartialRule, ...] = ()
    quantity: str = ""
    notation: str | None = None
    spec: Path | None = None
    function: str = "gradients"
    solutions: Path | None = None
    file: str | None = None

    @property
    def default_file(self) -> str:
        """The file that holds a student's answer in their folder."""
        if self.file:
            return self.file
        return self.name + {"numbers": ".toml", "code": ".py"}.get(self.mode, ".txt")


@dataclass(frozen=True)
class Limits:
    """What one task of one submission may use: wall-clock seconds, extra memory."""

    seconds: float = 20.0
    memory_mb: int = 2048

    @property
    def memory(self) -> int:
        return self.memory_mb << 20


@dataclass(frozen=True)
class Assignment:
    title: str
    tasks: tuple[Task, ...]
    limits: Limits
    path: Path

    def task(self, name: str) -> Task:
        return next(t for t in self.tasks if t.name == name)


def load_assignment(path: str | Path) -> Assignment:
    """Read and validate an assignment file; SpecError (one line, naming the key) if bad."""
    path = Path(path)
    try:
        doc = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(doc) - {"title", "limits", "task"}
    if unknown:
        raise SpecError(f"{path}: unknown key '{sorted(unknown)[0]}' (title, limits, task)")
    raw_tasks = doc.get("task")
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise SpecError(f"{path}: no [[task]] (an assignment needs at least one)")
    if len(raw_tasks) > MAX_TASKS:
        raise SpecError(f"{path}: more than {MAX_TASKS} tasks")
    base = path.resolve().parent
    tasks = tuple(_task(raw, n, base) for n, raw in enumerate(raw_tasks, 1))
    names = [t.name for t in tasks]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise SpecError(f"{path}: two tasks are called '{duplicate}'")
    title = doc.get("title", path.stem)
    if not isinstance(title, str):
        raise SpecError(f"{path}: title must be text")
    return Assignment(title, tasks, _limits(doc.get("limits", {})), path)


def _task(raw, n: int, base: Path) -> Task:
    where = f"task {n}"
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expected a table")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise SpecError(f"{where}: name must be letters, digits, '_' or '-' (up to 40)")
    where = f"task '{name}'"
    mode = raw.get("mode")
    if mode not in MODES:
        raise SpecError(f"{where}: mode must be one of {', '.join(MODES)}")
    unknown = set(raw) - _COMMON - _KEYS[mode]
    if unknown:
        raise SpecError(f"{where}: unknown key '{sorted(unknown)[0]}' for mode {mode}")
    fields = {"name": name, "mode": mode, "points": _points(raw.get("points"), where)}
    fields["partial"] = tuple(_partial(rule, where) for rule in _list(raw, "partial", where))
    fields["model"] = _model(raw, mode, base, where)
    if mode == "answer":
        fields["quantity"] = _text(raw, "quantity", where)
        if "notation" in raw:
            fields["notation"] = _text(raw, "notation", where)
    if mode == "code":
        fields["spec"] = _path(raw, "spec", base, where)
        fields["function"] = _text(raw, "function", where, "gradients")
        if not fields["function"].isidentifier():
            raise SpecError(f"{where}: function must be a Python name")
    if mode == "numbers" and "solutions" in raw:
        fields["solutions"] = _path(raw, "solutions", base, where, directory=True)
    if "file" in raw:
        fields["file"] = _text(raw, "file", where)
        if "/" in fields["file"] or fields["file"].startswith("."):
            raise SpecError(f"{where}: file must be a plain file name")
    if fields["model"] is None and fields.get("solutions") is None:
        raise SpecError(f"{where}: needs a model answer (model = ...)")
    return Task(**fields)


def _points(value, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError(f"{where}: points must be a number")
    if not 0 < value <= MAX_POINTS:
        raise SpecError(f"{where}: points must be > 0 and at most {MAX_POINTS}")
    return Fraction(value).limit_denominator(100)


def _partial(rule, where: str) -> PartialRule:
    if not isinstance(rule, dict) or set(rule) != {"diagnosis", "fraction"}:
        raise SpecError(f"{where}: a [[task.partial]] has diagnosis and fraction, nothing else")
    key, fraction = rule["diagnosis"], rule["fraction"]
    if key not in KEYS:
        raise SpecError(f"{where}: unknown diagnosis '{key}' (one of: {', '.join(KEYS)})")
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        raise SpecError(f"{where}: partial fraction must be a number")
    if not 0 <= fraction <= 1:
        raise SpecError(f"{where}: partial fraction must be between 0 and 1")
    return PartialRule(key, Fraction(fraction).limit_denominator(100))


def _model(raw: dict, mode: str, base: Path, where: str):
    if "model" not in raw:
        return None
    if mode in ("answer", "steps"):
        return _text(raw, "model", where)
    return _path(raw, "model", base, where)


def _list(raw: dict, key: str, where: str) -> list:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise SpecError(f"{where}: {key} must be a list of tables ([[task.{key}]])")
    return value


def _text(raw: dict, key: str, where: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{where}: {key} must be non-empty text")
    return value


def _path(raw: dict, key: str, base: Path, where: str, directory: bool = False) -> Path:
    path = base / _text(raw, key, where)
    if not (path.is_dir() if directory else path.is_file()):
        kind = "folder" if directory else "file"
        raise SpecError(f"{where}: {key} {path}: no such {kind}")
    return path


def _limits(raw) -> Limits:
    if not isinstance(raw, dict) or set(raw) - {"seconds", "memory_mb"}:
        raise SpecError("limits: only seconds and memory_mb")
    seconds = raw.get("seconds", Limits.seconds)
    memory = raw.get("memory_mb", Limits.memory_mb)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise SpecError("limits.seconds: must be a number")
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
        raise SpecError(f"limits.seconds: must be > 0 and at most {MAX_SECONDS:g}")
    if isinstance(memory, bool) or not isinstance(memory, int) or not 64 <= memory <= 1 << 16:
        raise SpecError("limits.memory_mb: must be a whole number from 64 to 65536")
    return Limits(float(seconds), memory)
