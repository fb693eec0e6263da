"""Reading an exercise template (TOML): the network, the ranges numbers are drawn from, the
quantities to ask for and the precision of the answers, with one-line errors.

The format (``backprop exercise make TEMPLATE.toml``)::

    title = "One step of backpropagation"    # optional, the handout's heading
    precision = 4                              # decimals of every answer (1 to 6)
    ask = ["h1", "yhat", "loss", "delta2", "dW1[1,2]", "W1_new"]   # check numbers claim names
    learning_rate = 0.5                        # needed when an update (W1_new, b2_new) is asked
    max_draws = 500                            # optional: draws per student before giving up
    [network]                                  # as in a check numbers file
    layers = [2, 2, 1]
    activations = ["sigmoid", "sigmoid"]       # sigmoid, tanh, relu, identity; softmax last
    loss = "mse"                               # mse, cross-entropy (ce), binary-cross-entropy
    [ranges]                                   # low, high and decimals (0, 1 or 2) of each
    weights = {low = -1.0, high = 1.0, decimals = 1}    # every Wl entry
    biases = {low = -0.5, high = 0.5, decimals = 1}     # every bl entry
    inputs = {low = 0.0, high = 1.0, decimals = 1}      # x
    targets = {low = 0.0, high = 1.0, decimals = 1}     # y, or "one-hot" (softmax output)

Asked names are those of ``check numbers`` (a whole array such as ``h1`` or one entry such as
``"dW1[1,2]"``, counted from 1). Every problem raises :class:`SpecError` naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from check.numbers_input import UNANSWERED, example_from_dict, load_toml, number, parse_claim
from derive.errors import SpecError

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "identity", "softmax")
MAX_SIZE = 4  # units per layer: a handout is worked by hand
MAX_LAYERS = 3  # non-input layers
MAX_PRECISION = 6
MAX_ASKED = 40  # asked entries in all
RANGE_NAMES = ("weights", "biases", "inputs", "targets")
TOP_KEYS = {"title", "precision", "ask", "learning_rate", "max_draws", "network", "ranges"}
ONE_HOT = "one-hot"


@dataclass(frozen=True)
class Range:
    """Numbers low ≤ v ≤ high with ``decimals`` decimals (0.1 steps for 1)."""

    low: Decimal
    high: Decimal
    decimals: int

    @property
    def steps(self) -> tuple[int, int]:
        """The range in units of the last decimal: (low·10^d, high·10^d)."""
        scale = Decimal(10) ** self.decimals
        return int(self.low * scale), int(self.high * scale)


@dataclass(frozen=True)
class Template:
    """A validated template. sizes: layer sizes, input first; ask: claim keys as written;
    targets: a Range, or None for one-hot targets."""

    title: str
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    weights: Range
    biases: Range
    inputs: Range
    targets: Range | None
    learning_rate: Decimal | None
    ask: tuple[str, ...]
    precision: int
    max_draws: int = 500

    @property
    def network(self) -> dict:
        """The [network] table of a check numbers file."""
        return {
            "layers": list(self.sizes),
            "activations": list(self.activations),
            "loss": self.loss,
        }


def load_template(path: str | Path) -> Template:
    """The template at ``path``, validated (see the module docstring)."""
    return template_from_dict(load_toml(path))


def template_from_dict(doc: dict) -> Template:
    """Validate a parsed template (floats as Decimals, or as Python floats for a dict built in
    code) into a :class:`Template`."""
    doc = _decimals(doc)
    unknown = set(doc) - TOP_KEYS
    if unknown:
        raise SpecError(f"{sorted(unknown)[0]}: unknown key ({', '.join(sorted(TOP_KEYS))})")
    network = _network(doc)
    ranges = doc.get("ranges")
    if not isinstance(ranges, dict):
        raise SpecError("[ranges]: missing (weights, biases, inputs, targets)")
    extra = set(ranges) - set(RANGE_NAMES)
    if extra:
        raise SpecError(f"ranges.{sorted(extra)[0]}: unknown range ({', '.join(RANGE_NAMES)})")
    rate = doc.get("learning_rate")
    rate = number(rate, "learning_rate") if rate is not None else None
    if rate is not None and rate <= 0:
        raise SpecError("learning_rate: must be positive")
    template = Template(
        title=_title(doc.get("title", "Backpropagation by hand")),
        sizes=tuple(network["layers"]),
        activations=tuple(network["activations"]),
        loss=network["loss"],
        weights=_range(ranges, "weights"),
        biases=_range(ranges, "biases"),
        inputs=_range(ranges, "inputs"),
        targets=_targets(ranges, network),
        learning_rate=rate,
        ask=_ask(doc.get("ask")),
        precision=_integer(doc.get("precision"), "precision", 1, MAX_PRECISION),
        max_draws=_integer(doc.get("max_draws", 500), "max_draws", 1, 100_000),
    )
    _check_claims(template)
    return template


def _decimals(value):
    """Python floats as the Decimal of their shortest repr (0.1 → Decimal("0.1"))."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return value


def _network(doc: dict) -> dict:
    network = doc.get("network")
    if not isinstance(network, dict):
        raise SpecError("[network]: missing (layers, activations, loss)")
    for n, name in enumerate(network.get("activations") or []):
        if name not in ACTIVATION_NAMES:
            raise SpecError(
                f"network.activations[{n}]: {name!r} is not one of {', '.join(ACTIVATION_NAMES)}"
            )
    layers = network.get("layers")
    if isinstance(layers, list) and len(layers) - 1 > MAX_LAYERS:
        raise SpecError(f"network.layers: at most {MAX_LAYERS} layers after the input")
    for n, size in enumerate(layers if isinstance(layers, list) else []):
        if isinstance(size, int) and not isinstance(size, bool) and size > MAX_SIZE:
            raise SpecError(f"network.layers[{n}]: at most {MAX_SIZE} units (worked by hand)")
    return network


def _title(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise SpecError("title: expected a line of text (at most 200 characters)")
    if any(ord(c) < 32 for c in value):
        raise SpecError("title: control characters are not allowed")
    return value.strip()


def _integer(value, key: str, low: int, high: int) -> int:
    if value is None:
        raise SpecError(f"{key}: missing (a whole number from {low} to {high})")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _range(ranges: dict, name: str) -> Range:
    value = ranges.get(name)
    key = f"ranges.{name}"
    if not isinstance(value, dict):
        raise SpecError(f"{key}: expected {{low = ..., high = ..., decimals = ...}}")
    extra = set(value) - {"low", "high", "decimals"}
    if extra:
        raise SpecError(f"{key}.{sorted(extra)[0]}: unknown key (low, high, decimals)")
    low, high = (number(value.get(k), f"{key}.{k}") for k in ("low", "high"))
    decimals = _integer(value.get("decimals"), f"{key}.decimals", 0, 2)
    if low > high:
        raise SpecError(f"{key}: low must not be above high")
    if max(abs(low), abs(high)) > 10:
        raise SpecError(f"{key}: keep numbers within ±10 (worked by hand)")
    found = Range(low, high, decimals)
    lo, hi = found.steps
    if Decimal(lo).scaleb(-decimals) != low or Decimal(hi).scaleb(-decimals) != high:
        raise SpecError(f"{key}: low and high must have at most {decimals} decimals")
    return found


def _targets(ranges: dict, network: dict) -> Range | None:
    value = ranges.get("targets")
    softmax = (network.get("activations") or [None])[-1] == "softmax"
    if softmax != (value == ONE_HOT):
        raise SpecError('ranges.targets: "one-hot" exactly when the output is softmax')
    return None if value == ONE_HOT else _range(ranges, "targets")


def _ask(value) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise SpecError('ask: expected a list of claim names, e.g. ["h1", "loss", "dW1[1,2]"]')
    if len(set(value)) != len(value):
        raise SpecError("ask: a name is asked twice")
    return tuple(value)


def _check_claims(template: Template) -> None:
    """The network and every asked name, checked by check numbers' own reader."""
    try:
        example_from_dict(blank_document(template))
        claims = [parse_claim(key, UNANSWERED, template.sizes) for key in template.ask]
    except SpecError as exc:
        raise SpecError(str(exc).replace("claims.", "ask: ", 1)) from None
    entries = sum(_count(claim.value) for claim in claims)
    if entries > MAX_ASKED:
        raise SpecError(f"ask: {entries} entries asked; at most {MAX_ASKED}")
    if template.learning_rate is None and any(c.quantity.endswith("_new") for c in claims):
        raise SpecError("learning_rate: needed by the asked update (Wl_new, bl_new)")


def _count(value) -> int:
    return sum(_count(v) for v in value) if isinstance(value, list) else 1


def blank_document(template: Template, parameters=None, x=None, y=None) -> dict:
    """A check numbers document of the template's network: the given numbers (zeros when
    not given) and every asked claim "?"."""
    sizes = template.sizes
    if parameters is None:
        parameters = {}
        for layer in range(1, len(sizes)):
            parameters[f"W{layer}"] = [[0] * sizes[layer - 1] for _ in range(sizes[layer])]
            parameters[f"b{layer}"] = [0] * sizes[layer]
    data = {"x": x if x is not None else [0] * sizes[0]}
    data["y"] = y if y is not None else [1] + [0] * (sizes[-1] - 1)
    if template.learning_rate is not None:
        data["learning_rate"] = template.learning_rate
    claims = {key: UNANSWERED for key in template.ask}
    return {"network": template.network, "parameters": parameters, "data": data, "claims": claims}
