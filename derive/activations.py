"""Activation records: one record per activation, the one place each is defined.

A record holds g as a SymPy expression in z (at its parameters' defaults), how to build it for
other arguments and parameters (``elu(z, alpha=2)``), its spellings in the expression language,
its LaTeX name and the ``torch.nn.functional`` function it agrees with. Derivatives are never
written here: SymPy differentiates the definition (``derive.builtins.activation``), including
piecewise ones, whose conditions are chosen so that the derivative at a kink is the one-sided
value PyTorch's autograd returns (ReLU′(0) = 0, leaky ReLU′(0) = slope, hardtanh′(±1) = 0).

>>> BUILTIN_ACTIVATIONS["elu"].apply([z], {"alpha": sp.Integer(2)})
Piecewise((z, z > 0), (2*exp(z) - 2, True))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from derive.functions import relu, sigmoid
from derive.primitives import PRIMITIVES, Param, bind
from derive.symbols import z

# SELU's constants to the precision PyTorch states them (torch/nn/modules/activation.py)
SELU_ALPHA = sp.Float("1.6732632423543772848170429916717", 32)
SELU_SCALE = sp.Float("1.0507009873554804934193349852946", 32)


@dataclass(frozen=True)
class Activation:
    """An elementwise activation h = g(z).

    expr: g as an expression in z at the parameters' defaults (what SymPy differentiates).
    display: how g(z) is written in the notes (σ(z), ReLU(z)); defaults to expr.
    define: g for an argument and parameter values, ``define(x, **params)``; None: substitute
        the argument for z in expr.
    params: named parameters with PyTorch's defaults (``negative_slope = 0.01``).
    spellings: names in the expression language; empty when a function record owns the name
        (sigmoid, tanh, relu are primitives of the language).
    reference: the ``torch.nn.functional`` (or ``torch``) function it equals, for the tests.
    kinks: points where g′ jumps; numeric comparisons keep away from them.
    """

    name: str
    title: str
    expr: sp.Expr
    display: sp.Expr | None = None
    note: str = ""
    define: Callable[..., sp.Expr] | None = field(default=None, compare=False)
    params: tuple[Param, ...] = ()
    spellings: tuple[str, ...] = ()
    latex: str = ""
    reference: str | None = None
    reference_keywords: tuple[tuple[str, str], ...] = ()
    kinks: tuple[float, ...] = ()
    min_args = 1
    max_args = 1
    exp_like = False

    @property
    def shown(self) -> sp.Expr:
        return self.display if self.display is not None else self.expr

    @property
    def text(self) -> str:
        return self.name

    def defaults(self) -> dict:
        return {param.name: param.default for param in self.params}

    def definition(self, x: sp.Expr, **values) -> sp.Expr:
        """g(x) with the given parameter values (the others at their defaults)."""
        values = {**self.defaults(), **values}
        if self.define is not None:
            return self.define(x, **values)
        return self.expr.xreplace({z: x})

    def apply(self, args, keywords=None) -> sp.Expr:
        """The expression of a call ``name(x, ...)``; ParseError on a wrong call."""
        exprs, values = bind(self.name, self.params, 1, 1, args, keywords or {})
        return self.definition(exprs[0], **values)

    def __call__(self, *args, **keywords) -> sp.Expr:
        return self.apply(args, keywords)


def named(
    name: str,
    title: str,
    define: Callable[..., sp.Expr],
    *aliases: str,
    params: tuple[Param, ...] = (),
    reference: str | None = None,
    reference_keywords: tuple[tuple[str, str], ...] = (),
    kinks: tuple[float, ...] = (),
    latex: str = "",
    note: str = "",
    spelled: bool = True,
) -> Activation:
    """A named activation record: g = define(z, **defaults), spelled ``name`` and ``aliases``
    in the expression language (``spelled=False``: a function record owns the name)."""
    defaults = {param.name: param.default for param in params}
    return Activation(
        name,
        title,
        define(z, **defaults),
        note=note,
        define=define,
        params=params,
        spellings=(name, *aliases) if spelled else aliases,
        latex=latex or rf"\operatorname{{{name}}}".replace("_", r"\_"),
        reference=reference,
        reference_keywords=reference_keywords,
        kinks=kinks,
    )


def _number(value) -> sp.Expr:
    return sp.Rational(str(value)) if isinstance(value, float) else sp.Integer(value)


def _p(name: str, default, *aliases: str) -> Param:
    return Param(name, _number(default), aliases)


def _piecewise(*pieces) -> sp.Expr:
    return sp.Piecewise(*pieces)


_exp, _log, _tanh, _erf = sp.exp, sp.log, sp.tanh, sp.erf
_softplus = PRIMITIVES["softplus"].build


def _gelu(x, approximate):
    if approximate:
        inner = sp.sqrt(2 / sp.pi) * (x + sp.Rational(44715, 1000000) * x**3)
        return x / 2 * (1 + _tanh(inner))
    return x / 2 * (1 + _erf(x / sp.sqrt(2)))


# The lecture's four: the derivation registry derives these by name (derive sigmoid, …).
LECTURE = [
    Activation(
        "sigmoid",
        "The logistic sigmoid",
        1 / (1 + sp.exp(-z)),
        display=sigmoid(z),
        reference="torch.sigmoid",
    ),
    Activation("tanh", "The hyperbolic tangent", sp.tanh(z), reference="torch.tanh"),
    Activation(
        "relu",
        "The rectified linear unit",
        relu(z),
        note="ReLU is not differentiable at z = 0; we take ReLU'(0) = 0, as PyTorch does.",
        reference="torch.relu",
        kinks=(0.0,),
    ),
    Activation("identity", "The identity (linear output)", z, spellings=("identity", "linear")),
]

_H = sp.Rational(1, 2)
NAMED = [
    named(
        "elu",
        "The exponential linear unit",
        lambda x, alpha: _piecewise((x, x > 0), (alpha * (_exp(x) - 1), True)),
        params=(_p("alpha", 1.0),),
        reference="elu",
        kinks=(0.0,),
    ),
    named(
        "leaky_relu",
        "The leaky rectified linear unit",
        lambda x, negative_slope: _piecewise((x, x > 0), (negative_slope * x, True)),
        "leaky_ReLU",
        "lrelu",
        params=(_p("negative_slope", 0.01, "slope"),),
        reference="leaky_relu",
        kinks=(0.0,),
    ),
    named(
        "prelu",
        "The parametric ReLU (a fixed slope: nn.PReLU's initial 0.25)",
        lambda x, weight: _piecewise((x, x > 0), (weight * x, True)),
        params=(_p("weight", 0.25),),
        reference="prelu",
        kinks=(0.0,),
    ),
    named(
        "rrelu",
        "The randomized leaky ReLU at evaluation (slope (lower + upper)/2)",
        lambda x, lower, upper: _piecewise((x, x > 0), ((lower + upper) / 2 * x, True)),
        params=(Param("lower", sp.Rational(1, 8)), Param("upper", sp.Rational(1, 3))),
        reference="rrelu",
        kinks=(0.0,),
    ),
    named(
        "gelu",
        "The Gaussian error linear unit (exact, erf form)",
        lambda x: _gelu(x, approximate=False),
        reference="gelu",
    ),
    named(
        "gelu_tanh",
        "The Gaussian error linear unit (tanh approximation)",
        lambda x: _gelu(x, approximate=True),
        reference="gelu",
        reference_keywords=(("approximate", "tanh"),),
    ),
    named(
        "quick_gelu",
        "GELU as z σ(1.702 z)",
        lambda x: x * sigmoid(sp.Rational(1702, 1000) * x),
    ),
    named("silu", "The sigmoid linear unit", lambda x: x * sigmoid(x), reference="silu"),
    named(
        "swish",
        "Swish, z σ(βz)",
        lambda x, beta: x * sigmoid(beta * x),
        params=(_p("beta", 1),),
    ),
    named(
        "selu",
        "The scaled exponential linear unit",
        lambda x: SELU_SCALE * _piecewise((x, x > 0), (SELU_ALPHA * (_exp(x) - 1), True)),
        reference="selu",
        kinks=(0.0,),
    ),
    named(
        "celu",
        "The continuously differentiable ELU",
        lambda x, alpha: _piecewise((x, x > 0), (alpha * (_exp(x / alpha) - 1), True)),
        params=(_p("alpha", 1.0),),
        reference="celu",
        kinks=(0.0,),
    ),
    named(
        "softplus",
        "Softplus, log(1 + e^{βz})/β",
        _softplus,
        params=(_p("beta", 1), _p("threshold", 20)),
        reference="softplus",
        spelled=False,
        note="PyTorch returns z where βz > threshold; the difference is below 2.1e-9 relative.",
    ),
    named(
        "mish",
        "Mish, z tanh(softplus(z))",
        lambda x: x * _tanh(_softplus(x)),
        reference="mish",
    ),
    named(
        "hardswish",
        "The hard swish",
        lambda x: _piecewise((0, x < -3), (x * (x + 3) / 6, x <= 3), (x, True)),
        "hard_swish",
        reference="hardswish",
        kinks=(-3.0, 3.0),
    ),
    named(
        "hardtanh",
        "The hard tanh",
        lambda x, min_val, max_val: _piecewise(
            (min_val, x <= min_val), (max_val, x >= max_val), (x, True)
        ),
        "hard_tanh",
        params=(_p("min_val", -1.0), _p("max_val", 1.0)),
        reference="hardtanh",
        kinks=(-1.0, 1.0),
    ),
    named(
        "hardsigmoid",
        "The hard sigmoid",
        lambda x: _piecewise((0, x <= -3), (1, x >= 3), (x / 6 + _H, True)),
        "hard_sigmoid",
        reference="hardsigmoid",
        kinks=(-3.0, 3.0),
    ),
    named(
        "relu6",
        "ReLU capped at 6",
        lambda x: _piecewise((0, x <= 0), (6, x >= 6), (x, True)),
        reference="relu6",
        kinks=(0.0, 6.0),
    ),
    named(
        "softsign",
        "Softsign, z/(1 + |z|)",
        lambda x: x / (1 + sp.Abs(x)),
        reference="softsign",
    ),
    named("tanhshrink", "z − tanh(z)", lambda x: x - _tanh(x), reference="tanhshrink"),
    named(
        "softshrink",
        "Soft shrinkage",
        lambda x, lambd: _piecewise((x - lambd, x > lambd), (x + lambd, x < -lambd), (0, True)),
        params=(_p("lambd", 0.5),),
        reference="softshrink",
        kinks=(-0.5, 0.5),
    ),
    named(
        "hardshrink",
        "Hard shrinkage",
        lambda x, lambd: _piecewise((x, x > lambd), (x, x < -lambd), (0, True)),
        params=(_p("lambd", 0.5),),
        reference="hardshrink",
        kinks=(-0.5, 0.5),
    ),
    named(
        "logsigmoid",
        "log σ(z)",
        lambda x: _log(sigmoid(x)),
        "log_sigmoid",
        reference="logsigmoid",
    ),
    named("sin", "The sine", sp.sin, reference="torch.sin", spelled=False),
    named("cos", "The cosine", sp.cos, reference="torch.cos", spelled=False),
    named("atan", "The arctangent", sp.atan, reference="torch.atan", spelled=False),
    named("asinh", "The inverse hyperbolic sine", sp.asinh, reference="torch.asinh", spelled=False),
    named("erf", "The error function", sp.erf, reference="torch.erf", spelled=False),
    named(
        "erfc", "The complementary error function", sp.erfc, reference="torch.erfc", spelled=False
    ),
    named("exp", "The exponential", sp.exp, reference="torch.exp", spelled=False),
    named("tanhexp", "TanhExp, z tanh(e^z)", lambda x: x * _tanh(_exp(x))),
    named("serf", "Serf, z erf(softplus(z))", lambda x: x * _erf(_softplus(x))),
    named(
        "isru",
        "Inverse square root unit",
        lambda x, alpha: x / sp.sqrt(1 + alpha * x**2),
        params=(_p("alpha", 1.0),),
    ),
    named("lisht", "LiSHT, z tanh(z)", lambda x: x * _tanh(x)),
    named("smish", "Smish, z tanh(log(1 + σ(z)))", lambda x: x * _tanh(_log(1 + sigmoid(x)))),
    named("gcu", "Growing cosine unit, z cos(z)", lambda x: x * sp.cos(x)),
    named(
        "bent_identity",
        "Bent identity",
        lambda x: (sp.sqrt(x**2 + 1) - 1) / 2 + x,
    ),
    named("gaussian", "Gaussian, e^{−z²}", lambda x: _exp(-(x**2))),
    named(
        "snake",
        "Snake, z + sin²(az)/a",
        lambda x, a: x + sp.sin(a * x) ** 2 / a,
        params=(_p("a", 1.0),),
    ),
    named(
        "squareplus",
        "Squareplus, (z + √(z² + b))/2",
        lambda x, b: (x + sp.sqrt(x**2 + b)) / 2,
        params=(_p("b", 4),),
    ),
    named(
        "elish",
        "The exponential linear squashing function (ELiSH, Basirat and Roth 2018)",
        lambda x: _piecewise((x * sigmoid(x), x >= 0), ((_exp(x) - 1) * sigmoid(x), True)),
        kinks=(0.0,),  # g′ is continuous there (½ from both sides), g″ is not
    ),
]
"""Named activations beyond the lecture's, with PyTorch's names and defaults. Where a function
record owns the name (sin, erf, exp, softplus) the activation is not spelled again: the
expression ``sin(z)`` is the function, ``--activation sin`` the rule."""

BUILTIN_ACTIVATIONS: dict[str, Activation] = {act.name: act for act in [*LECTURE, *NAMED]}

ACTIVATIONS: dict[str, Activation] = {act.name: act for act in LECTURE}
"""The lecture's activations, each a derivation of the registry (``derive sigmoid``)."""
