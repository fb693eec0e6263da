"""``backprop grade``: a class's submissions graded against an assignment in one run.

>>> from classroom.grade import load_assignment, read_submissions, grade_class  # doctest: +SKIP
>>> assignment = load_assignment("examples/class/assignment.toml")  # doctest: +SKIP
>>> grades = grade_class(assignment, read_submissions("examples/class/submissions", assignment))  # doctest: +SKIP

:mod:`~classroom.grade.assignment` reads the assignment (its format is in that module's
docstring), :mod:`~classroom.grade.submissions` a folder or an LMS CSV of submissions,
:mod:`~classroom.grade.runner` grades them in a process pool, each task under its own limits
(:mod:`~classroom.grade.isolate`; the checkers themselves: :mod:`~classroom.grade.judges`),
:mod:`~classroom.grade.credit` turns the
checkers' verdicts and diagnoses into points, :mod:`~classroom.grade.report` writes the
gradebook CSV and the JSON report, :mod:`~classroom.grade.page` the misconception page.
"""

_LAZY = {
    "load_assignment": "classroom.grade.assignment",
    "read_submissions": "classroom.grade.submissions",
    "grade_class": "classroom.grade.runner",
}


def __getattr__(name: str):
    """Imported on first use (the runner needs SymPy; PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'classroom.grade' has no attribute {name!r}")


__all__ = ["grade_class", "load_assignment", "read_submissions"]
