"""Common slips in worked examples that take more than one number to recognise: a forward
pass with a layer's bias left out, σ(z) claimed for σ′(z), and, in a ``[function]`` file,
the loss for its derivative, a factor 2 or ½, a step uphill or without α.

Each function returns (value, diagnosis) candidates; :func:`check.numbers._diagnose` (and
the function-example check) name the first one the claimed number agrees with.

>>> import sympy as sp
>>> [d for _, d in step_slips("w", sp.Integer(5), sp.Rational(1, 10), sp.Integer(10))][:1]
['stepped uphill: w + α·∂L/∂w instead of w − α·∂L/∂w']
"""

from __future__ import annotations

import dataclasses

import sympy as sp


def without_bias(solution, quantity, index, where: str) -> list:
    """The quantity computed by the same forward pass with one layer's bias left out (z = W h
    for W h + b), for every layer whose bias is not already 0; each variant solved once."""
    example = solution.example
    variants = solution.__dict__.setdefault("_without_bias", {})
    found = []
    for layer in range(1, example.depth + 1):
        name = f"b{layer}"
        bias = example.parameters.get(name)
        if bias is None or all(b == 0 for b in bias):
            continue
        if layer not in variants:
            zeros = [sp.Integer(0)] * len(bias)
            changed = dataclasses.replace(
                example, parameters={**example.parameters, name: zeros}, claims=()
            )
            variants[layer] = type(solution)(changed)
        other = variants[layer].quantities.get(quantity.name)
        if other is not None and index in other.values:
            found.append(
                (
                    other.value(index),
                    f"forgot the bias {name}: {quantity.name}{where} computed without it",
                )
            )
    return found


def function_for_derivative(quantity, other) -> str:
    """The diagnosis when the claim of g′(z) is the activation g(z) itself, else ""."""
    if quantity.rule.replace("′", "") == other.rule and quantity.rule != other.rule:
        return f": {other.rule}, the function itself, not its derivative {quantity.rule}"
    return ""


def slope_slips(name: str, loss_value, slope) -> list:
    """∂L/∂name claimed as the loss itself, with the wrong sign, or off by 2 or ½."""
    return [
        (loss_value, f"the loss itself (L = {loss_value}), not its derivative ∂L/∂{name}"),
        (-slope, "sign error: the claim is −1 × the correct value"),
        (2 * slope, "off by a factor 2"),
        (slope / 2, "off by a factor ½"),
    ]


def step_slips(name: str, value, rate, slope, loss_value=None) -> list:
    """name − α ∂L/∂name claimed uphill, without α, or with a slipped gradient."""
    found = [
        (
            value + rate * slope,
            f"stepped uphill: {name} + α·∂L/∂{name} instead of {name} − α·∂L/∂{name}",
        ),
        (value - slope, f"the learning rate α left out: {name} − ∂L/∂{name}"),
    ]
    for wrong, why in slope_slips(name, loss_value, slope)[1 if loss_value is None else 0 :]:
        if wrong != -slope:  # −slope is the step uphill, named above
            found.append((value - rate * wrong, f"the step uses a slipped gradient: {why}"))
    return found
