"""torch.autograd references for every activation and loss of the registry (issue 11).

Each record names its own reference: ``reference`` is a ``torch.nn.functional`` function (or
``torch.X``) called with the record's parameters at their defaults (the records use PyTorch's
parameter names) plus ``reference_keywords``; a record without one is evaluated by torch from
its own SymPy definition (:func:`torch_of`). Points are pre-activations z at three scales
(``ordinary``: |z| ≤ 3, ``30``: |z| ≈ 30, ``1000``: |z| ≈ 1000); values and derivatives are
compared elementwise with a relative tolerance of :data:`RTOL` in float64.

What is compared, at every point away from a kink:

- the derived derivative (derive's SymPy result) evaluated exactly with mpmath, and
- the gradients of a generated module (cached: one module per rule per session),

with torch's float64 autograd. Where torch itself is not finite but the exact value is, the
exact value is the reference: such a point is checked more strictly, never skipped.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import sympy as sp

from codegen import exact
from codegen.generate import load_module
from derive.functions import relu, sigmoid
from derive.symbols import y, z

RTOL = 1e-8
TINY = 1e-300  # an absolute floor below which two values are both zero in effect
DIGITS = 500  # 1 − σ(1000) needs about 435 digits
SCALES = {
    "ordinary": np.array([-2.9, -2.1, -1.3, -0.7, -0.3, -0.05, 0.05, 0.3, 0.7, 1.3, 2.1, 2.9]),
    "30": np.array([-31.0, -30.0, -29.5, 29.5, 30.0, 31.0]),
    "1000": np.array([-1000.0, -990.0, 990.0, 1000.0]),
}
TARGETS = {  # how each loss record's targets are drawn (Loss.targets)
    "probability": np.array([0.0, 0.25, 1.0]),
    "real": np.array([-0.6, 0.45, 1.7]),
    "positive": np.array([0.5, 1.0, 3.0]),
    "sign": np.array([-1.0, 1.0]),
}
LECTURE_NAMES = ("sigmoid", "tanh", "relu", "identity", "softmax")


# -- torch from the records --------------------------------------------------------------------


def _torch_function(reference: str):
    import torch
    import torch.nn.functional as F

    if reference.startswith("torch."):
        return getattr(torch, reference.removeprefix("torch."))
    return getattr(F, reference)


def _keywords(record) -> dict:
    values = {param.name: float(param.default) for param in record.params}
    return {**values, **dict(record.reference_keywords)}


def activation_reference(act):
    """torch's g for an activation record: tensor → tensor, elementwise."""
    if act.reference is None:
        return lambda t: torch_of(act.expr, {z: t})
    function, keywords = _torch_function(act.reference), _keywords(act)
    return lambda t: _called(function, t, keywords)


def _called(function, t, keywords):
    """function(t, **keywords); a function that takes its parameters as tensors (F.prelu's
    weight) gets each as a one-element tensor of t's dtype."""
    import torch

    try:
        return function(t, **keywords)
    except TypeError:
        tensors = {k: torch.tensor([v], dtype=t.dtype) for k, v in keywords.items()}
        return function(t, **tensors)


def output_reference(name: str):
    """torch's output activation p = g(z) for a loss's output (a registry name or softmax)."""
    import torch

    if name == "softmax":
        return lambda t: torch.softmax(t, dim=-1)
    from derive import rulebook

    return activation_reference(rulebook.activations()[name])


def loss_reference(loss):
    """torch's elementwise loss ℓ(z, y) of a loss record on the output it is derived on: the
    record's reference applied to the prediction p (or to the logit z when ``reference_on`` is
    "logit", as torch's cross_entropy and binary_cross_entropy_with_logits take it)."""
    from derive.symbols import p

    if loss.reference is None:
        out = output_reference(loss.output)
        return lambda t, target: torch_of(loss.scalar, {p: out(t), y: target})
    function, keywords = _torch_function(loss.reference), _keywords(loss)
    keywords["reduction"] = "none"
    scale = loss.reference_scale
    if loss.reference_on == "logit":
        return lambda t, target: scale * function(t, target, **keywords)
    out = output_reference(loss.output)
    return lambda t, target: scale * function(out(t), target, **keywords)


def torch_of(expr: sp.Basic, values: dict):
    """A SymPy expression evaluated by torch ops (dispatch on type), values: {Symbol: tensor}.
    log(1 + e^u) is evaluated as softplus(u): the same function, without the overflow."""
    import torch
    import torch.nn.functional as F

    unary = {
        sp.exp: torch.exp,
        sp.log: torch.log,
        sp.tanh: torch.tanh,
        sp.sinh: torch.sinh,
        sp.cosh: torch.cosh,
        sp.sin: torch.sin,
        sp.cos: torch.cos,
        sp.atan: torch.atan,
        sp.asinh: torch.asinh,
        sp.acosh: torch.acosh,
        sp.erf: torch.erf,
        sp.erfc: torch.erfc,
        sp.Abs: torch.abs,
        sp.sign: torch.sign,
        sigmoid: torch.sigmoid,
        relu: torch.relu,
    }
    relations = {
        sp.StrictGreaterThan: torch.gt,
        sp.GreaterThan: torch.ge,
        sp.StrictLessThan: torch.lt,
        sp.LessThan: torch.le,
    }
    like = next(iter(values.values()))

    def constant(value):
        return torch.full_like(like, float(value))

    def ev(e):
        if e in values:
            return values[e]
        if e.is_number:
            return constant(e)
        if isinstance(e, sp.log) and _softplus_argument(e) is not None:
            return F.softplus(ev(_softplus_argument(e)))
        if isinstance(e, sp.Add):
            return sum((ev(a) for a in e.args[1:]), ev(e.args[0]))
        if isinstance(e, sp.Mul):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out * ev(a)
            return out
        if isinstance(e, sp.Pow):
            if e.exp == sp.S.Half:
                return torch.sqrt(ev(e.base))
            return ev(e.base) ** (float(e.exp) if e.exp.is_number else ev(e.exp))
        if type(e) in unary:
            return unary[type(e)](ev(e.args[0]))
        if isinstance(e, sp.Max | sp.Min):
            combine = torch.maximum if isinstance(e, sp.Max) else torch.minimum
            parts = [ev(a) for a in e.args]
            return functools.reduce(combine, parts)
        if isinstance(e, sp.Heaviside):
            at_zero = ev(e.args[1]) if len(e.args) > 1 else constant(0.5)
            return torch.heaviside(ev(e.args[0]), at_zero)
        if isinstance(e, sp.Piecewise):
            out = ev(e.args[-1][0])
            for value, condition in reversed(e.args[:-1]):
                out = torch.where(condition_of(condition), ev(value), out)
            return out
        raise NotImplementedError(f"torch_of: {sp.sstr(e)}")

    def condition_of(c):
        if type(c) in relations:
            return relations[type(c)](ev(c.lhs), ev(c.rhs))
        if isinstance(c, sp.And):
            return functools.reduce(torch.logical_and, [condition_of(a) for a in c.args])
        if isinstance(c, sp.Or):
            return functools.reduce(torch.logical_or, [condition_of(a) for a in c.args])
        raise NotImplementedError(f"torch_of: condition {sp.sstr(c)}")

    return ev(expr)


def _softplus_argument(e):
    """u when e is log(1 + e^u), else None."""
    inside = e.args[0]
    if isinstance(inside, sp.Add) and len(inside.args) == 2 and sp.S.One in inside.args:
        other = next(a for a in inside.args if a != sp.S.One)
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def torch_values_and_slopes(function, points, *others) -> tuple[np.ndarray, np.ndarray]:
    """(f(z), ∂f/∂z) elementwise by torch.autograd in float64, at the points z."""
    import torch

    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    rest = [torch.tensor(o, dtype=torch.float64) for o in others]
    value = function(t, *rest)
    (slope,) = torch.autograd.grad(value.sum(), t)
    return value.detach().numpy(), slope.numpy()


def smooth(function, points, *others) -> np.ndarray:
    """Where torch's derivative has no jump near the point: one-sided slopes 1e-7 away agree."""
    step = 1e-7 * (1 + np.abs(points))
    _, left = torch_values_and_slopes(function, points - step, *others)
    _, right = torch_values_and_slopes(function, points + step, *others)
    with np.errstate(all="ignore"):
        return ~(np.abs(left - right) > 1e-4 * (1 + np.abs(left) + np.abs(right)))


# -- exact values ----------------------------------------------------------------------------


def exact_values(expr: sp.Expr, points, targets=None) -> np.ndarray:
    """expr (in z, and y when targets are given) at each point, evaluated with mpmath."""
    out = []
    for n, point in enumerate(points):
        at = {z: float(point)}
        if targets is not None:
            at[y] = float(targets[n])
        out.append(float(exact.evaluate(expr, at, digits=DIGITS)))
    return np.array(out)


def exact_slopes(expr: sp.Expr, points, targets=None) -> np.ndarray:
    """d/dz of expr at each point by mpmath's numerical differentiation of the definition in
    high precision: a reference independent of SymPy's derivative (and of torch's rounding)."""
    import mpmath

    out = []
    for n, point in enumerate(points):
        fixed = {} if targets is None else {y: float(targets[n])}

        def f(v, fixed=fixed):
            return exact.evaluate(expr, {z: v, **fixed}, digits=DIGITS)

        with mpmath.workdps(DIGITS // 2):  # a central difference, error ~ h² = 1e-60 relative
            x = mpmath.mpf(float(point))
            out.append(float(mpmath.diff(f, x, h=mpmath.mpf("1e-30") * (1 + abs(x)))))
    return np.array(out)


# -- comparison ------------------------------------------------------------------------------


def close(a, b) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.abs(a - b) <= RTOL * np.abs(b) + TINY


def mismatches(got, torch_value, exact_value=None) -> list[str]:
    """Where got is further than RTOL (relative) from torch's value; empty when every point
    agrees. With ``exact_value`` (the same definition in high precision), agreeing with it
    instead is right too (torch's own float64 is off by 1e-3 at σ′(30) = σ(1 − σ)), and where
    torch's value is not finite the exact value is the reference: never a point skipped."""
    got = np.asarray(got, dtype=float)
    want = np.asarray(torch_value, dtype=float)
    agree = close(got, want)
    if exact_value is not None:
        exact_value = np.asarray(exact_value, dtype=float)
        agree |= np.isfinite(exact_value) & close(got, exact_value)
        want = np.where(np.isfinite(want), want, exact_value)
    problems = []
    for index in np.flatnonzero(np.isfinite(want) & ~agree):
        a, b = got.flat[index], want.flat[index]
        if not np.isfinite(a):
            problems.append(f"#{index}: {a} where the reference is {b:.17g}")
        else:
            problems.append(f"#{index}: {a:.17g} vs {b:.17g} (relative {abs(a - b) / abs(b):.2g})")
    return problems


# -- generated modules -----------------------------------------------------------------------


def spelled(name: str) -> str:
    """An activation record as a spec writes it: the lecture's names, else a call in z."""
    return name if name in LECTURE_NAMES else f"{name}(z)"


@functools.cache
def activation_module(name: str, units: int):
    """A 1-units-1 network with the activation in its hidden layer and the loss p·y on an
    identity output: with x = 1, W1 = the points, b1 = 0, W2 = 1 and y = 1, z = the points,
    ∂L/∂b1 = g′(z) and ∂L/∂W2 = g(z), entry by entry."""
    spec = {
        "name": "probe",
        "inputs": 1,
        "layers": [{"units": units, "activation": spelled(name)}],
        "output": {"units": 1, "activation": "identity", "loss": "p*y"},
    }
    return load_module(spec)


def generated_activation(name: str, points) -> tuple[np.ndarray, np.ndarray]:
    """(g(z), g′(z)) at the points, from the generated module's gradients."""
    module = activation_module(name, len(points))
    n = len(points)
    params = {
        "W1": np.asarray(points, dtype=float).reshape(n, 1),
        "b1": np.zeros(n),
        "W2": np.ones((1, n)),
        "b2": np.zeros(1),
    }
    with np.errstate(all="ignore"):
        _, grads = module.gradients(params, np.ones((1, 1)), np.ones((1, 1)))
    return grads["W2"][0], grads["b1"]


@functools.cache
def loss_module(name: str, output: str, units: int):
    """A network without hidden layers: 1 input, ``units`` outputs with the loss's output
    activation: with x = 1, W = the points and b = 0, ∂L/∂W = ∂ℓ/∂z entry by entry."""
    from codegen.spec import spec_from_dict
    from derive.errors import SpecError

    spec = {
        "name": "probe",
        "inputs": 1,
        "layers": [],
        "output": {"units": units, "activation": spelled(output), "loss": name},
    }
    try:
        return load_module(spec)
    except SpecError:  # a spec that takes only the lecture's loss names: the rule by name
        spec["output"]["loss"] = "mse"
        checked = spec_from_dict(spec)
        return load_module(replace(checked, output=replace(checked.output, loss=name)))


def generated_loss_slopes(name: str, output: str, points, targets) -> np.ndarray:
    """∂ℓ/∂z at each (z, y) from the generated module (one output unit per point)."""
    n = len(points)
    module = loss_module(name, output, n)
    params = {"W1": np.asarray(points, dtype=float).reshape(n, 1), "b1": np.zeros(n)}
    with np.errstate(all="ignore"):
        _, grads = module.gradients(params, np.ones((1, 1)), np.asarray(targets).reshape(1, n))
    return grads["b1"]
