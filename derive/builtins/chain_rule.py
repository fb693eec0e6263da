"""The chain rule on the lecture's two examples, every derivative taken by SymPy.

(a) f = x² + y² with x = r cos θ, y = r sin θ: ∂f/∂θ = ∂f/∂x ∂x/∂θ + ∂f/∂y ∂y/∂θ = 0.
    x and y depend on (r, θ), so they are SymPy functions x(r, θ), y(r, θ): differentiating
    f = x(r, θ)² + y(r, θ)² in θ is SymPy applying the multivariable chain rule.
(b) f = (x + y) z with q = x + y, f = q z: ∂f/∂x = ∂f/∂q ∂q/∂x = z · 1 = z. Here x, y, z are
    independent inputs (plain symbols) and q is an intermediate node of the graph.

All quantities are real scalars; θ is ``theta``.
"""

from __future__ import annotations

import math

import sympy as sp

from derive import crosscheck
from derive.builtins.losses import labelled, uniform
from derive.model import Chain, Derivation, Domain, Step
from derive.registry import register

r, theta = sp.symbols("r theta", real=True)
x, y, z, q, f = sp.symbols("x y z q f", real=True)  # example (b): inputs, node q, output f

# example (a): x, y and f as functions of the polar coordinates
x_polar = sp.Function("x", real=True)(r, theta)
y_polar = sp.Function("y", real=True)(r, theta)
f_polar = sp.Function("f", real=True)(r, theta)

POLAR = {x_polar: r * sp.cos(theta), y_polar: r * sp.sin(theta)}
F_POLAR = x_polar**2 + y_polar**2
F_GRAPH = q * z
Q = x + y


def chain_rule_domain() -> Domain:
    return Domain(
        definitions={f_polar: F_POLAR, **POLAR, f: F_GRAPH, q: Q},
        samplers={r: uniform(0.1, 2.0), theta: uniform(-math.pi, math.pi)},
    )


def _polar_chain() -> Chain:
    """∂f/∂θ for f = x² + y², x = r cos θ, y = r sin θ."""
    chain_rule = sp.diff(F_POLAR, theta)
    inner = chain_rule.replace(
        lambda e: isinstance(e, sp.Derivative),
        lambda e: sp.diff(e.expr.xreplace(POLAR), *e.variables),
    )
    # substitute term by term, unevaluated, so the cancellation is its own step
    substituted = sp.Add(
        *[term.xreplace(POLAR) for term in sp.Add.make_args(inner)], evaluate=False
    )
    result = sp.simplify(substituted)
    return Chain(
        lhs=sp.Derivative(f_polar, theta),
        steps=[
            Step(sp.Derivative(F_POLAR, theta), "f = x² + y², where x = r cos θ and y = r sin θ"),
            Step(
                chain_rule,
                "chain rule: ∂f/∂θ = ∂f/∂x ∂x/∂θ + ∂f/∂y ∂y/∂θ, with ∂f/∂x = 2x, ∂f/∂y = 2y",
            ),
            Step(inner, "∂x/∂θ = −r sin θ and ∂y/∂θ = r cos θ"),
            Step(substituted, "substitute x = r cos θ, y = r sin θ"),
            Step(result, "the two terms cancel"),
        ],
        title="polar coordinates: f = x² + y², x = r cos θ, y = r sin θ",
        key="polar",
        note="f = r² does not depend on θ, which is why the derivative is 0.",
    )


def _graph_chain() -> Chain:
    """∂f/∂x for f = q z, q = x + y."""
    df_dq = sp.diff(F_GRAPH, q)
    chain_rule = df_dq * sp.Derivative(q, x)
    dq_dx = sp.diff(Q, x)
    result = chain_rule.replace(lambda e: isinstance(e, sp.Derivative), lambda e: dq_dx)
    return Chain(
        lhs=sp.Derivative(f, x),
        steps=[
            Step(
                chain_rule,
                f"chain rule: x reaches f only through q, ∂f/∂x = ∂f/∂q ∂q/∂x; ∂f/∂q = {df_dq}",
            ),
            Step(result, f"q = x + y: ∂q/∂x = {dq_dx}"),
        ],
        title="a computational graph: f = (x + y) z through the node q = x + y",
        key="graph",
        note="Backpropagation does exactly this: the gradient at q is multiplied by the local ∂q/∂x.",
    )


@register("chain-rule", "chain rule: f = x² + y² in polar coordinates, and f = (x + y) z")
def chain_rule() -> Derivation:
    domain = chain_rule_domain()
    polar, graph = _polar_chain(), _graph_chain()
    polar_checks = crosscheck.standard(f_polar, theta, polar.result, domain)
    graph_checks = crosscheck.standard(f, x, graph.result, domain)
    checks = labelled(polar_checks, "f(r, θ)") + labelled(graph_checks, "f = (x + y) z")
    return Derivation(
        name="chain-rule",
        title="The chain rule",
        summary="∂f/∂θ = 0 for f = x² + y², x = r cos θ, y = r sin θ; ∂f/∂x = z for f = (x + y) z",
        chains=[polar, graph],
        domain=domain,
        conventions=[
            "If z depends on x_1, …, x_m only through y_1, …, y_n, then "
            "∂z/∂x_i = Σ_j ∂z/∂y_j ∂y_j/∂x_i.",
            "(a) x = x(r, θ) = r cos θ and y = y(r, θ) = r sin θ; ∂/∂θ holds r fixed.",
            "(b) x, y, z are independent inputs; q = x + y is an intermediate node.",
        ],
        cross_checks=checks,
        source="lecture notes 001 (1.3 Chain Rule, 2.1 The Intuition Behind Backpropagation)",
    )
