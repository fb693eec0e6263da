"""What codegen takes from derive: verified results, written for a batch of examples.

Every expression here is a derived result or a definition from :mod:`derive`; nothing is typed
in by hand. Results are lifted to a batch (one example per row, row index ``n``): the output
``p`` of one example becomes ``P[n, i]``, its target ``Y[n, i]``, its logit ``Z[n, i]``.
Each rule is cached, so generating a deep network costs what its distinct layer kinds cost.

>>> rule = output_rule("softmax", "cross-entropy")
>>> rule.delta, rule.source
(P[n, i] - Y[n, i], 'softmax-ce')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

import derive
from codegen import stable
from codegen.printer import index_axes, print_array
from derive.activations import ACTIVATIONS
from derive.builtins import dense
from derive.builtins.mlp import OUTPUT_RULES
from derive.builtins.softmax import softmax_entry
from derive.custom import parse_activation, parse_loss
from derive.errors import DerivationError
from derive.losses import LOSSES, yhat, yhatv
from derive.model import ActivationResult
from derive.numeric import evaluate
from derive.rules import eliminate_deltas, split_sums
from derive.symbols import K, h, i, j, k, m, p, pv, r, y, yv, z, zv

ROW = dense.n  # the example index: axis 0 of every batch array
P = sp.IndexedBase("P")  # the layer's output (the network's output, for the output layer)
Y = sp.IndexedBase("Y")  # targets
Z = sp.IndexedBase("Z")  # pre-activations (logits, for the output layer)
H = dense.H  # the layer's input (the output of the layer below), as in derive's batch rule
DELTA = sp.IndexedBase("Delta_bar")  # Δ̄ = Δ/m = ∂L/∂Z of the mean loss L

_BATCH = {p: P, yhat: P, h: P, y: Y, z: Z}  # per-example symbols -> batch arrays
_BATCH_VECTORS = {pv: P, yhatv: P, yv: Y, zv: Z}


def to_batch(expr: sp.Expr, unit=i) -> sp.Expr:
    """One example's expression over a batch: scalars p, y, z become P[n, unit], ...; vector
    entries p[k] become P[n, k]."""
    expr = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base in _BATCH_VECTORS,
        lambda e: _BATCH_VECTORS[e.base][(ROW, *e.indices)],
    )
    return expr.xreplace(
        {s: base[ROW, unit] for s, base in _BATCH.items() if s in expr.free_symbols}
    )


def tidy_sums(expr: sp.Expr) -> sp.Expr:
    """Σ_a Σ_b f = Σ_{a,b} f, with factors free of the summation indices moved in front."""

    def tidy(s: sp.Sum):
        variables = {limit[0] for limit in s.limits}
        inside, outside = [], []
        for factor in sp.Mul.make_args(s.function):
            (inside if factor.free_symbols & variables else outside).append(factor)
        body, limits = sp.Mul(*inside), list(s.limits)
        if isinstance(body, sp.Sum):
            body, limits = body.function, [*body.limits, *limits]
        return sp.Mul(*outside) * sp.Sum(body, *limits)

    return expr.replace(lambda e: isinstance(e, sp.Sum), tidy)


# -- activations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivationRule:
    """g(z) with stable primitives, and g′ from the activation's derivation.

    slope: g′ in the output h when ``in_output`` (reusing the cached activations), else in z.
    """

    text: str
    forward: sp.Expr
    slope: sp.Expr
    in_output: bool
    source: str

    @property
    def is_identity(self) -> bool:
        return self.forward == z

    @functools.cached_property  # asked once per layer; evalf is slow
    def relu_like(self) -> bool:
        """≈ z for large z and ≈ 0 for very negative z (ReLU, softplus, swish, leaky ReLU...)."""
        elementary = self.forward.rewrite(sp.exp)
        # sin, cos rewrite to complex exponentials: the value is real up to round-off
        high, low = (complex(elementary.subs(z, v).evalf()).real for v in (10, -10))
        return abs(high - 10.0) < 0.5 and abs(low) < 0.5


@functools.cache
def activation_rule(text: str) -> ActivationRule:
    """The rule of a built-in activation (by name) or of an expression in z."""
    if text in ACTIVATIONS:
        derivation, forward, source = derive.get(text), ACTIVATIONS[text].shown, text
    else:
        derivation, forward = derive.custom_activation(text), parse_activation(text).expr
        source = f"activation {text}"
    slopes = ActivationResult.of(derivation)  # g′ in h = g(z) where it has that form
    in_output = slopes.in_output
    slope = slopes.slope_h if in_output else slopes.slope_z
    return ActivationRule(
        text=text,
        forward=_stable_equal(forward, z),
        slope=_stable_equal(slope, h if in_output else z),
        in_output=in_output,
        source=source,
    )


def _stable_equal(expr: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """stabilise(expr), checked equal to expr at sample points (a rewrite bug is never silent)."""
    rewritten = stable.stabilise(expr)
    if rewritten == expr:
        return expr
    values = {variable: np.linspace(-4.0, 4.0, 41)}
    before, after = evaluate(expr, values), evaluate(rewritten, values)
    if not np.allclose(before, after, rtol=1e-9, atol=1e-12, equal_nan=True):
        raise DerivationError(f"stable rewrite of {sp.sstr(expr)} changed its value")
    return rewritten


def slope_on_batch(rule: ActivationRule, output, pre_activation) -> sp.Expr:
    """g′ of one unit of a batch, from the cached output (h → output) or else from z."""
    if rule.in_output:
        return rule.slope.xreplace({h: output})
    return rule.slope.xreplace({z: pre_activation})


# -- the output layer: Δ at the logits, and the loss itself ---------------------------------------


@dataclass(frozen=True)
class OutputRule:
    """Δ = ∂ℓ/∂z_i for one example (row n, unit i) in P, Y (and Z), and where it comes from."""

    delta: sp.Expr
    source: str
    text: str  # the per-example result as the derivation states it, e.g. "p_i − y_i"


@functools.cache
def output_rule(activation: str, loss: str) -> OutputRule:
    """Δ from derive: a built-in output/loss pair, a custom loss on a built-in output, or else
    ∂ℓ/∂p (SymPy on the loss definition) times g′ from the activation's derivation."""
    if (activation, loss) in OUTPUT_RULES:
        name, key = OUTPUT_RULES[(activation, loss)]
        result = derive.get(name)[key].rhs
        return OutputRule(to_batch(result), name, shown(result))
    if activation in ACTIVATIONS and loss not in LOSSES:
        result = derive.custom_loss(loss, output=activation)["dz"].rhs
        return OutputRule(to_batch(result), f"loss {loss} on {activation}", shown(result))
    if activation == "softmax":
        return _through_softmax(loss)
    rule = activation_rule(activation)
    slope = slope_on_batch(rule, P[ROW, i], Z[ROW, i])
    dl_dp = sp.diff(per_output_loss(loss), p)
    source = f"chain rule with ∂ℓ/∂p from the {loss} loss and g′ from {rule.source}"
    return OutputRule(to_batch(dl_dp) * slope, source, f"({shown(dl_dp)}) · g′")


def _through_softmax(loss: str) -> OutputRule:
    """Σ_k ∂ℓ/∂p_k · ∂p_k/∂z_i with derive's softmax Jacobian p_k(δ_ki − p_i), deltas removed."""
    dl_dp = sp.diff(per_output_loss(loss), p).xreplace({p: pv[k], y: yv[k]})
    jacobian = derive.get("softmax")["jacobian"].rhs.xreplace({i: k, j: i})  # ∂p_k/∂z_i
    result = sp.factor_terms(eliminate_deltas(split_sums(sp.Sum(dl_dp * jacobian, (k, 1, K)))))
    text = f"Σ_k ({shown(dl_dp.xreplace({pv[k]: p, yv[k]: y}))})_k ∂p_k/∂z_i"
    return OutputRule(to_batch(result), f"softmax Jacobian with ∂ℓ/∂p of {loss}", text)


def shown(expr: sp.Expr) -> str:
    """A per-example expression as code-like text for comments: ``p - y``."""
    return print_array(expr, tuple(sorted(index_axes(expr), key=str)))


def per_output_loss(loss: str) -> sp.Expr:
    """ℓ(p, y) of one output unit, for losses that are sums over the outputs."""
    if loss in LOSSES:
        definition = LOSSES[loss]
        single = definition.per_output if definition.per_output is not None else definition.expr
        return single.xreplace({yhat: p})
    return parse_loss(loss)


@dataclass(frozen=True)
class LossRule:
    """The mean loss over a batch, from the logits Z where the stable rewrites apply."""

    mean: sp.Expr
    from_logits: bool
    notes: tuple[str, ...]  # the rewrites that made it stable


@functools.cache
def loss_rule(activation: str, loss: str) -> LossRule:
    """L = (1/m) Σ_n ℓ_n with ℓ from derive's loss definition (or the user's expression)."""
    if loss in LOSSES and LOSSES[loss].expr.has(sp.Sum):  # defined over a vector of outputs
        per_example = LOSSES[loss].expr
    else:
        per_example = sp.Sum(per_output_loss(loss).xreplace({p: pv[k], y: yv[k]}), (k, 1, K))
    in_logits = per_example.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base in (pv, yhatv),
        lambda e: _output_of_logits(activation, e.indices[0]),
    )
    fired: list = []
    stable_form = stable.stabilise(in_logits, fired)
    notes = tuple(stable.note(rule) for rule in fired if rule in stable.LOG_RULES)
    from_logits = bool(notes)  # a log of a probability was rewritten in terms of the logits
    chosen = stable_form if from_logits else stable.stabilise(per_example)
    mean = tidy_sums(sp.Sum(to_batch(chosen), (ROW, 1, m)) / m)
    return LossRule(mean, from_logits, tuple(notes))


@functools.cache
def softmax_on_batch() -> sp.Expr:
    """p_i = e^{z_i} / Σ_l e^{z_l} (derive's softmax), stable, for row n: softmax(Z)[n, i]."""
    return stable.stabilise(to_batch(softmax_entry(i)))


def _output_of_logits(activation: str, index):
    if activation == "softmax":
        return softmax_entry(index)
    return activation_rule(activation).forward.xreplace({z: zv[index]})


# -- layers: derive's mini-batch rules, with the 1/m folded into Δ̄ -----------------------------


@dataclass(frozen=True)
class BatchRules:
    """The lines of one dense layer over a batch, in generic names (H, W, b, Z, Δ̄, dH)."""

    pre_activation: sp.Expr  # Z[n, i] = Σ_l H[n, l] W[i, l] + b[i]
    weights: sp.Expr  # dW[i, j]
    biases: sp.Expr  # db[i]
    layer_input: sp.Expr  # dH[n, j]

    @staticmethod
    def delta_below(gradient: sp.Expr, slope: sp.Expr) -> sp.Expr:
        """Δ̄ of the layer below at [n, j]: dense's δ_prev = (Wᵀ δ) ⊙ g′, as dH ⊙ g′.

        Kept as the product dH · (g′) (unevaluated), so it prints as ``dA * (g′)``.
        """
        return gradient if slope == 1 else sp.Mul(gradient, slope, evaluate=False)


@functools.cache
def batch_rules() -> BatchRules:
    """dW, db, dH from ``batch``, with Δ = m Δ̄ substituted; the forward pass Z = H Wᵀ + b
    from the batch derivation's definition of Z."""
    batch = derive.get("batch")
    weights, biases, layer_input = (_fold_mean(batch[key].rhs) for key in ("dW", "db", "dH"))
    _check_delta_below_is_a_product()
    return BatchRules(
        pre_activation=batch.domain.definitions[dense.Z](ROW, i),
        weights=weights,
        biases=biases,
        layer_input=layer_input.xreplace({r: ROW}),
    )


def _check_delta_below_is_a_product() -> None:
    """dense's δ_prev must be g′(z_prev) times ∂L/∂h: what BatchRules.delta_below builds."""
    below = derive.get("dense")["delta_below"].rhs
    kinds = sorted(type(factor).__name__ for factor in sp.Mul.make_args(below))
    if kinds != ["Derivative", "Sum"]:
        raise DerivationError(f"dense: δ_prev is not dh ⊙ g′: {sp.sstr(below)}")


def _fold_mean(expr: sp.Expr) -> sp.Expr:
    """Substitute Δ = m Δ̄ (SymPy cancels the 1/m): Δ̄ carries the mean's 1/m, once."""
    substituted = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == dense.Delta,
        lambda e: m * DELTA[e.indices],
    )
    return tidy_sums(substituted)
