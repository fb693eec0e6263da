"""The chain-rule examples of the notes as quantities: the chain-rule derivation's two worked
examples (f = x² + y² in polar coordinates, f = (x + y) z), and the composite and quotient
rules for generic functions f, g, h, their results SymPy's derivative of the composition.

Generic functions are evaluated numerically as fixed, unrelated smooth functions (stated in
the domain's assumptions); an answer SymPy proves equal is correct for every f, g, h.

>>> from check import check_answer
>>> check_answer("chain:composite", "f'(g(x)) g'(x)").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import sympy as sp

import derive
from check.quantities import Quantity
from derive.model import Domain

# the generic functions of the composite and quotient rules, and their stand-ins for sampling
X = sp.Symbol("x", real=True)
F, G, H = sp.Function("f"), sp.Function("g"), sp.Function("h")
_T = sp.Dummy("t", real=True)
_STAND_INS = {
    F: sp.Lambda(_T, sp.sin(sp.Rational(13, 10) * _T) + sp.Rational(2, 5) * _T**2),
    G: sp.Lambda(_T, sp.exp(_T / 2) - sp.Rational(3, 10) * _T**3),
    H: sp.Lambda(_T, 2 + sp.cos(_T) + sp.Rational(1, 5) * _T**2),  # h > 0: 1/h is defined
}
_GENERIC = "f, g, h any differentiable functions (sampled as fixed unrelated smooth functions)"


def _polar() -> tuple:
    """∂f/∂θ = 2x ∂x/∂θ + 2y ∂y/∂θ: the derivation's chain-rule line after the inner
    derivatives, written in x and y (x = r cos θ, y = r sin θ stay definitions), so that a
    missing or sign-flipped term of the chain rule is named; it equals 0."""
    from derive.builtins import chain_rule as cr

    chain = derive.get("chain-rule").chains[0]
    inner = chain.steps[2].rhs  # 2x(r, θ)·(−r sin θ) + 2y(r, θ)·(r cos θ)
    written = inner.xreplace({cr.x_polar: cr.x, cr.y_polar: cr.y})
    domain = Domain(
        definitions={cr.x: cr.POLAR[cr.x_polar], cr.y: cr.POLAR[cr.y_polar]},
        samplers=dict(cr.chain_rule_domain().samplers),
        assumptions=["x = r cos θ, y = r sin θ (∂/∂θ holds r fixed)"],
    )
    return written, domain


def _polar_mistakes(result) -> list:
    """∂f/∂r (= 2r) for ∂f/∂θ: the derivative of f = r² with respect to the other coordinate."""
    from derive.builtins import chain_rule as cr

    f_of_r = cr.F_POLAR.xreplace(cr.POLAR)
    return [
        (
            sp.diff(f_of_r, cr.r),
            "derivative with respect to the wrong variable: this is ∂f/∂r, not ∂f/∂θ",
        )
    ]


def _graph() -> tuple:
    result = derive.get("chain-rule")["graph"].rhs
    return result, Domain(assumptions=["f = (x + y) z; x, y, z independent inputs"])


def _graph_mistakes(result) -> list:
    from derive.builtins import chain_rule as cr

    f_graph = cr.F_GRAPH.xreplace({cr.q: cr.Q})
    return [
        (f_graph, "that is f itself (the function itself), not its derivative"),
        (
            sp.diff(cr.F_GRAPH, cr.z).xreplace({cr.q: cr.Q}),
            "derivative with respect to the wrong variable: this is ∂f/∂z, not ∂f/∂x",
        ),
        (sp.diff(cr.Q, cr.x), "missing the factor ∂f/∂q = z: only ∂q/∂x is left"),
    ]


def _generic_domain(what: str) -> Domain:
    return Domain(definitions=dict(_STAND_INS), assumptions=[what, _GENERIC])


# f′, g′, h′ as functions of their own (f′(g(x)) is the derivative of f at g(x)), so that a
# derivative at an inner function can be evaluated once the stand-ins are substituted
_PRIMED = {fn: sp.Function(f"{fn.__name__}′") for fn in (F, G, H)}
_STAND_INS |= {
    _PRIMED[fn]: sp.Lambda(_T, sp.diff(body.expr, _T)) for fn, body in _STAND_INS.items()
}


def _at_inner(expr):
    """Each first derivative f′(u) of a generic function, as read (∂f(u)/∂u) or as SymPy
    differentiates (a Subs of it), written as the function f′ at u."""
    if not isinstance(expr, sp.Basic):
        return expr
    expr = expr.doit(deep=False) if isinstance(expr, sp.Subs) else expr

    def primed(e):
        if not isinstance(e, sp.Derivative) or len(e.variable_count) != 1:
            return None
        (var, count), inner = e.variable_count[0], e.expr
        if count != 1 or getattr(inner, "func", None) not in _PRIMED or inner.args != (var,):
            return None
        return _PRIMED[inner.func](var)

    return expr.replace(lambda e: primed(e) is not None, primed)


def _composite() -> tuple:
    return _at_inner(sp.diff(F(G(X)), X)), _generic_domain("d/dx f(g(x))")


def _composite_mistakes(result) -> list:
    outer_at_x = sp.diff(F(X), X)
    inner = sp.diff(G(X), X)
    return [
        (_at_inner(e), message)
        for e, message in [
            (
                outer_at_x * inner,
                "f′(x) where f′(g(x)) belongs: the outer derivative is taken at the inner function",
            ),
            (result / inner, "missing the inner derivative g′(x) (the chain rule's second factor)"),
            (
                sp.diff(G(F(X)), X),
                "the composition g(f(x)) instead of f(g(x)): the functions in the wrong order",
            ),
        ]
    ]


def _quotient() -> tuple:
    return _at_inner(sp.diff(G(X) / H(X), X)), _generic_domain("d/dx g(x)/h(x)")


def _quotient_mistakes(result) -> list:
    return [
        (
            sp.diff(G(X), X) / sp.diff(H(X), X),
            "g′/h′ instead of the derivative of g/h: the quotient of the derivatives",
        ),
        (
            sp.diff(G(X) * H(X), X),
            "the product rule instead of the quotient rule (the derivative of g h)",
        ),
    ]


def _scalars(*names) -> dict:
    from derive.builtins import chain_rule as cr

    table = {"x": cr.x, "y": cr.y, "z": cr.z, "r": cr.r, "theta": cr.theta}
    return {name: table[name] for name in names}


QUANTITIES = [
    Quantity(
        name="chain-rule:polar",
        derivation="",
        key="",
        meaning="∂f/∂θ for f = x² + y², x = r cos θ, y = r sin θ (the chain rule; it is 0)",
        accepts="x, y, r, θ (theta)",
        symbols=_scalars("x", "y", "r", "theta"),
        build=_polar,
        mistakes=_polar_mistakes,
    ),
    Quantity(
        name="chain-rule:product",
        derivation="",
        key="",
        meaning="∂f/∂x for f = (x + y) z, through the node q = x + y (= z)",
        accepts="x, y, z",
        symbols=_scalars("x", "y", "z"),
        build=_graph,
        mistakes=_graph_mistakes,
    ),
    Quantity(
        name="chain:composite",
        derivation="",
        key="",
        meaning="d/dx f(g(x)) = f′(g(x)) g′(x), f and g any functions",
        accepts="x; f, g as functions: f'(g(x)), g'(x), \\frac{d g(x)}{dx}",
        symbols={"x": X},
        functions={"f": F, "g": G},
        bare={"f": F(G(X)), "g": G(X)},  # Leibniz's df/dg dg/dx: f is f(g(x)), g is g(x)
        build=_composite,
        tidy=_at_inner,
        mistakes=_composite_mistakes,
    ),
    Quantity(
        name="chain:quotient",
        derivation="",
        key="",
        meaning="d/dx g(x)/h(x) (the quotient rule), g and h any functions",
        accepts="x; g, h as functions: g'(x), h(x)^2, \\frac{\\partial h(x)}{\\partial x}",
        symbols={"x": X},
        functions={"g": G, "h": H},
        build=_quotient,
        tidy=_at_inner,
        mistakes=_quotient_mistakes,
    ),
]

__all__ = ["QUANTITIES"]
