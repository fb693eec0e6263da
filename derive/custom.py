"""User-defined activations and losses, given as text and parsed through the whitelist parser.

They get exactly the treatment of the built-ins: SymPy differentiates them, every step is
verified, and the result is cross-checked by direct differentiation and finite differences.
"""

from __future__ import annotations

import sympy as sp

from derive import crosscheck, rulebook
from derive.activations import ACTIVATIONS, Activation
from derive.builtins import activation as activation_builder
from derive.errors import ParseError, UnknownNameError
from derive.model import Chain, Derivation, Domain, Step
from derive.parse import parse_expression
from derive.render.printer import text as math_text
from derive.rules import tidy
from derive.symbols import L, h, p, y, z
from derive.verify import verify

ACTIVATION_SYMBOLS = {"z": z, "x": z}
LOSS_SYMBOLS = {"p": p, "yhat": p, "q": p, "a": p, "y": y}


def parse_activation(text: str) -> Activation:
    """An Activation from a rule's name (``"elu"``) or from text in z, e.g.
    ``"z * tanh(log(1 + exp(z)))"`` or ``"leaky_relu(z, 0.2)"``."""
    named = rulebook.activations().get(text.strip()) if isinstance(text, str) else None
    if named is not None:
        return named
    expr = parse_expression(text, ACTIVATION_SYMBOLS)
    if not expr.has(z):
        raise ParseError(f"activation '{text}' does not depend on z")
    derivative = sp.diff(expr, z)
    if derivative.has(sp.Derivative, sp.Subs):
        raise ParseError(f"activation '{text}' is not differentiable in closed form")
    return Activation(
        name=sp.sstr(expr),  # an identifier, not display text
        title="A user-defined activation",
        expr=expr,
    )


def activation_from_name_or_expression(text: str) -> Activation:
    """A built-in activation by name, else a user-defined one parsed from text."""
    if text in ACTIVATIONS:
        return ACTIVATIONS[text]
    try:
        return parse_activation(text)
    except ParseError as exc:
        names = ", ".join(ACTIVATIONS) + ", …"
        raise ParseError(
            f"activation '{text}' is neither a built-in ({names}) nor an expression in z: {exc}"
        ) from None


def custom_activation(text: str) -> Derivation:
    """g′(z) of a user-defined activation, with its output form h ↦ g′ where one exists."""
    act = parse_activation(text)
    derivation = activation_builder.build(act)
    derivation.name = "activation"
    return verify(derivation)


def parse_loss(text: str) -> sp.Expr:
    """A loss expression in p (the prediction; also ŷ, yhat, q, a) and y (the target), or the
    scalar definition of a named loss (``"huber"``, ``"log-cosh"``)."""
    named = rulebook.loss_named(text.strip()) if isinstance(text, str) else None
    if named is not None and not named.scalar.has(sp.Sum):
        return named.scalar
    expr = parse_expression(text, LOSS_SYMBOLS)
    if not expr.has(p):
        raise ParseError(f"loss '{text}' does not depend on the prediction p")
    return expr


def custom_loss(text: str, output: str = "sigmoid") -> Derivation:
    """∂L/∂z for a loss L(p, y) (a name or an expression) on a single output p = g(z), g a
    named activation or an expression in z."""
    loss = parse_loss(text)
    try:
        act = activation_from_name_or_expression(output)
    except ParseError as exc:
        raise UnknownNameError(f"unknown output activation: {exc}") from None
    in_output, _ = activation_builder.output_form_of(act)  # the output form, if g has one
    slope = in_output.xreplace({h: p}) if in_output is not None else None
    dL_dp = sp.diff(loss, p)
    through = dL_dp * sp.Derivative(act.expr, z)
    steps = [
        Step(through, f"chain rule: ∂L/∂z = ∂L/∂p · dp/dz, with ∂L/∂p = {math_text(dL_dp)}"),
    ]
    if slope is not None:
        substituted = dL_dp * slope
        steps.append(Step(substituted, f"dp/dz = {math_text(slope)}, from the {output} derivation"))
        steps.append(Step(tidy(sp.cancel(substituted)), "factor and cancel"))
    else:
        steps.append(Step(dL_dp * sp.diff(act.expr, z), f"differentiate p = {output}(z)"))
    domain = Domain(
        definitions={p: act.expr, L: loss},
        samplers={y: lambda rng, n, shape: rng.uniform(0.0, 1.0, size=n)},
        assumptions=[f"p = {output}(z)", "y ∈ [0, 1]"],
    )
    result = steps[-1].rhs
    return verify(
        Derivation(
            name="loss",
            title=f"A user-defined loss L = {math_text(loss)} on a {output} output",
            summary=f"∂L/∂z = {math_text(result)}",
            chains=[
                Chain(lhs=sp.Derivative(L, z), steps=steps, title="gradient at the logit", key="dz")
            ],
            domain=domain,
            conventions=[f"p = {math_text(act.shown)} is the prediction, y the target."],
            cross_checks=crosscheck.standard(loss.xreplace({p: act.expr}), z, result, domain),
        )
    )
