"""Points and partial credit from the checkers' diagnoses."""

from __future__ import annotations

from fractions import Fraction

import pytest

from classroom.grade.assignment import PartialRule, Task
from classroom.grade.credit import KEYS, OTHER, Judgement, Part, award, meaning, mistake_key


@pytest.mark.parametrize(
    ("diagnosis", "key"),
    [
        ("sign error: the answer is −1 times the correct result", "sign"),
        ("sign error: the claim is −1 × the correct value", "sign"),
        ("wrong sign", "sign"),
        ("transposed: the answer is n_in×n_out, the result is n_out×n_in", "transposed"),
        ("transposed: the claim is dW2[1,2]", "transposed"),
        ("the correct gradient transposed", "transposed"),
        ("shape (2, 3), expected (3, 2): it is the correct gradient transposed", "transposed"),
        ("scaled by m: the gradient of the summed loss, not the mean", "summed loss"),
        ("scaled by 1/m once too often", "extra 1/m"),
        ("off by a constant factor: the answer is 2 times the correct result", "constant factor"),
        ("off by a factor ½", "constant factor"),
        ("y and p swapped (the prediction and the target trade places)", "swapped"),
        ("the prediction p is written as the target y", "swapped"),
        ("a lost minus sign: p_1 y_1 where the result is p_1 − y_1", "lost minus"),
        ("missing term −y_i", "missing term"),
        ("sign error in the term −σ(z)²", "term sign"),
        ("extra term 2p", "extra term"),
        ("transposed: indices i and j are swapped", "transposed"),
        ("written in terms of the wrong variable: z where h belongs", "wrong variable"),
        ("wrong variable: s_k where δ_k belongs (a name damaged: δ garbled into s?)", "wrong variable"),
        ("derivative with respect to the wrong variable: this is ∂L/∂p", "wrong derivative"),
        ("off by one index: the claim is h1[2] (counted from 0? this file counts from 1)",
         "off by one index"),
        ("stepped up the gradient: + α·grad instead of − α·grad", "uphill"),
        ("the claim is dh1[1]", "other quantity"),
        ("the answer is 0 everywhere", "zero"),
        ("no key 'W1' in the result", "wrong keys"),
        ("something new", OTHER),
        ("", ""),
        (None, ""),
    ],
)  # fmt: skip
def test_mistake_keys(diagnosis, key):
    assert mistake_key(diagnosis) == key


def test_every_key_has_a_meaning():
    assert all(meaning(k) != meaning("unknown-key") for k in KEYS)


TASK = Task("dW", "answer", Fraction(3), "x", (PartialRule("transposed", Fraction(1, 2)),))


@pytest.mark.parametrize(
    ("judgement", "points"),
    [
        (Judgement("correct"), 3.0),
        (Judgement("incorrect", "transposed: ...", "transposed"), 1.5),
        (Judgement("incorrect", "sign error: ...", "sign"), 0.0),
        (Judgement("undecided"), 0.0),
        (Judgement("error", "gave up"), 0.0),
        (Judgement("unreadable", "bad"), 0.0),
        (Judgement("not answered"), 0.0),
        (Judgement("incorrect", parts=(Part("a", "correct"), Part("b", "not answered"),
                                       Part("c", "incorrect", "c: transposed", "transposed"))),
         1.5),
    ],
)  # fmt: skip
def test_award(judgement, points):
    grade = award("ann", TASK, judgement)
    assert (grade.points, grade.max_points, grade.verdict) == (points, 3.0, judgement.verdict)
