"""Loss functions: the one place each is defined (as a SymPy expression for one example).

Gradients are never written here: the builders in ``derive.builtins`` differentiate these
definitions with SymPy. Adding a loss is one entry in :data:`LOSSES`.

Shapes and conventions:

- ``cross-entropy``: categorical, L = −Σ_{k=1}^{K} y_k log p_k; p = softmax(z) ∈ (0, 1)^K,
  y ∈ {0, 1}^K one-hot (IndexedBase ``p``, ``y``, index k = 1..K).
- ``binary-cross-entropy``: L = −y log p − (1 − y) log(1 − p); scalar p = σ(z) ∈ (0, 1) and
  y ∈ [0, 1] (a 0/1 label or a soft label).
- ``mse``: L = ½ Σ_{k=1}^{K} (ŷ_k − y_k)² over K real outputs (IndexedBase ``yhat``, ``y``);
  the ½ cancels the 2 of the derivative. ``per_output`` is one term, ½(ŷ − y)², in scalars.

``ŷ`` is the symbol ``yhat`` (renderers show it as \\hat{y}); the scalar :data:`yhat` and the
vector :data:`yhatv` follow the ``z`` / ``zv`` naming of :mod:`derive.symbols`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from derive.primitives import Param
from derive.symbols import K, k, p, pv, y, yv

yhat = sp.Symbol("yhat", real=True)  # one output of the network (prediction), scalar
yhatv = sp.IndexedBase("yhat")  # the network's outputs ŷ_1..ŷ_K

ANY_OUTPUT = "any"

CROSS_ENTROPY = -sp.Sum(yv[k] * sp.log(pv[k]), (k, 1, K))
BINARY_CROSS_ENTROPY = -y * sp.log(p) - (1 - y) * sp.log(1 - p)
MSE = sp.Rational(1, 2) * sp.Sum((yhatv[k] - yv[k]) ** 2, (k, 1, K))
MSE_PER_OUTPUT = sp.Rational(1, 2) * (yhat - y) ** 2


@dataclass(frozen=True)
class Loss:
    """A loss L(prediction, target) for one example.

    expr: L as a SymPy expression (what SymPy differentiates), at the parameters' defaults.
    variables: (prediction, target), Symbols for scalar losses, IndexedBases over k = 1..K
        for vector losses.
    fits: the output activations the loss is meant for (``"any"``: every output); the first is
        the one it is derived on by default.
    per_output: the loss of a single output in scalars, for losses that are a sum over outputs.
    aliases: other names for it (torch's ``mse_loss``, ``bce``, …).
    params: named parameters with PyTorch's defaults; ``define(p, y, **params)`` builds L.
    reference: the ``torch.nn.functional`` function it equals (``reduction="none"``), times
        ``reference_scale``, with the parameters (PyTorch's names) and ``reference_keywords``;
        ``reference_on``: what that function takes, the prediction p (``"prediction"``) or the
        logit z of the output it is derived on (``"logit"``: torch's cross_entropy, and
        binary_cross_entropy_with_logits, which is BCE of σ(z) without torch's clamp of log p
        at −100); targets: how the tests draw y (``probability`` in [0, 1], ``real``,
        ``positive``, ``sign`` in {−1, 1}).
    """

    name: str
    title: str
    expr: sp.Expr
    variables: tuple
    fits: tuple[str, ...]
    per_output: sp.Expr | None = None
    note: str = ""
    aliases: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    define: Callable[..., sp.Expr] | None = field(default=None, compare=False)
    reference: str | None = None
    reference_scale: float = 1.0
    reference_keywords: tuple[tuple[str, object], ...] = ()
    reference_on: str = "prediction"
    targets: str = "probability"

    @property
    def prediction(self):
        return self.variables[0]

    @property
    def target(self):
        return self.variables[1]

    @property
    def output(self) -> str:
        """The output activation the loss is derived on unless told otherwise."""
        return "identity" if self.fits[0] == ANY_OUTPUT else self.fits[0]

    @property
    def scalar(self) -> sp.Expr:
        """L(p, y) for one output in the scalars p and y."""
        single = self.per_output if self.per_output is not None else self.expr
        return single.xreplace({yhat: p})

    def definition(self, **values) -> sp.Expr:
        """L(p, y) with the given parameter values (the others at their defaults)."""
        if self.define is None:
            return self.scalar
        return self.define(p, y, **{**{q.name: q.default for q in self.params}, **values})

    def fits_output(self, output: str) -> bool:
        """Whether the loss is meant for an output layer with this activation."""
        return ANY_OUTPUT in self.fits or output in self.fits


def named(name, title, define, *aliases, fits=(ANY_OUTPUT,), params=(), **fields) -> Loss:
    """A scalar loss record L = define(p, y, **defaults) on one output p and target y."""
    expr = define(p, y, **{param.name: param.default for param in params})
    return Loss(
        name, title, expr, (p, y), fits, aliases=aliases, params=params, define=define, **fields
    )


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss(
            "cross-entropy",
            "Categorical cross-entropy",
            CROSS_ENTROPY,
            variables=(pv, yv),
            fits=("softmax",),
            note="y is one-hot over K classes; p = softmax(z).",
            aliases=("ce", "cross_entropy", "categorical-cross-entropy"),
            reference="cross_entropy",
            reference_on="logit",
        ),
        Loss(
            "binary-cross-entropy",
            "Binary cross-entropy",
            BINARY_CROSS_ENTROPY,
            variables=(p, y),
            fits=("sigmoid",),
            note="p = σ(z) is the predicted probability of class 1; y ∈ [0, 1].",
            aliases=("bce", "binary_cross_entropy"),
            reference="binary_cross_entropy_with_logits",
            reference_on="logit",
        ),
        Loss(
            "mse",
            "Squared error",
            MSE,
            variables=(yhatv, yv),
            fits=(ANY_OUTPUT,),
            per_output=MSE_PER_OUTPUT,
            note="½ Σ_k (ŷ_k − y_k)²: the ½ cancels the 2 from differentiating the square.",
            aliases=("squared-error", "mse_loss"),
            reference="mse_loss",
            reference_scale=0.5,
            targets="real",
        ),
    ]
}
"""The lecture's losses, each with derivations of its own in the registry (sigmoid-bce, mse)."""


def _number(value) -> sp.Expr:
    return sp.Rational(str(value)) if isinstance(value, float) else sp.Integer(value)


def _p(name: str, default) -> Param:
    return Param(name, _number(default))


_log, _exp, _abs = sp.log, sp.exp, sp.Abs

NAMED_LOSSES = [
    named(
        "l1",
        "Absolute error |p − y|",
        lambda p, y: _abs(p - y),
        "mae",
        "l1_loss",
        reference="l1_loss",
        targets="real",
    ),
    named(
        "smooth-l1",
        "Smooth L1 (Huber divided by β)",
        lambda p, y, beta: sp.Piecewise(
            ((p - y) ** 2 / (2 * beta), _abs(p - y) < beta), (_abs(p - y) - beta / 2, True)
        ),
        "smooth_l1",
        "smooth_l1_loss",
        params=(_p("beta", 1.0),),
        reference="smooth_l1_loss",
        targets="real",
    ),
    named(
        "huber",
        "Huber loss",
        lambda p, y, delta: sp.Piecewise(
            ((p - y) ** 2 / 2, _abs(p - y) < delta), (delta * (_abs(p - y) - delta / 2), True)
        ),
        "huber_loss",
        params=(_p("delta", 1.0),),
        reference="huber_loss",
        targets="real",
    ),
    named(
        "bce-with-logits",
        "Binary cross-entropy of a logit p (σ inside the loss)",
        lambda p, y: _log(1 + _exp(p)) - y * p,
        "bce_with_logits",
        "binary_cross_entropy_with_logits",
        reference="binary_cross_entropy_with_logits",
    ),
    named(
        "nll",
        "Negative log-likelihood of a log-probability p, weighted by y",
        lambda p, y: -y * p,
        "nll_loss",
        fits=("logsigmoid", ANY_OUTPUT),
    ),
    named(
        "kl-div",
        "Kullback–Leibler divergence y log y − y p of a log-probability p",
        lambda p, y: y * (_log(y) - p),
        "kl_div",
        reference="kl_div",
        targets="positive",
    ),
    named(
        "poisson-nll",
        "Poisson negative log-likelihood of a log-rate p",
        lambda p, y: _exp(p) - y * p,
        "poisson_nll",
        "poisson_nll_loss",
        reference="poisson_nll_loss",
        targets="positive",
    ),
    named(
        "poisson",
        "Poisson negative log-likelihood of a rate p",
        lambda p, y, eps: p - y * _log(p + eps),
        fits=("exp", ANY_OUTPUT),
        params=(Param("eps", sp.Rational(1, 10**8)),),
        reference="poisson_nll_loss",
        reference_keywords=(("log_input", False),),
        targets="positive",
    ),
    named(
        "gaussian-nll",
        "Gaussian negative log-likelihood with a fixed variance",
        lambda p, y, var: (_log(var) + (p - y) ** 2 / var) / 2,
        "gaussian_nll",
        params=(_p("var", 1.0),),
        reference="gaussian_nll_loss",
        targets="real",
    ),
    named(
        "soft-margin",
        "Soft margin (logistic) loss log(1 + e^{−yp}), y ∈ {−1, 1}",
        lambda p, y: _log(1 + _exp(-y * p)),
        "soft_margin",
        "soft_margin_loss",
        "logistic",
        reference="soft_margin_loss",
        targets="sign",
    ),
    named(
        "hinge",
        "Hinge loss max(0, 1 − yp), y ∈ {−1, 1}",
        lambda p, y, margin: sp.Max(0, margin - y * p),
        params=(_p("margin", 1.0),),
        targets="sign",
    ),
    named(
        "squared-hinge",
        "Squared hinge loss max(0, 1 − yp)², y ∈ {−1, 1}",
        lambda p, y: sp.Max(0, 1 - y * p) ** 2,
        "squared_hinge",
        targets="sign",
    ),
    named(
        "exponential",
        "Exponential loss e^{−yp}, y ∈ {−1, 1}",
        lambda p, y: _exp(-y * p),
        targets="sign",
    ),
    named(
        "log-cosh",
        "log cosh(p − y)",
        lambda p, y: _log(sp.cosh(p - y)),
        "logcosh",
        "log_cosh",
        targets="real",
    ),
    named(
        "focal",
        "Binary focal loss on a sigmoid output",
        lambda p, y, gamma: -((1 - p) ** gamma) * y * _log(p) - p**gamma * (1 - y) * _log(1 - p),
        fits=("sigmoid",),
        params=(_p("gamma", 2),),
    ),
    named(
        "quantile",
        "Quantile (pinball) loss",
        lambda p, y, tau: sp.Max(tau * (y - p), (tau - 1) * (y - p)),
        "pinball",
        params=(_p("tau", 0.5),),
        targets="real",
    ),
]
"""Losses of current practice (torch.nn.functional's and others), each a scalar L(p, y)."""

BUILTIN_LOSSES: dict[str, Loss] = {**LOSSES, **{loss.name: loss for loss in NAMED_LOSSES}}
