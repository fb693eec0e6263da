"""Function records: every named function of the expression language, one record each.

A record owns the function's spellings (what users type), its SymPy construction, its text and
LaTeX names, its NumPy emission and its numeric evaluation. The parser's function table, the
evaluator (derive/numeric.py) and the NumPy printer are built from these records, never typed
again elsewhere. Derivatives are SymPy's: a record never states one.

>>> record = PRIMITIVES["log1p"]
>>> record.apply([sp.Symbol("x")], {})
log(x + 1)
>>> record.spellings
('log1p',)

Helpers that only rewrite into other functions (``log1p(x)`` is ``log(1 + x)``, ``clip`` is
``Min(Max(x, lo), hi)``) keep no SymPy class or NumPy emission of their own: the functions they
build have theirs. Stability of the emitted code is codegen's business (codegen/stable.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from derive.errors import ParseError
from derive.functions import relu, sigmoid

MAX_PARAMETER = 1000  # |value| of a named parameter: e^{βz} with β = 10^6 helps no one


@dataclass(frozen=True)
class Param:
    """A named parameter with its default (a SymPy number), e.g. ``alpha = 1``; ``aliases``:
    other names users give it (``slope`` for leaky ReLU's ``negative_slope``)."""

    name: str
    default: sp.Expr
    aliases: tuple[str, ...] = ()


def canonical_param(params: tuple[Param, ...], key: str) -> str | None:
    """The parameter's own name for ``key`` (its name or an alias), or None."""
    return next((p.name for p in params if key == p.name or key in p.aliases), None)


def bind(
    name: str, params: tuple[Param, ...], min_args: int, max_args: int | None, args, keywords
) -> tuple[list, dict]:
    """Split a call's arguments into expression arguments and parameter values.

    ``args`` beyond ``max_args`` fill the parameters in order (``leaky_relu(z, 0.01)``);
    ``keywords`` name them (``elu(z, alpha=2)``). Missing parameters take their defaults.
    Raises ParseError (one line) on a wrong count or an unknown or repeated parameter.
    """
    args, keywords = list(args), dict(keywords)
    limit = len(args) if max_args is None else max_args
    exprs, extra = args[:limit], args[limit:]
    if len(exprs) < min_args:
        wanted = f"at least {min_args}" if max_args is None else str(min_args)
        plural = "s" if min_args != 1 else ""
        raise ParseError(f"'{name}' takes {wanted} argument{plural}, got {len(args)}")
    if len(extra) > len(params):
        total = limit + len(params)
        wanted = f"at most {total} arguments" if params else f"{total} argument" + "s" * (total > 1)
        raise ParseError(f"'{name}' takes {wanted}, got {len(args)}")
    values = {param.name: value for param, value in zip(params, extra, strict=False)}
    known = {param.name for param in params}
    for given, value in keywords.items():
        key = canonical_param(params, given)
        if key is None:
            allowed = ", ".join(sorted(known)) or "none"
            raise ParseError(f"'{name}' has no parameter '{given}' (parameters: {allowed})")
        if key in values:
            raise ParseError(f"'{name}': parameter '{key}' given twice")
        values[key] = value
    for key, value in values.items():
        if not (isinstance(value, sp.Expr) and value.is_number and value.is_real):
            raise ParseError(f"'{name}': parameter '{key}' must be a real number")
        if not abs(float(value)) <= MAX_PARAMETER:
            raise ParseError(f"'{name}': parameter '{key}' out of range (limit {MAX_PARAMETER})")
    for param in params:
        values.setdefault(param.name, param.default)
    return exprs, values


@dataclass(frozen=True)
class Primitive:
    """One named function of the expression language.

    build: makes the SymPy expression from the expression arguments and parameter values.
    spellings: every name users may type for it (the first is the canonical one).
    sympy: the SymPy class its expressions are made of (None if it rewrites into others).
    numpy: the NumPy emission, e.g. ``"np.arctan"`` (None: printed through what it builds, or
        by codegen's own printer method); numpy_helper: (name, source) of a function the
        generated module must define, for functions NumPy lacks.
    numeric: a NumPy callable for derive/numeric.py (None: evaluated through what it builds).
    exp_like: the parser caps the exponent hidden in its first argument (exp, softplus).
    """

    name: str
    build: Callable[..., sp.Expr]
    spellings: tuple[str, ...] = ()
    min_args: int = 1
    max_args: int | None = 1
    params: tuple[Param, ...] = ()
    sympy: type | None = None
    numpy: str | None = None
    numeric: Callable | None = None
    text: str = ""
    latex: str = ""
    exp_like: bool = False
    numpy_helper: tuple[str, str] | None = None
    doc: str = field(default="", compare=False)

    def apply(self, args, keywords=None) -> sp.Expr:
        """The SymPy expression of a call; ParseError on a wrong call."""
        exprs, values = bind(
            self.name, self.params, self.min_args, self.max_args, args, keywords or {}
        )
        return self.build(*exprs, **values)

    def __call__(self, *args, **keywords) -> sp.Expr:
        return self.apply(args, keywords)


def _lattice(op):
    """Max or Min that only simplifies rationals: other comparisons can take SymPy minutes."""

    def apply(*args):
        return op(*args, evaluate=all(arg.is_Rational for arg in args))

    return apply


def _softplus(x, beta=sp.S.One, threshold=None):
    """softplus(x) = log(1 + e^{βx})/β; ``threshold`` is torch's switch to x for βx > 20,
    which changes values by less than 2.1e-9 relative: the rule is the exact function."""
    return sp.log(1 + sp.exp(beta * x)) / beta


def _where(cond, a, b):
    if not isinstance(cond, sp.logic.boolalg.Boolean):
        raise ParseError("'where' needs a condition such as z > 0 as its first argument")
    return sp.Piecewise((a, cond), (b, True))


def _heaviside(x, at_zero=sp.S.Zero):
    """H(x) with H(0) = 0 by default: the one-sided value PyTorch's derivatives take."""
    return sp.Heaviside(x, at_zero)


def _np_sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


_erf = np.vectorize(math.erf, otypes=[float])
_erfc = np.vectorize(math.erfc, otypes=[float])


_MAX, _MIN = _lattice(sp.Max), _lattice(sp.Min)


def _unary(name, sympy_class, numpy, numeric, *spellings, latex=None, text=None, doc=""):
    return Primitive(
        name,
        sympy_class,
        spellings=(name, *spellings),
        sympy=sympy_class,
        numpy=numpy,
        numeric=numeric,
        text=text or name,
        latex=latex or f"\\operatorname{{{name}}}",
        exp_like=name == "exp",
        doc=doc,
    )


_RECORDS = [
    _unary("exp", sp.exp, "np.exp", np.exp, latex=r"\exp"),
    _unary("log", sp.log, "np.log", np.log, "ln", latex=r"\log"),
    _unary("sqrt", sp.sqrt, "np.sqrt", np.sqrt, latex=r"\sqrt"),
    _unary("tanh", sp.tanh, "np.tanh", np.tanh, latex=r"\tanh"),
    _unary("sinh", sp.sinh, "np.sinh", np.sinh, latex=r"\sinh"),
    _unary("cosh", sp.cosh, "np.cosh", np.cosh, latex=r"\cosh"),
    _unary("sech", sp.sech, None, lambda x: 1 / np.cosh(x), latex=r"\operatorname{sech}"),
    _unary("sin", sp.sin, "np.sin", np.sin, latex=r"\sin"),
    _unary("cos", sp.cos, "np.cos", np.cos, latex=r"\cos"),
    _unary("tan", sp.tan, "np.tan", np.tan, latex=r"\tan"),
    _unary("atan", sp.atan, "np.arctan", np.arctan, "arctan", latex=r"\arctan"),
    _unary("asinh", sp.asinh, "np.arcsinh", np.arcsinh, "arcsinh", "arsinh"),
    _unary("acosh", sp.acosh, "np.arccosh", np.arccosh, "arccosh", "arcosh"),
    _unary("atanh", sp.atanh, "np.arctanh", np.arctanh, "arctanh", "artanh"),
    _unary("erf", sp.erf, None, _erf),
    _unary("erfc", sp.erfc, None, _erfc),
    _unary("abs", sp.Abs, "np.abs", np.abs, "Abs", latex=r"\left|\cdot\right|"),
    _unary("sign", sp.sign, "np.sign", np.sign, "sgn", latex=r"\operatorname{sgn}"),
    _unary("sigmoid", sigmoid, None, _np_sigmoid, "sigma", "logistic", latex=r"\sigma", text="σ"),
    _unary("relu", relu, None, lambda x: np.maximum(0.0, x), "ReLU", text="ReLU"),
    Primitive(
        "softplus",
        _softplus,
        spellings=("softplus",),
        params=(Param("beta", sp.S.One), Param("threshold", sp.Integer(20))),
        text="softplus",
        latex=r"\operatorname{softplus}",
        exp_like=True,
    ),
    Primitive("log1p", lambda x: sp.log(1 + x), spellings=("log1p",), text="log1p", latex=r"\log"),
    Primitive("expm1", lambda x: sp.exp(x) - 1, spellings=("expm1",), text="expm1", exp_like=True),
    Primitive(
        "heaviside",
        _heaviside,
        spellings=("heaviside", "Heaviside"),
        max_args=2,
        sympy=sp.Heaviside,
        text="H",
        latex=r"\mathbb{1}",
    ),
    Primitive("max", _MAX, ("max", "Max"), 2, None, sympy=sp.Max, numpy="np.maximum"),
    Primitive("min", _MIN, ("min", "Min"), 2, None, sympy=sp.Min, numpy="np.minimum"),
    Primitive(
        "clip",
        lambda x, low, high: _MIN(_MAX(x, low), high),
        spellings=("clip", "clamp"),
        min_args=3,
        max_args=3,
        text="clip",
    ),
    Primitive(
        "where",
        _where,
        spellings=("where",),
        min_args=3,
        max_args=3,
        sympy=sp.Piecewise,
        numpy="np.where",
        text="where",
    ),
]

PRIMITIVES: Mapping[str, Primitive] = {record.name: record for record in _RECORDS}
"""Every function record by its canonical name (exp, log, …, sigmoid, relu, softplus, where)."""
