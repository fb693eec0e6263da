"""Points from the checkers' findings: full marks, partial credit keyed on the diagnosis, or 0.

>>> mistake_key("sign error: the answer is −1 times the correct result")
'sign'
>>> mistake_key("transposed: the answer is n_in×n_out, the result is n_out×n_in")
'transposed'

The checkers name a mistake in words (:mod:`check.diagnose`, :mod:`check.code`,
:mod:`check.numbers`); :data:`MISTAKES` maps those words to one short key each, the keys an
assignment's ``[[task.partial]] diagnosis = "..."`` rules and the misconception report use.
One record per key: the key, what it means, and the patterns of the checkers' words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Mistake:
    """A diagnosed mistake: its key, a phrase for reports, the checker wordings it covers."""

    key: str
    meaning: str
    patterns: tuple[str, ...]


MISTAKES = (
    Mistake("sign", "sign error (−1 times the result)", (
        r"^sign error: the (answer|claim) is −1", r"^wrong sign$",
    )),
    Mistake("transposed", "transposed (rows and columns swapped)", (
        r"^transposed", r"the correct gradient transposed",
    )),
    Mistake("summed loss", "scaled by m: the gradient of the summed loss, not the mean", (
        r"^scaled by m:",
    )),
    Mistake("extra 1/m", "divided by m once too often", (r"^scaled by 1/m",)),
    Mistake("constant factor", "off by a constant factor (2, ½, …)", (
        r"^off by a (constant )?factor",
    )),
    Mistake("swapped", "prediction and target swapped or confused", (
        r"y and p swapped", r"is written as the (target|prediction)",
    )),
    Mistake("lost minus", "a lost minus sign (u·v for u − v)", (r"^a lost minus sign",)),
    Mistake("missing term", "a term left out", (r"^missing term",)),
    Mistake("term sign", "the sign of one term wrong", (r"^sign error in the term",)),
    Mistake("extra term", "a term too many", (r"^extra term",)),
    Mistake("wrong variable", "written in terms of the wrong variable or index", (
        r"^written in terms of the wrong variable", r"indices \S+ and \S+ are swapped",
        r"^wrong variable:",  # check.damage: w_{21} where w_1² belongs, s_k where δ_k belongs
    )),
    Mistake("wrong shape", "a result of the wrong shape", (r"^wrong shape", r"^shape \(")),
    Mistake("wrong derivative", "the derivative with respect to another variable", (
        r"derivative with respect to", r"not its derivative", r"^∂L/∂",
    )),
    Mistake("off by one index", "an entry counted from 0 instead of 1 (or back)", (
        r"^off by one index",
    )),
    Mistake("uphill", "stepped up the gradient (+ α·grad)", (r"^stepped up the gradient",)),
    Mistake("other quantity", "the value of another quantity", (r"^the claim is ",)),
    Mistake("zero", "0 everywhere", (r"0 everywhere",)),
    Mistake("wrong keys", "the gradients under the wrong names", (r"^no key ",)),
    Mistake("wrong step", "a correct result reached through a wrong step", ()),
    Mistake("wrong start", "a derivation of another expression than the task's", ()),
)  # fmt: skip
KEYS = tuple(m.key for m in MISTAKES)
_MEANINGS = {m.key: m.meaning for m in MISTAKES}
_COMPILED = [(re.compile(p), m.key) for m in MISTAKES for p in m.patterns]
OTHER = "other"  # a wrong answer whose mistake the checker does not name


def mistake_key(diagnosis: str | None) -> str:
    """The key of a checker's diagnosis ("" for none, :data:`OTHER` for an unnamed one)."""
    if not diagnosis:
        return ""
    for pattern, key in _COMPILED:
        if pattern.search(diagnosis):
            return key
    return OTHER


def meaning(key: str) -> str:
    """The phrase shown for a mistake key."""
    return _MEANINGS.get(key, "a mistake the checker does not name")


@dataclass(frozen=True)
class Part:
    """One part of a task judged separately (a claim of a numbers task)."""

    name: str
    verdict: str  # correct | incorrect | not answered
    diagnosis: str = ""
    mistake: str = ""  # a key of MISTAKES, for an incorrect part


@dataclass(frozen=True)
class Judgement:
    """What the checker found, before points.

    verdict: correct | incorrect | undecided | unreadable | not answered | error | wrong variant;
    diagnosis: the checker's words; mistake: a key of :data:`MISTAKES` (or "other", or "");
    parts: the claims of a numbers task; shown: the student's answer as text (for reports)."""

    verdict: str
    diagnosis: str = ""
    mistake: str = ""
    parts: tuple[Part, ...] = ()
    shown: str = ""


@dataclass(frozen=True)
class Grade:
    """One row of the gradebook: a student's points for one task."""

    student: str
    task: str
    points: float
    max_points: float
    verdict: str
    diagnosis: str
    mistake: str
    shown: str

    def to_dict(self) -> dict:
        return {
            "student": self.student,
            "task": self.task,
            "points": self.points,
            "max": self.max_points,
            "verdict": self.verdict,
            "diagnosis": self.diagnosis,
            "mistake": self.mistake,
            "answer": self.shown,
        }


def fraction_for(mistake: str, partial: dict[str, Fraction]) -> Fraction:
    """The share of the points a wrong answer with this mistake earns (0 without a rule)."""
    return partial.get(mistake, Fraction(0))


def award(student: str, task, judgement: Judgement) -> Grade:
    """The grade for ``judgement`` on ``task`` (a :class:`classroom.grade.assignment.Task`).

    Whole tasks: correct earns the points, incorrect the fraction of a partial rule for its
    mistake. Tasks in parts (numbers claims): each part the same share of the points."""
    partial = {rule.diagnosis: rule.fraction for rule in task.partial}
    if judgement.parts:
        share = Fraction(1, len(judgement.parts))
        earned = sum(
            (share * _part_fraction(part, partial) for part in judgement.parts), Fraction(0)
        )
    elif judgement.verdict == "correct":
        earned = Fraction(1)
    elif judgement.verdict == "incorrect":
        earned = fraction_for(judgement.mistake, partial)
    else:
        earned = Fraction(0)
    points = round(float(task.points * earned), 2)
    return Grade(
        student,
        task.name,
        points,
        float(task.points),
        judgement.verdict,
        judgement.diagnosis,
        judgement.mistake,
        judgement.shown,
    )


def _part_fraction(part: Part, partial: dict[str, Fraction]) -> Fraction:
    if part.verdict == "correct":
        return Fraction(1)
    if part.verdict == "incorrect":
        return fraction_for(part.mistake, partial)
    return Fraction(0)
