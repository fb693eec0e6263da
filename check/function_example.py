"""Gradient descent on a formula: the ``[function]`` extension of ``check numbers``.

The notes' first worked examples have no network: one step of gradient descent on
L(w) = w² from w0 = 5 with α = 0.1 (w1 = 4), and on L = w1² + w2² from (5, −4). Such a file::

    [function]
    loss = "w^2"              # plain math or LaTeX, read by derive's whitelist parser
    [parameters]
    w = 5                     # scalars, named as in the formula
    [data]
    learning_rate = 0.1
    [claims]                  # loss, dw (∂L/∂w, SymPy's derivative), w_new (w − α ∂L/∂w)
    dw = 10
    w_new = 4

Claims are judged exactly as for networks (:mod:`check.numeric_report`).
"""

from __future__ import annotations

import re

import sympy as sp

from check import numbers_slips as slips
from check.numbers_input import exact, number
from check.numeric_report import agrees, allowed_error, exact_decimal, fmt
from derive.errors import SpecError
from derive.parse import parse_expression

NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _real(value, key: str):
    """``value`` if it is a finite real number (sqrt(w) at w = −1 is not), else a SpecError."""
    approximate = value if value.is_Rational else value.evalf(30)
    if not (approximate.is_real and approximate.is_finite):
        raise SpecError(f"{key}: not a finite real number at these parameters ({value})")
    return value


def _slip(claimed, value, candidates) -> str:
    """The first common slip the claimed number agrees with (to its own precision), or ""."""
    for wrong, diagnosis in candidates:
        if wrong != value and agrees(claimed, wrong, None):
            return diagnosis
    return ""


def check_function_example(doc: dict):
    """A NumbersReport for a ``[function]`` document (floats as Decimal)."""
    from check.numbers import ClaimVerdict, EntryVerdict, NumbersReport

    unknown = set(doc) - {"function", "parameters", "data", "claims"}
    if unknown:
        raise SpecError(
            f"{sorted(unknown)[0]}: unknown section (function, parameters, data, claims)"
        )
    function, params = doc.get("function", {}), doc.get("parameters", {})
    if not isinstance(function, dict) or not isinstance(function.get("loss"), str):
        raise SpecError('function.loss: expected a formula, e.g. "w^2"')
    if not isinstance(params, dict) or not params:
        raise SpecError("parameters: give each parameter of the formula a value, e.g. w = 5")
    for name in params:
        if not NAME.fullmatch(name):
            raise SpecError(f"parameters.{name}: a parameter name is letters then digits")
    symbols = {name: sp.Symbol(name, real=True) for name in params}
    loss = parse_expression(function["loss"], symbols)
    values = {symbols[name]: exact(number(v, f"parameters.{name}")) for name, v in params.items()}
    data = doc.get("data", {})
    rate = data.get("learning_rate") if isinstance(data, dict) else None
    rate = exact(number(rate, "data.learning_rate")) if rate is not None else None

    loss_value = _real(loss.subs(values), "loss")
    table = {"loss": (loss_value, f"L = {sp.sstr(loss)}")}
    mistakes = {"loss": [(-loss_value, "sign error: the claim is −1 × the correct value")]}
    for name, symbol in symbols.items():
        gradient = sp.diff(loss, symbol)
        slope = _real(gradient.subs(values), f"d{name}")
        table[f"d{name}"] = (slope, f"∂L/∂{name} = {sp.sstr(gradient)}")
        mistakes[f"d{name}"] = slips.slope_slips(name, loss_value, slope)
        if rate is not None:
            mistakes[f"{name}_new"] = slips.step_slips(
                name, values[symbol], rate, slope, loss_value
            )
            new = values[symbol] - rate * slope
            shown = [exact_decimal(v) or fmt(v) for v in (values[symbol], rate, slope)]
            shown[2] = f"({shown[2]})" if slope < 0 else shown[2]
            text = f"{name}_new = {name} − α ∂L/∂{name} = {shown[0]} − {shown[1]} · {shown[2]}"
            table[f"{name}_new"] = (new, text)

    claims = dict(doc.get("claims", {}))
    tolerance = claims.pop("tolerance", None)
    tolerance = number(tolerance, "claims.tolerance") if tolerance is not None else None
    verdicts = []
    for key, claimed in claims.items():
        if key not in table:
            need = " (needs data.learning_rate)" if key.endswith("_new") else ""
            raise SpecError(f"claims.{key}: unknown claim{need} ({', '.join(table)})")
        claimed = number(claimed, f"claims.{key}")
        value, formula = table[key]
        value = value if value.is_Rational else value.evalf(50)
        if not value.is_finite or not value.is_real:
            raise SpecError(f"claims.{key}: the value is not finite ({value})")
        ok = agrees(claimed, value, tolerance)
        entry = EntryVerdict(
            key,
            claimed,
            value,
            ok,
            allowed_error(claimed, tolerance),
            "" if ok else f"{formula} = {fmt(value, 6)}",
            "" if ok else _slip(claimed, value, mistakes.get(key, ())),
        )
        verdicts.append(ClaimVerdict(key, [entry]))
    trace = "\n".join(f"  {formula} = {fmt(value, 4)}" for value, formula in table.values())
    return NumbersReport(verdicts, function_trace="Worked solution\n" + trace)
