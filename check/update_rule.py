"""The update rule θ ← θ − η g as the notes write it: the parameter W, w, θ (one entry w_ij,
a layer's W^i, θ_t at step t), the learning rate α, η, ξ, and the gradient dW, ∂L/∂W, ∇_θ L,
Δw_ij (note 002's delta rule) or ∇θ_t with its subscript lost (note 004).  The result is the
SGD record of codegen.optimizers (verified against torch.optim), read by the language.

>>> from check import check_answer
>>> check_answer("update-rule", "W^i - \\alpha dW^i").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import operator
from dataclasses import replace

import sympy as sp

from check.quantities import Quantity
from derive.language.scalar import ScalarReader
from derive.model import Domain
from derive.symbols import i, j, k

# -- the update rule θ ← θ − η g ------------------------------------------------------------

theta = sp.Symbol("theta", real=True)  # the parameter, before the step
rate = sp.Symbol("alpha", real=True, positive=True)  # the learning rate α, η, ξ


class _Gradient(sp.Symbol):
    """The gradient ∂L/∂θ at θ, one symbol: written ∂L/∂θ in text (by its name) and LaTeX."""

    def _latex(self, printer) -> str:
        return r"\frac{\partial L}{\partial \theta}"


grad = _Gradient("∂L/∂θ", real=True)  # the gradient at θ
theta_v = sp.IndexedBase("theta")


class _IndexedGradient(sp.IndexedBase):
    """G_i = ∂L/∂θ_i, the gradient at one entry of θ: printed ∂L/∂θ_i (text and LaTeX), as
    the printers write a gradient entry (derive.render.forms.gradient_base)."""

    gradient_of = theta_v


grad_v = _IndexedGradient("G")
PARAMETER_NAMES = ("W", "w", "theta", "W_old", "w_old", "theta_old", "b")
RATE_NAMES = ("alpha", "eta", "xi", "lr", "epsilon")
GRADIENT_NAMES = ("dW", "dw", "g", "db", "grad")
LOSS_NAMES = frozenset({"L", "J", "E", "e", "C", "calL", "ell"})
LAYERED_NAMES = frozenset({"W", "w", "b", "dW", "dw", "db"})  # names W^i may label a layer of


def _sgd_step() -> tuple:
    """θ − η g from the SGD record of codegen.optimizers (its LaTeX, read by the language)."""
    from codegen.optimizers import OPTIMIZERS
    from derive.language import parse_expression

    rule = OPTIMIZERS["sgd"].latex[0]
    rhs = rule.split(r"\leftarrow", 1)[1]
    step = parse_expression(rhs, {"theta": theta, "eta": rate, "g": grad})
    return step, Domain(
        assumptions=["θ the parameter, α the learning rate, ∂L/∂θ the gradient at θ"]
    )


class GradientReader(ScalarReader):
    """Reads ∂L/∂W (any loss name) as the gradient G at the parameter, with its indices."""

    def _read_deriv(self, node):
        of, wrt = node.args
        if of is not None and of.kind == "name" and of.text in LOSS_NAMES and not of.sub:
            var = self.read(wrt)
            if var == theta:
                return grad
            if isinstance(var, sp.Indexed) and var.base == theta_v:
                return grad_v[var.indices]
            raise self.fail("the derivative must be with respect to the parameter", wrt)
        return super()._read_deriv(node)

    def _read_pow(self, node):
        """``w^t``: the parameter at step t, as in w^{t+1} = w^t − ξ ∇_{w^t} L.
        The update rule knows no symbol t, so the power w to the t is no reading of it."""
        base, exponent = node.args
        if (
            exponent.kind == "name"
            and exponent.text == "t"
            and not exponent.sub
            and "t" not in self.symbols
        ):
            value = self.read(base)
            if value == theta or (isinstance(value, sp.Indexed) and value.base == theta_v):
                self.note(f"{base.text}^t read as {base.text} at step t")
                return value
        if self._letter_layer(base, exponent):  # W^i - α ∂L/∂W^i: i names the layer
            self.layer_letters = self.layer_letters | {exponent.text}
            return self.read(replace(base, layer=exponent))
        return super()._read_pow(node)

    def _letter_layer(self, base, exponent) -> bool:
        """``W^i``, ``dW^i``: a parameter or its gradient with a one-letter label that is no
        symbol here (note 000 writes layer i so); θ to the power i is no reading of it."""
        return (
            exponent.kind == "name"
            and len(exponent.text) == 1
            and not exponent.sub
            and exponent.text not in self.symbols
            and exponent.text != "T"
            and base.kind == "name"
            and base.layer is None
            and base.text in LAYERED_NAMES
        )

    def subscripted(self, node, text):
        """``θ_t``: the parameter at step t (note 004's θ_{t+1} ← θ_t − η ∇θ_t); the update
        rule has no index t, so no entry t is meant."""
        sub = node.sub
        if (
            sub.kind == "name"
            and sub.text == "t"
            and not sub.sub
            and "t" not in self.index_symbols
            and self.symbols.get(text) == theta
        ):
            self.note(f"{text}_t read as {text} at step t")
            return theta
        return super().subscripted(node, text)

    def _read_product(self, node):
        """``Δw_{ij}``: the gradient ∂J/∂w_ij, as note 002's delta rule names it (∂J/∂w_ij =
        δ_i a_j ≡ Δw_ij, then w_ij = w_ij − α Δw_ij)."""
        args, ops = node.args, node.ops
        factors, at = [], 0
        while at < len(args):
            op, factor = ops[at], args[at]
            nxt = args[at + 1] if at + 1 < len(args) and ops[at + 1] == "" else None
            if _is_delta(factor) and nxt is not None:
                value = self.read(nxt)
                if value == theta or isinstance(value, sp.Indexed) and value.base == theta_v:
                    self.note("Δw read as ∂L/∂w, the gradient (the delta rule's Δw)")
                    factors.append((op, grad if value == theta else grad_v[value.indices], nxt))
                    at += 2
                    continue
            factors.append((op, self.read(factor), factor))
            at += 1
        value = factors[0][1]
        for op, rhs, factor in factors[1:]:
            if op == "@":
                raise self.fail("'@' is a matrix product: not in a scalar expression", factor)
            fn = operator.truediv if op == "/" else operator.mul
            value = self.limits.build(factor.tok, fn, value, rhs)
        return value

    def _read_gradat(self, node):
        """``∇θ_t`` with its subscript lost (note 004, printed so): the gradient at θ_t."""
        of = node.args[0]
        value = self.read(of)
        if value == theta or (isinstance(value, sp.Indexed) and value.base == theta_v):
            self.note("∇θ read as the gradient of the loss at θ (∇ printed without its subscript)")
            return grad if value == theta else grad_v[value.indices]
        return super()._read_gradat(node)


def _is_delta(node) -> bool:
    return node.kind == "name" and node.text == "Delta" and node.sub is None and not node.layer


def _one_parameter(expr):
    """w_j − α ∂L/∂w_j is θ − α G: one entry of θ and of G, the same entry of each."""
    if not isinstance(expr, sp.Basic):
        return expr
    entries = {a.indices for a in expr.atoms(sp.Indexed) if a.base in (theta_v, grad_v)}
    if len(entries) != 1:
        return expr  # none, or different entries: compared as written (so a slip is wrong)
    (index,) = entries
    return expr.xreplace({theta_v[index]: theta, grad_v[index]: grad})


def _update_mistakes(result) -> list:
    return [
        (result.xreplace({rate: -rate}), "uphill: the step adds + α·∂L/∂θ (sign error)"),
        (result.xreplace({rate: 1}), "missing the learning rate α"),
        (result - theta, "missing the parameter θ: this is only the step − α ∂L/∂θ"),
        (theta - result, "missing the parameter θ: this is only the step α ∂L/∂θ"),
    ]


UPDATE_RULE = Quantity(
    name="update-rule",
    derivation="",
    key="",
    meaning="θ − α ∂L/∂θ: one gradient-descent step (SGD, as torch.optim.SGD)",
    accepts="the parameter W, w, θ (W_old; one entry w_ij with ∂L/∂w_ij); the learning rate "
    "α, η, ξ or lr; the gradient dW, g, ∂L/∂W (L, J, E, C, 𝓛)",
    symbols={
        **dict.fromkeys(PARAMETER_NAMES, theta),
        **dict.fromkeys(RATE_NAMES, rate),
        **dict.fromkeys(GRADIENT_NAMES, grad),
    },
    indexed={**dict.fromkeys(("W", "w", "theta"), theta_v), "dW": grad_v, "dw": grad_v},
    index_symbols={"i": i, "j": j, "k": k},
    build=_sgd_step,
    reader=GradientReader,
    tidy=_one_parameter,
    mistakes=_update_mistakes,
)

__all__ = ["UPDATE_RULE", "GradientReader", "grad", "grad_v", "rate", "theta", "theta_v"]
