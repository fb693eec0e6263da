"""Quantities made from the question's own text: the derivative of a given expression
(``of``, ``wrt``), a user-defined activation's g′(z) (``--activation EXPR``) and a
user-defined loss's ∂L/∂z (``--loss EXPR``).  The results are the derivations'
(:mod:`derive.custom`, SymPy's derivative of the parsed text); no user text is evaluated.

>>> from check import check_answer
>>> check_answer("derivative", "2w", params={"of": "w^2", "wrt": "w"}).correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import sympy as sp

from check.quantities import PREDICTION, Quantity, made
from derive.errors import ParseError
from derive.model import Domain
from derive.render.printer import text as show
from derive.symbols import h, p, y, z

# the names a given expression and its answer may use: letters, and entries w_1, x_2, …
LETTERS = ("w", "x", "y", "z", "u", "v", "t", "r", "s", "a", "b", "c", "theta", "yhat", "ystar")
_SCALARS = {name: sp.Symbol(name, real=True) for name in LETTERS}
_VECTORS = {name: sp.IndexedBase(name) for name in ("w", "x", "a", "b", "theta")}


def _read(text: str):
    from derive.language import parse_expression

    if not isinstance(text, str):
        raise ParseError("the expression must be text")
    return parse_expression(text, _SCALARS, indexed=_VECTORS, index_symbols={})


def _itself(of, var=None):
    """The expression itself written for its derivative, or (given ``var``) one of its terms
    in ``var`` (w_1² for d/dw_1 (w_1² + w_2²))."""
    terms = [t for t in sp.Add.make_args(of) if var is not None and t.has(var) and t != of]

    def mistakes(result) -> list:
        return [(of, "that is the expression itself, not its derivative")] + [
            (t, f"that is the term {show(t)} of the expression itself, not its derivative")
            for t in terms
        ]

    return mistakes


def derivative(of: str, wrt: str) -> Quantity:
    """d(of)/d(wrt) for an expression ``of`` in the letters above."""
    expr, var = _read(of), _read(wrt)
    if not isinstance(var, sp.Symbol | sp.Indexed):
        raise ParseError(f"'{wrt}' is not a variable to differentiate with respect to")
    if not expr.has(var):
        raise ParseError(f"'{of}' does not depend on '{wrt}'")

    def build():
        return sp.diff(expr, var), Domain(assumptions=[f"the derivative of {of} by {wrt}"])

    return made(
        Quantity(
            name=f"derivative of {of} with respect to {wrt}",
            derivation="",
            key="",
            meaning=f"d/d{wrt} ({of})",
            accepts="the letters of the expression, entries w_1, x_2",
            symbols=dict(_SCALARS),
            indexed=dict(_VECTORS),
            related=tuple(
                (a, var) for a in expr.atoms(sp.Indexed, sp.Symbol) - {var} if a.is_Indexed
            ),
            build=build,
            mistakes=_itself(expr, var),
        )
    )


def expression(of: str) -> Quantity:
    """The given expression ``of`` itself (a forward quantity: L(w) as the question states it)."""
    expr = _read(of)

    def build():
        return expr, Domain(assumptions=[f"the expression {of}"])

    return made(
        Quantity(
            name=f"the expression {of}",
            derivation="",
            key="",
            meaning=f"the value of {of}",
            accepts="the letters of the expression, entries w_1, x_2",
            symbols=dict(_SCALARS),
            indexed=dict(_VECTORS),
            build=build,
        )
    )


def _from_derivation(name: str, meaning: str, make, symbols: dict, itself=None) -> Quantity:
    def build():
        d = make()
        first = next(iter(d.results))
        return d[first].rhs, d.domain

    return made(
        Quantity(
            name=name,
            derivation="",
            key="",
            meaning=meaning,
            accepts=", ".join(symbols),
            symbols=symbols,
            build=build,
            mistakes=_itself(itself) if itself is not None else None,
        )
    )


def activation(text: str) -> Quantity:
    """g′(z) of a user-defined activation (``--activation "z * sigmoid(z)"``)."""
    from derive import custom

    act = custom.parse_activation(text)  # a one-line ParseError before anything is built
    return _from_derivation(
        f"activation {text}",
        f"d/dz of g(z) = {text}",
        lambda: custom.custom_activation(text),
        {"z": z, "x": z, "h": h},
        itself=act.expr,
    )


def loss(text: str, output: str = "sigmoid") -> Quantity:
    """∂L/∂z of a user-defined loss L(p, y) on one output p = g(z) (``--loss "(y - p)^2"``)."""
    from derive import custom

    custom.parse_loss(text)
    symbols = {**dict.fromkeys(PREDICTION, p), "y": y, "z": z}
    return _from_derivation(
        f"loss {text} on {output}",
        f"∂L/∂z for L = {text}, p = {output}(z)",
        lambda: custom.custom_loss(text, output),
        symbols,
    )
