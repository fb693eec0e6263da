"""One pleasant variant per student: draw from the student's own stream until no rule of
:mod:`classroom.exercise.pleasant` rejects the candidate.

Students are taken in the order of their ids (not the roster's), so the same seed and the same
set of students give the same variants whatever the roster's order; a candidate whose asked
values repeat those of a student earlier in that order is redrawn.

>>> variants = make_variants(template, students, seed=7)  # doctest: +SKIP
>>> variants[0].student.id, variants[0].draws  # doctest: +SKIP
('s001', 3)
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from classroom.exercise.draw import Candidate, draw_givens, solve, student_seed
from classroom.exercise.pleasant import fingerprint, first_rejection
from classroom.exercise.roster import Student
from classroom.exercise.screen import compile_screen
from classroom.exercise.template import Template
from derive.errors import SpecError

BATCH = 32  # draws screened at once (the variant chosen does not depend on it)


@dataclass
class Variant:
    """A student's exercise: the accepted candidate, how many draws it took and why the
    rejected ones were rejected ({rule name: count})."""

    student: Student
    seed: int
    candidate: Candidate
    draws: int
    rejected: Counter


def make_variants(
    template: Template, students: list[Student], seed: int, screened: bool = True
) -> list[Variant]:
    """A variant per student, in the roster's order (``screened=False``: every draw solved
    exactly, slower, the same variants)."""
    screen = compile_screen(template) if screened else None
    seen: set = set()
    made = {}
    for student in sorted(students, key=lambda s: s.id):
        variant = _variant(template, student, seed, seen, screen)
        seen.add(fingerprint(variant.candidate.numbers, template.precision))
        made[student.id] = variant
    return [made[student.id] for student in students]


def _variant(template: Template, student: Student, seed: int, seen: set, screen) -> Variant:
    own_seed = student_seed(seed, student.id)
    rng = random.Random(own_seed)
    rejected: Counter = Counter()
    draw = 0
    while draw < template.max_draws:
        batch = [draw_givens(template, rng) for _ in range(min(BATCH, template.max_draws - draw))]
        looks = screen.numbers(batch) if screen is not None else [None] * len(batch)
        for givens, numbers in zip(batch, looks, strict=True):
            draw += 1
            rule = first_rejection(numbers, template, seen)[0] if numbers is not None else ""
            if not rule:  # passed the screen (or none was made): the exact check decides
                candidate = solve(template, givens)
                rule = first_rejection(candidate.numbers, template, seen)[0]
                if not rule:
                    return Variant(student, own_seed, candidate, draw, rejected)
            rejected[rule] += 1
    most = ", ".join(f"{name} {count}" for name, count in rejected.most_common())
    raise SpecError(
        f"student {student.id}: no pleasant variant in {template.max_draws} draws "
        f"(rejected: {most}); widen the ranges, ask fewer values or raise max_draws"
    )
