"""Quantities made for one question's params, in the notation of the notes that ask it:
``update-rule`` with ``gradient = "<quantity>"`` (θ − α g with g written out, note 003's
w_i − ξ (y* − y) x_i) and an activation with its ``output`` named (note 003's hidden outputs z_i,
so σ′ = z_i(1 − z_i)).  Each is an existing quantity with a wider symbol table; the results come
from the derivations, nothing is typed here."""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from check import quantities
from check.more_quantities import (
    UPDATE_RULE,
    GradientReader,
    _sgd_step,
    grad,
    grad_v,
    rate,
    theta,
    theta_v,
)
from check.quantities import Quantity
from derive.errors import UnknownNameError
from derive.symbols import y as target


def update_with(gradient: str) -> Quantity:
    """``update-rule`` with ``params gradient = "<quantity>"``: θ − α g with g that quantity's
    verified result written out (note 003's w_i − ξ (y* − y) x_i).  The answer may use the
    gradient quantity's symbols.  A gradient with one free index i (∂L/∂w_i) updates the entry
    θ_i, and a vector written bare (w − ξ (y* − y) x) means its entry i, as p − y does for
    softmax-ce.  A gradient whose own result needs a name the update rule takes for θ, α or G
    (another layer's weight w), a matrix gradient, or one with several free indices is refused
    rather than misread."""
    g = quantities.get(gradient)
    expected = g.expected
    own = {n: v for n, v in g.symbols.items() if n in UPDATE_RULE.symbols}
    own |= {n: v for n, v in g.indexed.items() if n in UPDATE_RULE.indexed}
    clash = sorted(n for n, v in own.items() if _needs(expected, v))
    free = list(dict.fromkeys(s for s in g.index_symbols.values() if s in expected.free_symbols))
    named = g.parameter is not None  # the gradient says which entry it is of (w_{ji}^{(1)})
    why = (
        f"its result uses {', '.join(clash)}"
        if clash
        else "it is a matrix quantity"
        if _matrix(g)
        else f"its result has {len(free)} free indices"
        if len(free) > 1 and not named
        else ""
    )
    if why:
        raise UnknownNameError(f"update-rule with gradient '{gradient}' is not supported: {why}")
    parameter = g.parameter if named else theta_v[free[0]] if free else theta
    vectors = {n: base[free[0]] for n, base in g.indexed.items()} if free and not named else {}

    def build() -> tuple:
        step, domain = _sgd_step()
        return step.xreplace({grad: expected, theta: parameter}), g.domain

    def tidy(expr):
        """θ alone is the entry asked about; ∂L/∂θ_j written as such is the gradient at j."""
        if not isinstance(expr, sp.Basic):
            return expr
        expr = g.tidy(expr) if g.tidy is not None else expr
        at = {
            a: expected.xreplace(dict(zip(free, a.indices, strict=True)))
            for a in expr.atoms(sp.Indexed)
            if a.base == grad_v and len(a.indices) == len(free)
        }
        return expr.xreplace({theta: parameter, grad: expected, **at})

    return quantities.made(
        replace(
            UPDATE_RULE,
            name=f"update-rule[{gradient}]",
            meaning=f"θ − α·({gradient}): one gradient-descent step with the gradient written out",
            symbols={**vectors, **g.symbols, **UPDATE_RULE.symbols},
            indexed={**g.indexed, **UPDATE_RULE.indexed},
            index_symbols={**g.index_symbols, **UPDATE_RULE.index_symbols},
            bare=g.bare,
            reader=_with_gradient(g.reader),
            functions=g.functions,
            swaps=(),  # θ + α g equals θ − α g with y and p swapped: named "uphill" here
            related=g.related,
            build=build,
            tidy=tidy,
            mistakes=lambda result: [
                *UPDATE_RULE.mistakes(result),
                *(
                    (parameter - rate * wrong, f"in the gradient: {why}")
                    for wrong, why in (g.mistakes(expected) if g.mistakes else ())
                ),
            ],
        )
    )


def _matrix(g: Quantity) -> bool:
    """A quantity answered in matrix notation (the dense layer's, a batch's)."""
    from derive.language.tensor import TensorReader

    tensor_reader = isinstance(g.reader, type) and issubclass(g.reader, TensorReader)
    return tensor_reader or g.tensors is not None or g.shape is not None


def _with_gradient(reader: type | None) -> type:
    """The update rule's reader (∂L/∂θ as G), with the gradient quantity's own notation first
    (w_{ji}^{(1)} the layer's weight, δ_i^{(1)} the network's δ) where it has one."""
    if reader is None or issubclass(reader, GradientReader):
        return GradientReader
    return type(f"{reader.__name__}Update", (reader, GradientReader), {})


def _needs(expr, value) -> bool:
    """Whether ``expr`` contains ``value`` (a symbol, or an IndexedBase's entries)."""
    if isinstance(value, sp.IndexedBase):
        return any(a.base == value for a in expr.atoms(sp.Indexed))
    return isinstance(value, sp.Basic) and expr.has(value)


def output_named(name: str, spelled: str) -> Quantity | None:
    """``sigmoid`` with ``output = "z_i"``: the notes call the unit's output z_i (note 003's
    hidden units), so z_i stands for the output h; z alone stays the pre-activation.  Only a
    plain name with at most one index or a star (z_i, z_{i}, y^*) is taken; others are ignored."""
    q = quantities.get(name)
    h = q.bare.get(name) or q.symbols.get("h")
    text = spelled.replace("{", "").replace("}", "").replace(" ", "").replace("^*", "star")
    if h is None or not re.fullmatch(r"[A-Za-z]+(?:star)?(?:_[A-Za-z0-9])?", text):
        return None
    if text in q.symbols:
        return _with_target(q, h, text)  # already a spelling of the quantity (y^* for sigmoid)
    return _with_target(replace(q, symbols={**q.symbols, text: h}), h, text)


def _with_target(q: Quantity, h: sp.Symbol, text: str) -> Quantity | None:
    """Where the output is starred (y^*, note 003), the plain letter (y) is the target: read,
    so that y(1 − y) for y^*(1 − y^*) is named as the target written for the prediction."""
    plain = text.removesuffix("star")
    if plain == text or plain in q.symbols or plain in q.bare or plain in q.functions:
        return q
    # the prediction as the result writes it: h, or the call h stands for (σ(z))
    meant = q.domain.definitions.get(h)
    calls = q.expected.atoms(sp.Function) if meant is not None else set()
    same = [f for f in calls if sp.simplify(f.rewrite(sp.exp) - meant) == 0]
    outputs = [h] * q.expected.has(h) + sorted(same, key=sp.default_sort_key)
    swaps = tuple((x, target) for x in outputs)
    return replace(q, symbols={**q.symbols, plain: target}, swaps=(*q.swaps, *swaps))
