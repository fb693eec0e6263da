"""Naming the mistake in a wrong answer: each diagnosis is a transformation of the expected
result (or of the answer) that, evaluated at the same random points, matches the answer.

The catalogue, in the order tried: sign error; constant factor (2, ½, 1/m, ...); the
prediction and target swapped or one written for the other; a lost minus sign (u·v for
u − v, as OCR makes q₁ − y₁ into q₁y₁); a missing, extra or sign-flipped term; the answer in
terms of the wrong variable (z for h, indices i and j swapped); a derivative with respect to
another variable (∂L/∂p instead of ∂L/∂z); then the rules of :mod:`check.diagnose_rules`
(an index changed or a matrix transposed, a term missing inside a sum, a factor missing or
extra, p and y swapped in a numerator or denominator, the reciprocal, min for max).

The candidates are built on first use, inside the checker's worker, and tried only once the
answer is known to be wrong (a diagnosis that runs out of time leaves the verdict standing).

>>> d = Diagnoser(answer=-(p - y), expected=p - y)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

from check import diagnose_rules as rules
from check.equivalence import Points
from derive.render.printer import text as math_text

_FACTOR_NAMES = {Fraction(1, 2): "½", Fraction(2): "2", Fraction(-2): "−2", Fraction(-1, 2): "−½"}


def show(expr: sp.Basic) -> str:
    """Readable plain text in the notes' notation (p_i − y_i, σ(z)·(1 − σ(z))): the project's
    Unicode printer, the same one the derivations render with."""
    return math_text(expr)


@dataclass
class Diagnoser:
    """Candidate explanations of why ``answer`` differs from ``expected``.

    swaps: (prediction, target) pairs; related: (written, meant) pairs of variables;
    alternatives: (label, result) pairs for other derivatives; sizes: named size symbols (m).
    """

    answer: sp.Expr
    expected: sp.Expr
    swaps: tuple = ()
    related: tuple = ()
    alternatives: tuple = ()
    _tries: list = field(default_factory=list, init=False, repr=False)
    _factor_tries: list = field(default_factory=list, init=False, repr=False)

    def _build(self) -> list:
        """The candidates, built on first use (in the checker's worker, under its time limit)."""
        if self._tries:
            return self._tries
        a, e = self.answer, self.expected
        tries = self._tries
        for pred, target in self.swaps:
            tries += [
                (
                    e.xreplace({pred: target, target: pred}),
                    "y and p swapped (the prediction and the target trade places)",
                ),
                (
                    e.xreplace({pred: target}),
                    f"the prediction {show(pred)} is written as the target {show(target)}",
                ),
                (
                    e.xreplace({target: pred}),
                    f"the target {show(target)} is written as the prediction {show(pred)}",
                ),
            ]
        tries += _function_for_derivative(e)  # whole results first: the more specific names
        for label, result in self.alternatives:
            tries.append((result, label))
        terms = sp.Add.make_args(e)
        if len(terms) == 2:
            u, v = (t if not t.could_extract_minus_sign() else -t for t in terms)
            tries.append(
                (
                    u * v,
                    f"a lost minus sign: {show(u * v)} where the result is {show(e)} (a product for a difference, as OCR garbles q₁ − y₁ into q₁y₁)",
                )
            )
        for t in _terms(e):
            tries.append((e - t, f"missing term {show(t)}"))
            tries.append((e - 2 * t, f"sign error in the term {show(t)}"))
        for t in sp.Add.make_args(a) if isinstance(a, sp.Add) else ():
            tries.append((a - t, _extra_term(t), "answer"))
        for written, meant in self.related:
            swapped = a.xreplace(
                {written: meant, meant: written} if _indices(written, meant) else {written: meant}
            )
            tries.append((swapped, _wrong_variable(written, meant), "answer"))
        tries += rules.indices(e, a)
        tries += rules.nested_terms(e)
        self._factor_tries = rules.factors(e, a)
        tries += self._factor_tries
        tries += rules.swapped_parts(e, self.swaps)
        tries += rules.reciprocal_and_relatives(e)
        tries += rules.indicators(e)
        tries += rules.inner_for_outer(e, a)
        return tries

    def candidates(self) -> list[sp.Expr]:
        """Every expression the diagnoses evaluate (so the points cover all their symbols)."""
        return [t[0] for t in self._build()]

    def diagnose(self, points: Points) -> str | None:
        """The first diagnosis that fits at every point, or None."""
        va, ve = points.evaluate(self.answer), points.evaluate(self.expected)
        if va is None or ve is None:
            return None
        if points.same(va, -ve):
            return "sign error: the answer is −1 times the correct result"
        factor = _constant_ratio(va, ve)
        if factor is not None:
            name = _FACTOR_NAMES.get(factor, str(factor))
            return f"off by a constant factor: the answer is {name} times the correct result"
        zero = points.same(va, np.zeros_like(va))
        message = self._first(points, self._build(), va, ve)
        if message is not None and message in {label for label, _ in self.alternatives}:
            also = self._first(points, self._factor_tries, va, ve)  # δ_i for δ_i h_j: ∂L/∂b,
            message += f"; {also}" if also else ""  # and the factor h_j missing
        if message is not None:
            return f"{message} (the answer is 0 everywhere)" if zero else message
        if zero:
            return "the answer is 0 everywhere"
        return None

    def _first(self, points: Points, tries: list, va, ve) -> str | None:
        for expr, message, *compare_to in tries:
            if compare_to:  # a transformed answer that should equal the expected result
                found = _same(points, expr, self.expected, points.evaluate(expr), ve)
            else:
                found = _same(points, self.answer, expr, va)
            if found:
                return message
        return None


def _same(points: Points, a, b, va, vb=None) -> bool:
    """a and b agree at the points; where they are undefined at most of them (log y with y
    one-hot), a SymPy identity a − b = 0 as written (small expressions only) decides."""
    vb = points.evaluate(b) if vb is None else vb
    if points.same(va, vb):
        return True
    if va is None or vb is None:
        return False
    defined = np.isfinite(va) & np.isfinite(vb)
    if defined.sum() >= len(va) // 2 or sp.count_ops(a) + sp.count_ops(b) > 40:
        return False
    return sp.simplify(a - b) == 0


def _function_for_derivative(e: sp.Expr) -> list:
    """σ(z) written where σ′(z) belongs (1/(1 + e^{−z}) for the sigmoid's derivative)."""
    tries = []
    for d in e.atoms(sp.Derivative):
        inner = d.expr
        if isinstance(inner, sp.Function) and d.variables == inner.args[:1]:
            tries.append(
                (
                    e.xreplace({d: inner}),
                    f"{show(inner)} where {show(d)} belongs: the function itself (σ itself "
                    "for σ′), not its derivative",
                )
            )
    return tries


def _extra_term(t: sp.Expr) -> str:
    """An extra term 2u is also u written where −u belongs (p − py − y − py for
    p − py − y + py: the two terms that cancel no longer do)."""
    coefficient, _ = t.as_coeff_Mul()
    if abs(coefficient) != 2:
        return f"extra term {show(t)}"
    u = t / 2
    return (
        f"extra term {show(t)}, or a sign error: {show(u)} written where {show(-u)} belongs "
        f"(so that {show(u)} and {show(-u)} no longer cancel)"
    )


def _terms(e: sp.Expr) -> list:
    terms = list(sp.Add.make_args(e))
    expanded = sp.Add.make_args(sp.expand(e)) if sp.count_ops(e) < 40 else ()
    return terms + [t for t in expanded if t not in terms and len(expanded) <= 8]


def _indices(a, b) -> bool:
    return getattr(a, "is_integer", False) and getattr(b, "is_integer", False) and a.is_Symbol


def _wrong_variable(written, meant) -> str:
    if _indices(written, meant):
        return f"transposed: indices {written} and {meant} are swapped"
    return f"written in terms of the wrong variable: {show(written)} where {show(meant)} belongs"


def _constant_ratio(va: np.ndarray, ve: np.ndarray) -> Fraction | None:
    """c when va = c·ve at every point (c a simple rational other than 0, ±1), else None."""
    ok = np.isfinite(va) & np.isfinite(ve) & (np.abs(ve) > 1e-6)
    if ok.sum() < max(3, len(va) // 2):
        return None
    ratio = va[ok] / ve[ok]
    c = float(np.median(ratio))
    if not np.allclose(ratio, c, rtol=1e-7, atol=1e-9):
        return None
    guess = Fraction(c).limit_denominator(12)
    if abs(float(guess) - c) > 1e-9 or guess in (0, 1, -1):
        return None
    return guess
