"""What makes a drawn variant unpleasant to work by hand, one record per rule.

A rule looks at the :class:`Numbers` of a candidate (exact, or the screen's floats with a
slack), the template and the fingerprints of the variants already given to other students,
and returns why it rejects the candidate ("" when it does not). :data:`RULES` is the list :mod:`classroom.exercise.variants` applies, in order.

* near-tie: a value a student computes (an asked entry, or a z, h or loss on the way) lies
  within 10^-(p+1) of a rounding boundary (k + ½)·10^-p, p the precision: rounding at p
  decimals would then depend on digits beyond them;
* saturated: a sigmoid or tanh layer has |z| > 4 (its slope is almost 0, the numbers tiny);
* vanishing: every asked gradient entry (δ, dW, db, dh) is below 10^-(p-1) in size;
* duplicate: the asked values, rounded at the precision, are those of another student.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import sympy as sp

from classroom.exercise.template import Template

SATURATING = ("sigmoid", "tanh")
SATURATION = 4  # |z| beyond which σ′ < 0.018 and tanh′ < 0.0014
TIE_MARGIN = Decimal("0.1")  # in units of the precision's last decimal: 10^-(p+1)
GRADIENT_PREFIXES = ("delta", "dW", "db", "dh")
DIGITS = 40  # decimal digits of an exact value read for rounding (ties are ≥ 10^-7 away)


def decimal_of(value) -> Decimal:
    """An exact solution value (Rational or 50-digit Float) as a Decimal of :data:`DIGITS`
    digits; a float (a screening value) as its exact binary value."""
    if isinstance(value, float):
        return Decimal(value)
    return Decimal(str(sp.N(value, DIGITS)))


def rounded(value, precision: int) -> Decimal:
    """The value written with ``precision`` decimals (half to even; never "-0.000")."""
    result = decimal_of(value).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_EVEN)
    return result.copy_abs() if result.is_zero() else result


def entry_key(name: str, index: tuple[int, ...]) -> str:
    """check numbers' name of an entry, counted from 1: ("dW1", (0, 1)) → "dW1[1,2]"."""
    return name + (f"[{','.join(str(i + 1) for i in index)}]" if index else "")


@dataclass
class Numbers:
    """The numbers of a variant the rules look at (Decimals).

    asked: {entry key: value} in the template's order; forward: {entry key: value} of every
    z, h and the loss; slack: how far these numbers may be from the exact ones (0 for the
    exact solution; a rule rejects only when it would reject every number within the slack).
    """

    asked: dict
    forward: dict
    slack: Decimal = Decimal(0)


def numbers_of(asked: dict, quantities: dict, slack: Decimal = Decimal(0)) -> Numbers:
    """:class:`Numbers` from {entry key: value} and {name: {0-based index: value}}."""
    forward = {}
    for name, values in quantities.items():
        if name == "loss" or (name[0] in "zh" and name[1:].isdigit()):
            forward |= {entry_key(name, index): decimal_of(v) for index, v in values.items()}
    return Numbers({k: decimal_of(v) for k, v in asked.items()}, forward, slack)


def fingerprint(numbers: Numbers, precision: int) -> tuple[str, ...]:
    """What a student hands in: every asked entry rounded at the precision."""
    return tuple(str(rounded(v, precision)) for v in numbers.asked.values())


def tie_distance(value: Decimal, precision: int) -> Decimal:
    """How far ``value`` is from the nearest rounding boundary, in units of 10^-precision."""
    scaled = value.scaleb(precision)
    return abs(scaled - scaled.to_integral_value(rounding=ROUND_FLOOR) - Decimal("0.5"))


def near_tie(numbers: Numbers, template: Template, seen: set) -> str:
    margin = TIE_MARGIN - numbers.slack.scaleb(template.precision)
    for key, value in (numbers.forward | numbers.asked).items():
        if tie_distance(value, template.precision) < margin:
            return f"{key} = {value:.{template.precision + 3}f} is a near-tie"
    return ""


def saturated(numbers: Numbers, template: Template, seen: set) -> str:
    for layer, name in enumerate(template.activations, start=1):
        if name not in SATURATING:
            continue
        for key, value in numbers.forward.items():
            if key.startswith(f"z{layer}[") and abs(value) > SATURATION + numbers.slack:
                return f"{key} = {value:.2f} saturates the {name}"
    return ""


def vanishing(numbers: Numbers, template: Template, seen: set) -> str:
    gradients = [v for k, v in numbers.asked.items() if k.startswith(GRADIENT_PREFIXES)]
    floor = Decimal(1).scaleb(1 - template.precision)
    if gradients and all(abs(v) < floor - numbers.slack for v in gradients):
        return f"every asked gradient is below {floor}"
    return ""


def duplicate(numbers: Numbers, template: Template, seen: set) -> str:
    if numbers.slack:  # rounding near-exact numbers is left to the exact check
        return ""
    if fingerprint(numbers, template.precision) in seen:
        return "the same asked values as another student's"
    return ""


@dataclass(frozen=True)
class Rule:
    """name: as reported; rejects(numbers, template, seen fingerprints) → reason or ""."""

    name: str
    rejects: Callable[[Numbers, Template, set], str]


RULES = (
    Rule("saturated", saturated),
    Rule("vanishing", vanishing),
    Rule("near-tie", near_tie),
    Rule("duplicate", duplicate),
)


def first_rejection(numbers: Numbers, template: Template, seen: set) -> tuple[str, str]:
    """(rule name, reason) of the first rule that rejects the numbers, or ("", "")."""
    for rule in RULES:
        reason = rule.rejects(numbers, template, seen)
        if reason:
            return rule.name, reason
    return "", ""
