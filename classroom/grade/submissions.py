"""A class's submissions: a folder (one entry per student) or a CSV (one row per student).

>>> subs = read_submissions("examples/class/submissions", assignment)  # doctest: +SKIP
>>> subs[0].student, sorted(subs[0].inputs)  # doctest: +SKIP
('ada', ['bce_steps', 'dW', 'dz_out'])

A folder holds, per student, either a folder ``STUDENT/`` with

- ``answers.toml``: ``TASK = "answer"`` for answer tasks (and steps tasks, as multi-line text),
- ``TASK.txt``: the answer or derivation of one task,
- ``TASK.toml``: a numbers task's filled-in ``check numbers`` file (or the task's ``file``),
- ``TASK.py``: a code task's file (or the task's ``file``);

or a single file standing for such a folder: ``STUDENT.toml`` is its ``answers.toml``,
``STUDENT.py`` the file of the assignment's one code task, ``STUDENT.txt`` that of its one
steps task. Hidden entries, a task's ``solutions`` folder and symbolic links to folders are
skipped; a symbolic link in place of a file is not followed (that task is "unreadable").

A CSV (an LMS quiz export): a header row; the column ``student`` (else the first column)
names the student, a column named after a task holds that task's answer; other columns are
ignored; an empty cell is not answered.

A student's inputs map task names to text (answer, steps) or to a file (numbers, code);
``problems`` holds a one-line reason for a task whose input could not be read.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from classroom.grade.assignment import Assignment
from derive.errors import BackpropError
from derive.files import read_text

STUDENT = re.compile(r"[^\x00-\x1f\x7f/\\:]{1,100}")
MAX_STUDENTS = 5000
MAX_CSV = 64 << 20
MAX_CELL = 1 << 16


@dataclass(frozen=True)
class Submission:
    """One student's work: ``inputs`` task name → text or Path; ``problems`` task → reason."""

    student: str
    inputs: dict = field(default_factory=dict)
    problems: dict = field(default_factory=dict)


def read_submissions(source: str | Path, assignment: Assignment, as_csv: bool = False) -> list:
    """The submissions in a folder or (``as_csv``, or a ``.csv`` file) a CSV, sorted by student."""
    source = Path(source)
    if as_csv or (source.is_file() and source.suffix.lower() == ".csv"):
        found = read_csv(source, assignment)
    elif source.is_dir():
        found = read_folder(source, assignment)
    else:
        raise BackpropError(f"{source}: not a folder of submissions (or give --csv FILE)")
    if not found:
        raise BackpropError(f"{source}: no submissions found")
    if len(found) > MAX_STUDENTS:
        raise BackpropError(f"{source}: more than {MAX_STUDENTS} submissions")
    return sorted(found, key=lambda s: s.student)


def read_folder(folder: Path, assignment: Assignment) -> list[Submission]:
    """One submission per student folder or student file (see the module docstring)."""
    skip = {t.solutions.resolve() for t in assignment.tasks if t.solutions is not None}
    by_student: dict[str, dict[str, Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.resolve() in skip:
            continue
        if entry.is_dir() and not entry.is_symlink():
            files = {p.name: p for p in entry.iterdir() if not p.name.startswith(".")}
            by_student.setdefault(entry.name, {}).update(files)
        elif entry.suffix in (".toml", ".py", ".txt"):
            by_student.setdefault(entry.stem, {}).update(_single_file(entry, assignment))
    found = []
    for student, files in by_student.items():
        if not STUDENT.fullmatch(student):
            raise BackpropError(f"{folder}: a student name with control characters or '/:\\'")
        found.append(_from_files(student, files, assignment))
    return found


def _single_file(path: Path, assignment: Assignment) -> dict[str, Path]:
    if path.suffix == ".toml":
        return {"answers.toml": path}
    mode = {".py": "code", ".txt": "steps"}[path.suffix]
    tasks = [t for t in assignment.tasks if t.mode == mode]
    return {tasks[0].default_file: path} if len(tasks) == 1 else {}


def _from_files(student: str, files: dict[str, Path], assignment: Assignment) -> Submission:
    inputs, problems = {}, {}
    answers, bad, answers_problem = _answers_toml(files.get("answers.toml"), assignment)
    problems.update(bad)
    for task in assignment.tasks:
        path = files.get(task.default_file)
        if path is not None and path.is_symlink():  # it could point at the teacher's files
            problems[task.name] = f"{path.name} is a symbolic link (not followed)"
            continue
        if task.mode in ("numbers", "code"):
            if path is not None:
                inputs[task.name] = path
            continue
        try:
            if path is not None:
                inputs[task.name] = read_text(path, MAX_CELL)
            elif task.name in answers:
                inputs[task.name] = answers[task.name]
            elif answers_problem and task.name not in problems:
                problems[task.name] = answers_problem
        except BackpropError as exc:
            problems[task.name] = str(exc)
    return Submission(student, inputs, problems)


def _answers_toml(path: Path | None, assignment: Assignment) -> tuple[dict, dict, str]:
    """The text answers in an answers.toml (task name → text), the tasks whose value is not
    text (task → reason), and a reason the whole file is unreadable ("" if it is not)."""
    if path is None:
        return {}, {}, ""
    if path.is_symlink():
        return {}, {}, f"{path.name} is a symbolic link (not followed)"
    try:
        doc = tomllib.loads(read_text(path))
    except BackpropError as exc:
        return {}, {}, str(exc)
    except tomllib.TOMLDecodeError as exc:
        return {}, {}, f"answers.toml is not valid TOML ({exc})"
    texts = {t.name for t in assignment.tasks if t.mode in ("answer", "steps")}
    found, bad = {}, {}
    for name, value in doc.items():
        if name in texts and isinstance(value, str):
            found[name] = value
        elif name in texts:
            bad[name] = f"answers.toml: {name} must be text (in quotes)"
    return found, bad, ""


def read_csv(path: Path, assignment: Assignment) -> list[Submission]:
    """One submission per row: column ``student`` (or the first), one column per task."""
    text = read_text(path, MAX_CSV)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise BackpropError(f"{path}: empty CSV")
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    who = lowered.index("student") if "student" in lowered else 0
    columns = {t.name: header.index(t.name) for t in assignment.tasks if t.name in header}
    if not columns:
        names = ", ".join(t.name for t in assignment.tasks)
        raise BackpropError(f"{path}: no column is named after a task ({names})")
    found, seen = [], set()
    for number, row in enumerate(rows[1:], 2):
        student = row[who].strip() if who < len(row) else ""
        if not student:
            continue
        if not STUDENT.fullmatch(student) or student in seen:
            raise BackpropError(f"{path}: row {number}: a bad or repeated student name")
        seen.add(student)
        inputs, problems = {}, {}
        for task, column in columns.items():
            cell = row[column] if column < len(row) else ""
            if len(cell) > MAX_CELL:
                problems[task] = f"the answer is longer than {MAX_CELL >> 10} KiB"
            elif cell.strip():
                inputs[task] = cell
        found.append(Submission(student, inputs, problems))
    return found
