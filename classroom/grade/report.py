"""The results of grading a class: the gradebook CSV, the JSON report, the misconceptions.

>>> gradebook_csv([Grade("ada", "dW", 1.0, 2.0, "incorrect", "transposed: ...", "transposed", "h δᵀ")])
'student,task,points,max,verdict,diagnosis\\r\\nada,dW,1,2,incorrect,transposed: ...\\r\\n'

:func:`misconceptions` counts, per diagnosed mistake (a key of
:data:`classroom.grade.credit.MISTAKES`), the students who made it and keeps the worst example
(the fewest points; then the first student by name), most common mistake first.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from classroom.grade.credit import OTHER, Grade, meaning

VERDICTS = (
    "correct", "incorrect", "undecided", "unreadable", "not answered", "error", "wrong variant",
)  # fmt: skip
CSV_COLUMNS = ("student", "task", "points", "max", "verdict", "diagnosis")


def _number(value: float) -> str:
    return f"{value:g}"


def gradebook_csv(grades: list[Grade]) -> str:
    """One row per student and task: student, task, points, max, verdict, diagnosis."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for g in grades:
        student, diagnosis = _cell(g.student), _cell(g.diagnosis)
        writer.writerow(
            (student, g.task, _number(g.points), _number(g.max_points), g.verdict, diagnosis)
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) kept as text: a leading '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def totals(grades: list[Grade]) -> dict[str, float]:
    """Each student's points over all tasks."""
    found: dict[str, float] = {}
    for g in grades:
        found[g.student] = round(found.get(g.student, 0.0) + g.points, 2)
    return found


@dataclass(frozen=True)
class Misconception:
    """A mistake, how many students made it (in how many answers), the worst example."""

    key: str
    meaning: str
    students: int
    answers: int
    tasks: tuple[str, ...]
    worst: Grade

    def to_dict(self) -> dict:
        return {
            "mistake": self.key,
            "meaning": self.meaning,
            "students": self.students,
            "answers": self.answers,
            "tasks": list(self.tasks),
            "worst_example": self.worst.to_dict(),
        }


def misconceptions(grades: list[Grade], include_other: bool = True) -> list[Misconception]:
    """Per mistake key: students, answers, tasks and the worst example; most students first."""
    by_key: dict[str, list[Grade]] = {}
    for g in grades:
        if g.mistake and (include_other or g.mistake != OTHER):
            by_key.setdefault(g.mistake, []).append(g)
    found = []
    for key, rows in by_key.items():
        worst = min(rows, key=lambda g: (g.points / g.max_points, g.student, g.task))
        tasks = tuple(dict.fromkeys(g.task for g in rows))
        students = len({g.student for g in rows})
        found.append(Misconception(key, meaning(key), students, len(rows), tasks, worst))
    return sorted(found, key=lambda m: (-m.students, m.key == OTHER, m.key))


def verdict_counts(grades: list[Grade], task: str) -> dict[str, int]:
    """How many students got each verdict on ``task``."""
    counts = dict.fromkeys(VERDICTS, 0)
    for g in grades:
        if g.task == task:
            counts[g.verdict] = counts.get(g.verdict, 0) + 1
    return counts


def report_dict(assignment, result) -> dict:
    """The JSON report: the assignment, every grade, totals, verdict counts, misconceptions."""
    grades = result.grades
    return {
        "assignment": assignment.title,
        "tasks": [
            {
                "name": t.name,
                "mode": t.mode,
                "points": float(t.points),
                "verdicts": verdict_counts(grades, t.name),
            }
            for t in assignment.tasks
        ],
        "students": len({g.student for g in grades}),
        "totals": totals(grades),
        "max_total": float(sum(t.points for t in assignment.tasks)),
        "grades": [g.to_dict() for g in grades],
        "misconceptions": [m.to_dict() for m in misconceptions(grades)],
        "sandbox": result.protections,
    }


def report_json(assignment, result) -> str:
    return json.dumps(report_dict(assignment, result), ensure_ascii=False, indent=2) + "\n"
