"""The stability check inside ``generate``: each rule's lines certified in the module's dtype.

:func:`activation`, :func:`output_delta` and :func:`loss` take what :mod:`codegen.derivations`
derived, run :func:`codegen.rewrites.certified` on each elementwise expression and return the
(possibly rewritten) expressions with a :class:`Checked` record per line, which the generated
header states and ``generate`` warns about when a line stays inaccurate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from codegen import certify, certify_rows
from codegen.derivations import ActivationRule
from codegen.printer import IndexPrintingError
from codegen.rewrites import certified
from derive.symbols import h, z


@dataclass(frozen=True)
class Checked:
    """The grid check of one line: its certificate, the rewrites it took, or why it was not
    checked (a row function such as softmax's logsumexp has no grid here)."""

    label: str
    certificate: certify.Certificate | None
    notes: tuple[str, ...] = ()
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return self.certificate is None or self.certificate.ok

    def lines(self) -> tuple[str, ...]:
        """The header's lines for it."""
        if self.certificate is None:
            return (f"{self.label}: not grid-checked ({self.skipped})",)
        result = self.certificate.summary()
        out = [f"{self.label}: {result}"]
        out += [f"  rewritten: {note}" for note in self.notes]
        return tuple(out)

    def warning(self) -> str | None:
        if self.ok:
            return None
        return f"{self.label}: {self.certificate.summary()} ({self.certificate.dtype})"


def _check(label, expr, dtype, inputs) -> tuple[sp.Expr, Checked]:
    try:
        line, certificate, notes = certified(expr, dtype, inputs)
    except certify.NotCertifiable as reason:
        return expr, Checked(label, None, skipped=str(reason))
    except IndexPrintingError:  # printing the line itself reports it, naming the spec key
        return expr, Checked(label, None, skipped="no NumPy form")
    return line, Checked(label, certificate, notes)


def activation(rule: ActivationRule, dtype: str, label: str):
    """(rule with certified forward and slope, its two Checked records)."""
    forward, forward_checked = _check(f"{label}: h = g(z)", rule.forward, dtype, {})
    where = "in h" if rule.in_output else "in z"
    inputs = {"h": forward} if rule.in_output else {}
    slope, slope_checked = _check(f"{label}: g′ {where}", rule.slope, dtype, inputs)
    return replace(rule, forward=forward, slope=slope), (forward_checked, slope_checked)


def output_delta(delta: sp.Expr, forward: sp.Expr | None, dtype: str, label: str):
    """(Δ = ∂ℓ/∂z of one example, certified; its Checked). forward: the output p = g(z), None
    for softmax, whose Δ is checked on rows of logits (codegen.certify_rows) when it reads
    entries of P and Y only."""
    if forward is None:
        try:
            line, certificate, notes = certify_rows.certified(delta, dtype)
        except certify.NotCertifiable:
            return delta, Checked(label, None, skipped="softmax rows, logsumexp-shifted")
        return line, Checked(f"{label} on softmax rows of 3 logits", certificate, notes)
    return _check(label, delta, dtype, {"P": forward})


def loss(mean: sp.Expr, forward: sp.Expr | None, dtype: str, label: str):
    """(the mean loss with its per-output term certified; its Checked)."""
    sums = [e for e in sp.preorder_traversal(mean) if isinstance(e, sp.Sum)]
    if forward is None or not sums:
        return mean, Checked(label, None, skipped="softmax rows, logsumexp-shifted")
    term = sums[0].function
    line, checked = _check(label, term, dtype, {"P": forward})
    return mean.xreplace({term: line}) if line != term else mean, checked


__all__ = ["Checked", "activation", "h", "loss", "output_delta", "z"]
