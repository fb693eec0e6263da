"""Numeric checks of generated modules: data, central differences, and a PyTorch reference.

``relative_error(a, b)`` is max|a − b| / max(max|a|, max|b|) over one parameter's array: the
error relative to the gradient's scale, so entries that are exactly zero do not divide by zero.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from codegen.spec import Spec, spec_from_dict
from derive.custom import parse_activation, parse_loss
from derive.functions import relu, sigmoid
from derive.symbols import p, y, z


def small_spec(hidden=("tanh",), output="softmax", loss="cross-entropy", units=3, **extra) -> dict:
    """A small network as a spec dict: 4 inputs, hidden layers of 5 units."""
    return {
        "name": "check",
        "inputs": 4,
        "layers": [{"units": 5, "activation": a} for a in hidden],
        "output": {"units": units, "activation": output, "loss": loss},
        **extra,
    }


def batch(module, m=6, seed=0):
    """Random inputs and fitting targets for a module: X (m, n_0), Y as its loss expects."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, module.LAYER_SIZES[0]))
    units = module.LAYER_SIZES[-1]
    if module.OUTPUT == "softmax":
        return X, np.eye(units)[rng.integers(0, units, size=m)]
    if module.OUTPUT == "sigmoid":
        return X, rng.uniform(0.0, 1.0, size=(m, units))
    return X, rng.normal(size=(m, units))


def random_params(module, seed=1, scale=0.5):
    """init_params with every entry perturbed, so no gradient is special (biases included)."""
    rng = np.random.default_rng(seed)
    params = module.init_params(seed)
    return {
        k: (v + scale * rng.normal(size=v.shape)).astype(module.DTYPE) for k, v in params.items()
    }


def relative_error(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.abs(a).max(), np.abs(b).max())
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


def finite_differences(module, params, X, Y, eps=1e-6) -> dict:
    """Central differences of module.loss with respect to every parameter entry."""
    out = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + eps
            up = module.loss(params, X, Y)
            value[index] = saved - eps
            down = module.loss(params, X, Y)
            value[index] = saved
            grad[index] = (up - down) / (2 * eps)
        out[name] = grad
    return out


def worst_error(grads: dict, reference: dict) -> float:
    return max(relative_error(grads[name], reference[name]) for name in reference)


# -- PyTorch reference: the same network built from the spec, differentiated by autograd ---------


def torch_gradients(spec: Spec | dict, params: dict, X, Y):
    """(loss, grads) of the spec's network by torch.autograd, in float64."""
    import torch
    import torch.nn.functional as F

    spec = spec if isinstance(spec, Spec) else spec_from_dict(spec)
    weights = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()
    }
    hidden = [layer.activation.text for layer in spec.layers]
    H = torch.tensor(X, dtype=torch.float64)
    for number, activation in enumerate(hidden, start=1):
        H = _torch_activation(activation)(H @ weights[f"W{number}"].T + weights[f"b{number}"])
    last = len(hidden) + 1
    logits = H @ weights[f"W{last}"].T + weights[f"b{last}"]
    target = torch.tensor(Y, dtype=torch.float64)
    m = logits.shape[0]
    output, loss = spec.output.activation.text, spec.output.loss.text
    if loss == "cross-entropy":
        value = -(target * torch.log_softmax(logits, dim=1)).sum() / m
    elif loss == "binary-cross-entropy":
        value = F.binary_cross_entropy_with_logits(logits, target, reduction="sum") / m
    else:
        prediction = _torch_activation(output)(logits)
        if loss == "mse":
            value = 0.5 * ((prediction - target) ** 2).sum() / m
        else:
            value = torch_expression(parse_loss(loss), {p: prediction, y: target}).sum() / m
    value.backward()
    return float(value.detach()), {k: w.grad.numpy() for k, w in weights.items()}


_TORCH_BUILTINS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
}


def _torch_activation(name: str):
    import torch

    if name == "identity":
        return lambda t: t
    if name == "softmax":
        return lambda t: torch.softmax(t, dim=1)
    if name in _TORCH_BUILTINS:
        return getattr(torch, _TORCH_BUILTINS[name])
    expr = parse_activation(name).expr  # already through derive's whitelist parser
    return lambda t: torch_expression(expr, {z: t})


def torch_expression(expr: sp.Basic, values: dict):
    """Evaluate a parsed SymPy expression on torch tensors (a tiny SymPy → torch evaluator)."""
    import torch

    unary = {
        sp.exp: torch.exp,
        sp.log: torch.log,
        sp.tanh: torch.tanh,
        sp.sinh: torch.sinh,
        sp.cosh: torch.cosh,
        sp.sin: torch.sin,
        sp.cos: torch.cos,
        sp.Abs: torch.abs,
        sp.erf: torch.erf,
        sigmoid: torch.sigmoid,
        relu: torch.relu,
    }

    def ev(e):
        if e in values:
            return values[e]
        if e.is_number:  # 2, 1/2, pi, sqrt(2/pi)
            return float(e)
        if isinstance(e, sp.Add):
            return sum((ev(a) for a in e.args[1:]), ev(e.args[0]))
        if isinstance(e, sp.Mul):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out * ev(a)
            return out
        if isinstance(e, sp.Pow):
            return ev(e.base) ** ev(e.exp)
        if isinstance(e, sp.Max | sp.Min):
            combine = torch.maximum if isinstance(e, sp.Max) else torch.minimum
            parts = [torch.as_tensor(ev(a), dtype=torch.float64) for a in e.args]
            out = parts[0]
            for part in parts[1:]:
                out = combine(out, part)
            return out
        if type(e) in unary:
            return unary[type(e)](ev(e.args[0]))
        raise NotImplementedError(f"torch_expression: {sp.sstr(e)}")

    return ev(expr)
