"""Variants over a class of 200: pleasant numbers, no near-ties, no saturation, no vanishing
gradients, no duplicates, and a model solution that check numbers always judges correct."""

import random
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from check.numbers import check_numbers
from classroom.exercise import load_template, make_files
from classroom.exercise.draw import draw_givens, solve
from classroom.exercise.pleasant import (
    TIE_MARGIN,
    Numbers,
    duplicate,
    fingerprint,
    near_tie,
    saturated,
    tie_distance,
    vanishing,
)
from classroom.exercise.roster import Student
from classroom.exercise.screen import SLACK, Screen
from classroom.exercise.template import template_from_dict
from classroom.exercise.variants import make_variants

TEMPLATE = Path(__file__).resolve().parent.parent / "examples" / "exercise" / "template.toml"
CLASS = [Student(f"st{n:03d}", f"Student {n}") for n in range(200)]
OTHER_TEMPLATES = {
    "tanh-relu-softmax": {
        "precision": 3,
        "ask": ["h1", "h2", "yhat", "loss", "delta3", "dW2", "db1[2]"],
        "learning_rate": 0.1,
        "network": {
            "layers": [2, 2, 2, 2],
            "activations": ["tanh", "relu", "softmax"],
            "loss": "cross-entropy",
        },
        "ranges": {
            "weights": {"low": -1.5, "high": 1.5, "decimals": 1},
            "biases": {"low": -0.5, "high": 0.5, "decimals": 2},
            "inputs": {"low": -1, "high": 1, "decimals": 2},
            "targets": "one-hot",
        },
    },
    "sigmoid-bce": {
        "precision": 2,
        "ask": ["z1", "yhat", "loss", "dW1", "b1_new"],
        "learning_rate": 1,
        "network": {"layers": [3, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "bce"},
        "ranges": {
            "weights": {"low": -2, "high": 2, "decimals": 1},
            "biases": {"low": 0, "high": 0, "decimals": 0},
            "inputs": {"low": 0, "high": 3, "decimals": 0},
            "targets": {"low": 0, "high": 1, "decimals": 0},
        },
    },
}


def as_decimals(doc):
    return tomllib.loads(doc, parse_float=Decimal)


@pytest.fixture(scope="module")
def made():
    template = load_template(TEMPLATE)
    variants, files = make_files(template, CLASS, seed=2026)
    return template, variants, files


def entries(nested):
    if isinstance(nested, list):
        for item in nested:
            yield from entries(item)
    else:
        yield nested


def test_givens_have_the_ranges_decimals(made):
    template, variants, _ = made
    for variant in variants:
        givens = variant.candidate.givens
        drawn = [(template.inputs, givens.x), (template.targets, givens.y)]
        for name, value in givens.parameters.items():
            drawn.append((template.weights if name[0] == "W" else template.biases, value))
        for span, values in drawn:
            for value in entries(values):
                assert span.low <= value <= span.high
                assert -Decimal(value).as_tuple().exponent == span.decimals
        weights = [v for n, p in givens.parameters.items() if n[0] == "W" for v in entries(p)]
        assert all(weights)  # a 0 weight would hide a path


def test_no_near_ties(made):
    template, variants, _ = made
    for variant in variants:
        numbers = variant.candidate.numbers
        for key, value in {**numbers.forward, **numbers.asked}.items():
            assert tie_distance(value, template.precision) >= TIE_MARGIN, (variant.student, key)


def test_no_saturated_units(made):
    _, variants, _ = made
    for variant in variants:
        for name in ("z1", "z2"):
            values = variant.candidate.solution.quantities[name].values.values()
            assert all(abs(v) <= 4 for v in values), variant.student


def test_gradients_do_not_vanish(made):
    template, variants, _ = made
    floor = Decimal(10) ** (1 - template.precision)
    for variant in variants:
        gradients = [v for k, v in variant.candidate.numbers.asked.items() if k.startswith("d")]
        assert max(abs(v) for v in gradients) >= floor, variant.student


def test_no_two_students_hand_in_the_same_numbers(made):
    template, variants, _ = made
    prints = {fingerprint(v.candidate.numbers, template.precision) for v in variants}
    assert len(prints) == len(CLASS)


def test_every_model_solution_is_judged_correct(made):
    _, variants, files = made
    for variant in variants:
        sid = variant.student.id
        report = check_numbers(as_decimals(files[f"solutions/{sid}.toml"]))
        assert report.ok and report.unanswered == 0, (sid, report.to_text())


def test_every_blank_is_unanswered(made):
    template, _, files = made
    for student in CLASS[:20]:
        report = check_numbers(as_decimals(files[f"{student.id}/answers.toml"]))
        assert report.exit_code == 1 and report.unanswered == len(template.ask)
        assert not any(e.answered for c in report.claims for e in c.entries)


@pytest.mark.parametrize("name", sorted(OTHER_TEMPLATES))
@pytest.mark.parametrize("seed", [0, 1, 99])
def test_solutions_correct_for_other_networks_and_seeds(name, seed):
    template = template_from_dict(OTHER_TEMPLATES[name])
    variants, files = make_files(template, CLASS[:8], seed)
    for variant in variants:
        report = check_numbers(as_decimals(files[f"solutions/{variant.student.id}.toml"]))
        assert report.ok, report.to_text()


def test_screen_sees_the_exact_numbers():
    """The float screen evaluates the same lines as the exact solution, to within its slack."""
    template = load_template(TEMPLATE)
    rng = random.Random(5)
    batch = [draw_givens(template, rng) for _ in range(20)]
    for givens, screened in zip(batch, Screen(template).numbers(batch), strict=True):
        exact = solve(template, givens).numbers
        for key, value in {**exact.forward, **exact.asked}.items():
            other = {**screened.forward, **screened.asked}[key]
            assert abs(other - value) < SLACK / 1000, key


def test_screened_search_chooses_what_the_exact_search_does():
    template = load_template(TEMPLATE)
    fast = make_variants(template, CLASS[:3], 4)
    slow = make_variants(template, CLASS[:3], 4, screened=False)
    assert [v.draws for v in fast] == [v.draws for v in slow]
    assert [v.candidate.givens for v in fast] == [v.candidate.givens for v in slow]


def numbers(asked=None, forward=None, slack=0):
    return Numbers(asked or {}, forward or {}, Decimal(slack))


@pytest.mark.parametrize(
    "value, distance",
    [("0.12345", "0"), ("0.12344", "0.1"), ("0.1234", "0.5"), ("-0.00005", "0"), ("2", "0.5")],
)
def test_tie_distance(value, distance):
    assert tie_distance(Decimal(value), 4) == Decimal(distance)


def test_rules_reject_what_they_name():
    template = load_template(TEMPLATE)  # precision 4, sigmoid layers
    assert near_tie(numbers({"loss": Decimal("0.123451")}), template, set())
    assert not near_tie(numbers({"loss": Decimal("0.12346")}), template, set())
    assert saturated(numbers(forward={"z2[1]": Decimal("-4.01")}), template, set())
    assert not saturated(numbers(forward={"z2[1]": Decimal("4")}), template, set())
    small = numbers({"delta2[1]": Decimal("0.0009"), "loss": Decimal(1)})
    assert vanishing(small, template, set())
    assert not vanishing(numbers({"delta2[1]": Decimal("0.001")}), template, set())
    seen = {fingerprint(numbers({"loss": Decimal("0.25")}), 4)}
    assert duplicate(numbers({"loss": Decimal("0.250001")}), template, seen)
    assert not duplicate(numbers({"loss": Decimal("0.2501")}), template, seen)
