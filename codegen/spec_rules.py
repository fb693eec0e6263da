"""A spec's activations and loss, resolved once at load into the rules they stand for.

Consumers (plan, generate, training, check) read :class:`ActivationChoice` and
:class:`LossChoice`; none of them parses spec text again. ``text`` is what the spec round-trips
as (``spec_to_toml``) and what the generated module names the rule by.

>>> choice = activation_choice({"name": "leaky_relu", "negative_slope": 0.2}, "activation")
>>> choice.text, choice.rule.expr
('leaky_relu(z, negative_slope=0.2)', Piecewise((z, z > 0), (z/5, True)))
>>> loss_choice("bce", "sigmoid").text
'binary-cross-entropy'
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import sympy as sp

from derive import rulebook
from derive.activations import ACTIVATIONS, Activation
from derive.custom import parse_activation, parse_loss
from derive.errors import BackpropError, SpecError
from derive.losses import LOSSES, Loss, yhat
from derive.primitives import canonical_param
from derive.symbols import p as prediction

OUTPUT_ONLY = ("softmax",)
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_EXPRESSION_VARIABLES = {"z", "x"}  # a bare "z" is an expression (the identity), not a name


@dataclass(frozen=True)
class ActivationChoice:
    """A layer's activation: ``text`` as the spec normalises it (``"tanh"``,
    ``"elu(z, alpha=1.5)"``, ``"max(0.01*z, z)"``) and ``rule``, the record it resolves to (a
    named record, or the parsed call or expression); ``rule`` is None for softmax, a row
    function with no elementwise record."""

    text: str
    rule: Activation | None

    @property
    def is_lecture_rule(self) -> bool:
        """A lecture activation with a derivation of its own in the registry (``derive tanh``)."""
        return self.rule is not None and ACTIVATIONS.get(self.text) == self.rule

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class LossChoice:
    """The output's loss: ``text`` (a canonical name, or the expression as written), ``record``
    (the named loss, None for an expression) and ``per_output``, ℓ(p, y) of one output unit."""

    text: str
    record: Loss | None
    per_output: sp.Expr

    @property
    def is_lecture_loss(self) -> bool:
        """One of the lecture's losses (cross-entropy, BCE, MSE), with its own derivations."""
        return self.record is not None and LOSSES.get(self.text) == self.record

    def __str__(self) -> str:
        return self.text


SOFTMAX = ActivationChoice("softmax", None)


def activation_choice(value, key: str, allowed: tuple[str, ...] = ()) -> ActivationChoice:
    """A rule's name (or softmax, when ``allowed``), a table ``{ name = …, parameter = … }``,
    or an expression in z that derive can differentiate; SpecError naming ``key`` otherwise."""
    if isinstance(value, dict):
        return _parameterised(value, key)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{key}: must be an activation name or an expression in z")
    text = value.strip()
    records = rulebook.activations()
    if text in allowed:
        return SOFTMAX
    if text in records:
        return ActivationChoice(text, records[text])
    if text in OUTPUT_ONLY:
        raise SpecError(f"{key}: '{text}' is only available on the output layer")
    if _BARE_NAME.fullmatch(text) and text not in _EXPRESSION_VARIABLES:
        names = (*records, *allowed)
        raise SpecError(f"{key}: unknown activation '{text}'{suggest(text, names)}")
    return ActivationChoice(text, _parsed(text, key))


def _parsed(text: str, key: str) -> Activation:
    try:
        return parse_activation(text)
    except BackpropError as exc:
        raise SpecError(f"{key}: {exc}") from None


def _parameterised(table: dict, key: str) -> ActivationChoice:
    """``{ name = "leaky_relu", negative_slope = 0.2 }`` → ``leaky_relu(z, negative_slope=0.2)``,
    its parameter names checked against the rule's record."""
    name = table.get("name")
    records = rulebook.activations()
    if not isinstance(name, str) or name not in records:
        hint = suggest(name, records) if isinstance(name, str) else ""
        raise SpecError(f"{key}.name: unknown activation {name!r}{hint}")
    record = records[name]
    known = [param.name for param in record.params]
    values = []
    for given, value in table.items():
        if given == "name":
            continue
        param = canonical_param(record.params, given)
        if param is None:
            allowed = ", ".join(known) or "none"
            raise SpecError(f"{key}.{given}: '{name}' has no parameter '{given}' ({allowed})")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise SpecError(f"{key}.{given}: must be a number, got {value!r}")
        values.append((known.index(param), f"{param}={format(Decimal(repr(value)), 'f')}"))
    if not values:
        return ActivationChoice(name, record)
    text = f"{name}(z, {', '.join(call for _, call in sorted(values))})"
    return ActivationChoice(text, _parsed(text, key))


def loss_choice(value, activation: str) -> LossChoice:
    """The canonical named loss, or a custom loss expression in p and y, for an output
    ``activation`` (cross-entropy on a sigmoid output reads as BCE)."""
    key = "output.loss"
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{key}: must be a loss name or an expression in p and y")
    text = value.strip()
    record = rulebook.loss_named(text)  # a name or one of the record's aliases (ce, bce, mae)
    if record is not None and record.name == "cross-entropy" and activation == "sigmoid":
        record = LOSSES["binary-cross-entropy"]  # cross-entropy of a sigmoid output is BCE
    if record is not None:
        if not record.fits_output(activation):
            fits = " or ".join(record.fits)
            raise SpecError(f"{key}: '{text}' needs a {fits} output, not {activation!r}")
        return LossChoice(record.name, record, _per_output(record))
    if _BARE_NAME.fullmatch(text) and text not in ("p", "y"):
        raise SpecError(f"{key}: unknown loss '{text}'{suggest(text, rulebook.losses())}")
    try:
        loss = parse_loss(text)
    except BackpropError as exc:
        raise SpecError(f"{key}: {exc}") from None
    if sp.diff(loss, prediction).has(sp.Derivative, sp.Subs):
        raise SpecError(f"{key}: '{text}' is not differentiable in closed form")
    return LossChoice(text, None, loss)


def _per_output(record: Loss) -> sp.Expr:
    """ℓ(p, y) of one output: a lecture loss's per-output term, else the record's scalar form."""
    if LOSSES.get(record.name) == record:
        single = record.per_output if record.per_output is not None else record.expr
        return single.xreplace({yhat: prediction})
    return record.scalar


def suggest(text: str, names) -> str:
    close = difflib.get_close_matches(text, list(names), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
