"""The gradebook CSV, totals and misconception counts."""

from __future__ import annotations

from classroom.grade.credit import Grade
from classroom.grade.report import gradebook_csv, misconceptions, totals


def _grade(student, task, points, mistake="", verdict="incorrect"):
    return Grade(student, task, points, 2.0, verdict, mistake and f"{mistake}: ...", mistake, "x")


def test_gradebook_cells_never_run_as_formulas():
    grade = Grade('=HYPERLINK("x")', "dz", 0.0, 1.0, "unreadable", "@SUM(A1)", "", "")
    assert "'=HYPERLINK" in gradebook_csv([grade]) and "'@SUM(A1)" in gradebook_csv([grade])


def test_counts_students_not_answers_and_keeps_the_worst():
    grades = [
        _grade("ann", "dz", 0.0, "sign"),
        _grade("ann", "dW", 0.5, "sign"),
        _grade("bob", "dW", 1.0, "sign"),
        _grade("bob", "dz", 1.0, "transposed"),
        _grade("cat", "dz", 0.0, "other"),
        _grade("cat", "dW", 2.0, "", "correct"),
    ]
    found = misconceptions(grades)
    assert [(m.key, m.students, m.answers) for m in found] == [
        ("sign", 2, 3), ("transposed", 1, 1), ("other", 1, 1),
    ]  # fmt: skip
    assert (found[0].worst.student, found[0].worst.task) == ("ann", "dz")
    assert found[0].tasks == ("dz", "dW")
    assert totals(grades) == {"ann": 0.5, "bob": 2.0, "cat": 2.0}
