"""Writing a variant as a ``check numbers`` file: the student's blank (every asked claim "?")
and the model solution (every claim filled in at the template's precision).

Only numbers (exact Decimals, written in fixed notation), the network's names and the claim
keys the template validated are written, so the text is valid TOML by construction.

>>> from decimal import Decimal
>>> toml_value([Decimal("0.5"), Decimal("-1.25")])
'[0.5, -1.25]'
"""

from __future__ import annotations

from check.numbers_input import UNANSWERED, parse_claim
from classroom.exercise.pleasant import rounded
from classroom.exercise.template import Template
from classroom.exercise.variants import Variant


def toml_value(value) -> str:
    """A number, a string or nested lists of them as TOML."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return format(value, "f")  # a Decimal: fixed notation keeps its written decimals


def toml_key(key: str) -> str:
    bare = key.replace("_", "").isalnum() and key.isascii()
    return key if bare else toml_value(key)


def claims(variant: Variant, template: Template, filled: bool) -> dict:
    """{claim key as the template writes it: "?", or the value(s) at the precision}."""
    solution = variant.candidate.solution
    precision = template.precision
    out = {}
    for key in template.ask:
        claim = parse_claim(key, UNANSWERED, template.sizes)
        quantity = solution.quantities[claim.quantity]
        if claim.index is not None:
            value = quantity.value(claim.index)
            out[key] = rounded(value, precision) if filled else UNANSWERED
        else:
            out[key] = _nested(quantity.nested(), precision, filled)
    return out


def _nested(value, precision: int, filled: bool):
    if isinstance(value, list):
        return [_nested(v, precision, filled) for v in value]
    return rounded(value, precision) if filled else UNANSWERED


def numbers_file(variant: Variant, template: Template, header: list[str], filled: bool) -> str:
    """The check numbers file of ``variant``: a comment header, the network, its numbers and
    the claims (blank or filled)."""
    givens = variant.candidate.givens
    lines = [f"# {line}" if line else "#" for line in header]
    lines += ["", "[network]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in template.network.items()]
    lines += ["", "[parameters]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in givens.parameters.items()]
    lines += ["", "[data]", f"x = {toml_value(givens.x)}", f"y = {toml_value(givens.y)}"]
    if template.learning_rate is not None:
        lines.append(f"learning_rate = {toml_value(template.learning_rate)}")
    lines += ["", "[claims]"]
    for key, value in claims(variant, template, filled).items():
        lines.append(f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"
