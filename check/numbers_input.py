"""Reading a numeric worked example (TOML) into exact numbers, with one-line errors.

The format (``backprop check numbers``)::

    [network]
    layers = [2, 2, 2]                      # sizes, input first
    activations = ["sigmoid", "sigmoid"]    # one per non-input layer; the last is the output
    loss = "mse"                            # ½ Σ (ŷ − y)², or cross-entropy (softmax output)
    [parameters]                            # Wl: (n_l, n_{l-1}), bl: (n_l,)
    W1 = [[0.1, 0.2], [0.3, 0.4]]
    b1 = [0.5, 0.5]
    [data]
    x = [1.0, 0.5]                          # (n_0,)
    y = [0.0, 1.0]                          # (n_L,); optional (forward-only examples)
    learning_rate = 0.5                     # optional (needed by Wl_new, bl_new)
    [claims]                                # any subset; whole arrays or entries
    h1 = [0.6682, 0.7503]
    "dW2[1,1]" = 0.0476                     # indices count from 1, as in the derivations
    loss = "?"                              # "?": asked but not answered yet (a whole claim
    z1 = [0.7, "?"]                         #   or single entries), reported as not answered
    index_base = 1                          # optional, at the top or here: 0 counts from 0
    tolerance = 0.001                       # optional: absolute, overrides the written precision

Numbers are read as exact decimals (``tomllib`` with ``parse_float=Decimal``), so a claim keeps
the precision it was written with. Every problem raises :class:`SpecError` naming the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sympy as sp

from derive.errors import SpecError
from derive.files import read_text

CLAIM_PATTERN = re.compile(
    r"^(?P<name>[A-Za-z_]+?)(?P<layer>\d*)(?P<new>_new)?(?:\[(?P<index>[^\]]*)\])?$"
)
LAYER_QUANTITIES = ("z", "h", "delta", "dz", "dW", "db", "dh", "g_prime")
NEW_QUANTITIES = ("W", "b")
LOSSES = {"mse": "mse", "cross-entropy": "cross-entropy", "ce": "cross-entropy"}
LOSSES |= {"binary-cross-entropy": "binary-cross-entropy", "bce": "binary-cross-entropy"}


@dataclass(frozen=True)
class Claim:
    """One claim: ``quantity`` (canonical, e.g. "dW2"), an optional ``index`` (0-based inside,
    whatever ``index_base`` the file writes them in) and the
    claimed ``value`` (a Decimal, or nested lists of Decimals for a whole array; an entry not
    answered yet is :data:`UNANSWERED`)."""

    key: str
    quantity: str
    index: tuple[int, ...] | None
    value: object


@dataclass(frozen=True)
class WorkedExample:
    """A network, its parameters (exact Rationals), one example and the claims to check.

    parameters: {"W1": [[...]], "b1": [...], ...} as nested lists of sp.Rational.
    x: (n_0,) Rationals; y: (n_L,) or None; learning_rate: Rational or None.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    parameters: dict
    x: list
    y: list | None
    learning_rate: sp.Rational | None
    claims: tuple[Claim, ...]
    tolerance: Decimal | None
    index_base: int = 1  # how the file counts entries: 1 as the derivations do, or 0

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1


def load_toml(path: str | Path) -> dict:
    """The TOML document at ``path`` with floats kept as exact Decimals."""
    text = read_text(path)
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}") from None


UNANSWERED = "?"  # a claim (or entry) asked for and left blank: "not answered", never correct

MAX_EXPONENT = 300  # |x| within 1e±300: what float64 holds, and exact arithmetic stays small


def number(value, key: str) -> Decimal:
    """A finite Decimal from a TOML number, else a SpecError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise SpecError(f"{key}: expected a number, got {value!r}")
    value = Decimal(value)
    if value.is_nan():
        raise SpecError(f"{key}: NaN is not a value")
    if value.is_infinite():
        raise SpecError(f"{key}: infinity is not a value")
    if value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise SpecError(
            f"{key}: {value:.3e} is out of range (1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT})"
        )
    return value


def exact(value: Decimal) -> sp.Rational:
    return sp.Rational(str(value))


def array(value, shape: tuple[int, ...], key: str) -> list:
    """Nested lists of exact Rationals with exactly ``shape``, else a SpecError naming key."""
    if not shape:
        return exact(number(value, key))
    if not isinstance(value, list):
        raise SpecError(f"{key}: expected an array of shape {shape}, got {value!r}")
    if len(value) != shape[0]:
        raise SpecError(f"{key}: expected shape {shape}, got {len(value)} rows/entries")
    return [array(item, shape[1:], f"{key}[{n}]") for n, item in enumerate(value)]


def _table(doc: dict, name: str, required: bool = True) -> dict:
    table = doc.get(name, {})
    if not isinstance(table, dict):
        raise SpecError(f"[{name}]: expected a table")
    if required and not table:
        raise SpecError(f"[{name}]: missing")
    return table


def _network(doc: dict) -> tuple[tuple[int, ...], tuple[str, ...], str]:
    net = _table(doc, "network")
    unknown = set(net) - {"layers", "activations", "loss"}
    if unknown:
        raise SpecError(f"network.{sorted(unknown)[0]}: unknown key (layers, activations, loss)")
    layers = net.get("layers")
    if not isinstance(layers, list) or len(layers) < 2:
        raise SpecError("network.layers: expected at least two sizes, input first")
    for n, size in enumerate(layers):
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SpecError(f"network.layers[{n}]: expected a positive integer, got {size!r}")
    acts = net.get("activations")
    if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
        raise SpecError("network.activations: expected a list of names, one per non-input layer")
    if len(acts) != len(layers) - 1:
        raise SpecError(
            f"network.activations: {len(layers) - 1} non-input layers need as many "
            f"activations, got {len(acts)}"
        )
    loss = net.get("loss")
    if loss not in LOSSES:
        raise SpecError(f"network.loss: unknown loss {loss!r} (mse, cross-entropy)")
    loss = LOSSES[loss]
    if loss == "cross-entropy" and acts[-1] == "sigmoid":
        loss = "binary-cross-entropy"
    return tuple(layers), tuple(acts), loss


CLAIM_NAMES = (
    "zl, hl (h of the last layer is the output, also yhat), loss, deltal or dzl, dWl, dbl, "
    "dhl, Wl_new, bl_new, g_primel (the activation's derivative g'(zl))"
)


def claim_shape(quantity: str, sizes: tuple[int, ...], key: str) -> tuple[int, ...]:
    """The shape of a claimable quantity ("dW2" → (n_2, n_1)); "dz2" is read as "delta2"."""
    depth = len(sizes) - 1
    if quantity == "loss":
        return ()
    if quantity == "yhat":
        return (sizes[-1],)
    match = re.fullmatch(r"([A-Za-z_]+?)(\d+)(_new)?", quantity)
    name, layer = (match[1] + (match[3] or ""), int(match[2])) if match else (quantity, None)
    known = {*LAYER_QUANTITIES, *(f"{q}_new" for q in NEW_QUANTITIES)}
    if name not in known or layer is None:
        raise SpecError(f"claims.{key}: unknown claim name '{quantity}' ({CLAIM_NAMES})")
    if not 1 <= layer <= depth:
        raise SpecError(f"claims.{key}: no layer {layer} (layers 1 to {depth}; 0 is the input)")
    if name in ("dW", "W_new"):
        return (sizes[layer], sizes[layer - 1])
    return (sizes[layer],)


def parse_claim(key: str, value, sizes: tuple[int, ...], base: int = 1) -> Claim:
    """``"dW2[1,1]"`` → Claim("dW2[1,1]", "dW2", (0, 0), Decimal) with indices counted from
    ``base``; checks name and range."""
    match = CLAIM_PATTERN.match(key.replace(" ", ""))
    if not match:
        raise SpecError(f"claims.{key}: cannot read the claim name")
    quantity = match["name"] + match["layer"] + (match["new"] or "")
    quantity = {"yhat": f"h{len(sizes) - 1}"}.get(quantity, quantity)
    quantity = re.sub(r"^dz(?=\d)", "delta", quantity)
    shape = claim_shape(quantity, sizes, key)
    index = None
    if match["index"] is not None:
        try:
            index = tuple(int(part) - base for part in match["index"].split(","))
        except ValueError:
            raise SpecError(f"claims.{key}: indices must be whole numbers") from None
        if len(index) != len(shape):
            raise SpecError(
                f"claims.{key}: {quantity} has shape {shape}, so needs {len(shape)} indices"
            )
        for position, (i, n) in enumerate(zip(index, shape, strict=True)):
            if not 0 <= i < n:
                raise SpecError(
                    f"claims.{key}: index {i + base} out of range for axis {position + base} "
                    f"of size {n} ({quantity} has shape {shape}; {base_note(base)})"
                )
        shape = ()
    claimed = _claimed(value, shape, f"claims.{key}")
    return Claim(key, quantity, index, claimed)


def base_note(base: int) -> str:
    if base == 1:
        return "indices count from 1, as in the derivations; index_base = 0 counts from 0"
    return "indices count from 0 (index_base = 0)"


def _index_base(doc: dict, claims: dict) -> int:
    found = [table.pop("index_base") for table in (doc, claims) if "index_base" in table]
    if len(found) > 1:
        raise SpecError("index_base: give it once (at the top or in [claims])")
    base = found[0] if found else 1
    if isinstance(base, bool) or base not in (0, 1):
        raise SpecError(f"index_base: must be 0 or 1, not {base!r}")
    return int(base)


def _claimed(value, shape, key):
    """Like :func:`array` but keeps the Decimals (their written precision matters); a "?"
    stands for every entry of its place (``h1 = "?"`` is ``h1 = ["?", "?"]``)."""
    if value == UNANSWERED:
        return [_claimed(value, shape[1:], key) for _ in range(shape[0])] if shape else value
    if not shape:
        return number(value, key)
    if not isinstance(value, list) or len(value) != shape[0]:
        got = f"{len(value)} entries" if isinstance(value, list) else repr(value)
        raise SpecError(f"{key}: expected shape {shape}, got {got}")
    return [_claimed(item, shape[1:], f"{key}[{n}]") for n, item in enumerate(value)]


def example_from_dict(doc: dict) -> WorkedExample:
    """Validate a parsed TOML document (floats as Decimal or float) into a WorkedExample."""
    doc = _decimals(doc)
    unknown = set(doc) - {"network", "parameters", "data", "claims", "index_base"}
    if unknown:
        raise SpecError(
            f"{sorted(unknown)[0]}: unknown section (network, parameters, data, claims)"
        )
    sizes, acts, loss = _network(doc)
    params = _table(doc, "parameters")
    parameters = {}
    for layer in range(1, len(sizes)):
        for name, shape in (
            (f"W{layer}", (sizes[layer], sizes[layer - 1])),
            (f"b{layer}", (sizes[layer],)),
        ):
            if name not in params:
                raise SpecError(f"parameters.{name}: missing (shape {shape})")
            parameters[name] = array(params[name], shape, f"parameters.{name}")
    extra = set(params) - set(parameters)
    if extra:
        raise SpecError(f"parameters.{sorted(extra)[0]}: not a parameter of this network")
    data = _table(doc, "data")
    extra = set(data) - {"x", "y", "learning_rate"}
    if extra:
        raise SpecError(f"data.{sorted(extra)[0]}: unknown key (x, y, learning_rate)")
    if "x" not in data:
        raise SpecError(f"data.x: missing (shape ({sizes[0]},))")
    x = array(data["x"], (sizes[0],), "data.x")
    y = array(data["y"], (sizes[-1],), "data.y") if "y" in data else None
    rate = data.get("learning_rate")
    rate = exact(number(rate, "data.learning_rate")) if rate is not None else None
    claims_table = dict(_table(doc, "claims", required=False))
    base = _index_base(dict(doc), claims_table)
    tolerance = claims_table.pop("tolerance", None)
    if tolerance is not None:
        tolerance = number(tolerance, "claims.tolerance")
        if tolerance < 0:
            raise SpecError("claims.tolerance: must not be negative")
    claims = tuple(parse_claim(str(key), value, sizes, base) for key, value in claims_table.items())
    return WorkedExample(sizes, acts, loss, parameters, x, y, rate, claims, tolerance, base)


def _decimals(value):
    """Python floats (from a dict built in code) as the Decimal of their shortest repr."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return value
