"""Derivations of activation derivatives g'(z), and of g' in terms of the output h = g(z)."""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from derive import crosscheck
from derive.activations import ACTIVATIONS, Activation
from derive.model import Chain, Derivation, Domain, Step
from derive.numeric import EvaluationError, evaluate
from derive.registry import register
from derive.render.printer import text as math_text
from derive.rules import output_form, tidy
from derive.symbols import h, z
from derive.verify import numeric_equal, symbolic_equal


def _z_sampler(rng, n, shape):
    return rng.uniform(-3.0, 3.0, size=n if shape is None else (n, *shape))


def activation_domain(act: Activation) -> Domain:
    return Domain(definitions={h: act.expr}, samplers={z: _z_sampler})


def _heaviside_in_output(derivative: sp.Expr) -> sp.Expr:
    """H(c z) written H(sign(c) h): for activations with g(0) = 0 that keep the sign of z
    (ReLU, leaky ReLU); the caller verifies the result on the domain."""

    def scale(e):
        ratio = sp.simplify(e.args[0] / z)
        return ratio if ratio.is_number and ratio != 0 else None

    return derivative.replace(
        lambda e: isinstance(e, sp.Heaviside) and scale(e) is not None,
        lambda e: sp.Heaviside(h * sp.sign(scale(e)), *e.args[1:]),
    )


def recognise_activation(expr: sp.Expr, exclude: str = "") -> Activation | None:
    """The built-in activation that expr equals (e.g. softplus′ = σ), if any: a rewrite that
    is then verified like every other step."""
    points = {z: np.array([-1.3, 0.4, 2.1])}
    try:
        values = evaluate(expr, points)
    except EvaluationError:
        return None
    for other in ACTIVATIONS.values():
        if other.name in (exclude, "identity") or other.display is None:
            continue
        # a cheap numeric filter first; the symbolic proof only for a likely match
        if np.allclose(values, evaluate(other.expr, points)) and symbolic_equal(expr, other.expr):
            return other
    return None


def derive_output_form(act: Activation, derivative: sp.Expr, domain: Domain):
    """(expression in h, justification) or (None, reason) — only verified candidates survive."""
    if derivative.has(sp.Heaviside) and act.expr.subs(z, 0) == 0:
        candidate, why = _heaviside_in_output(derivative), "h > 0 exactly when z > 0"
    else:
        candidate = output_form(derivative, act.expr, z, h)
        direct = not derivative.subs(act.expr, h).has(z)
        why = (
            f"substitute {math_text(act.shown)} = h"
            if direct
            else "solve h = g(z) for z, substitute"
        )
    if candidate is None or candidate.has(z):
        return None, "g′ cannot be written in h alone (no closed-form inverse of g was found)"
    # only decides whether to offer an output form: the chain's own verification proves it
    ok, _ = numeric_equal(derivative, candidate, domain)
    if not ok:
        return None, "the candidate output form does not hold on the whole domain"
    return candidate, why


@functools.cache
def output_form_of(act: Activation):
    """g′ in terms of the output h and its justification, or (None, why not): the result of
    the second chain of the activation's derivation. Derivations that reuse it (sigmoid-bce,
    mse, mlp, user-defined losses) take it from here rather than build the whole derivation."""
    return derive_output_form(act, sp.diff(act.expr, z), activation_domain(act))


def build(act: Activation) -> Derivation:
    """g'(z) by SymPy, written with g itself where possible, and in terms of h = g(z)."""
    domain = activation_domain(act)
    lhs = sp.Derivative(act.shown, z)
    steps = []
    if act.display is not None:
        steps.append(
            Step(
                sp.Derivative(act.expr, z, evaluate=False), f"definition of {math_text(act.shown)}"
            )
        )
    derivative = sp.diff(act.expr, z)
    steps.append(Step(derivative, "differentiate"))
    known = recognise_activation(derivative, exclude=act.name)
    if known is not None:
        steps.append(Step(known.shown, f"this is {known.name}: {math_text(known.shown)}"))
    out, out_why = output_form_of(act)
    in_g = None
    if out is not None and act.display is not None:
        in_g = out.subs(h, act.display)
        if in_g != derivative:
            steps.append(Step(in_g, f"written with {math_text(act.shown)} itself ({out_why})"))
    chains = [
        Chain(lhs=lhs, steps=steps, title=f"derivative of {math_text(act.shown)}", key="slope_z")
    ]
    if out is not None:
        chains.append(
            Chain(
                lhs=sp.Derivative(act.shown, z),
                steps=[Step(out, out_why)],
                title=f"in terms of the output h = {math_text(act.shown)}",
                note="h is cached by the forward pass, so backward reuses it",
                key="slope_h",
            )
        )
    conventions = [f"h = {math_text(act.shown)} is the activation's output."]
    if act.note:
        conventions.append(act.note)
    if out is None:
        conventions.append(f"No form in terms of h: {out_why}.")
    result = chains[0].result
    return Derivation(
        name=act.name,
        title=f"{act.title}: {math_text(act.shown)}",
        summary=f"d/dz {math_text(act.shown)} = {math_text(tidy(in_g) if in_g is not None else result)}",
        chains=chains,
        domain=domain,
        conventions=conventions,
        cross_checks=crosscheck.standard(act.expr, z, result, domain),
    )


def _register(act: Activation) -> None:
    register(act.name, f"d/dz {math_text(act.shown)}")(lambda: build(act))


for _act in ACTIVATIONS.values():
    _register(_act)

__all__ = ["build", "derive_output_form", "np", "output_form_of"]
