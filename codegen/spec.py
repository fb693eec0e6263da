"""Network specs: a TOML file or a dict, validated into frozen dataclasses.

>>> spec = spec_from_dict({
...     "name": "xor", "inputs": 2,
...     "layers": [{"units": 2, "activation": "sigmoid"}],
...     "output": {"units": 1, "activation": "sigmoid", "loss": "cross-entropy"},
... })
>>> spec.sizes, spec.output.loss
((2, 2, 1), 'binary-cross-entropy')

Every problem is a one-line :class:`SpecError` naming the key, e.g.
``layers[1].activation: unknown activation 'tanhh' (did you mean 'tanh'?)``. Expressions go
through derive's whitelist parser only; user text is never evaluated.

An activation is a rule's name (any record of :func:`derive.rulebook.activations`, user rules
from ``--rules`` included), an expression in z, or an inline table naming a rule and its
parameters, resolved here once into the call it stands for:

>>> _activation({"name": "leaky_relu", "negative_slope": 0.2}, "activation", ())
'leaky_relu(z, negative_slope=0.2)'
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import sympy as sp

from codegen.train_spec import TrainSpec, train_spec
from derive import rulebook
from derive.custom import parse_activation, parse_loss
from derive.errors import BackpropError, SpecError
from derive.files import read_text
from derive.losses import LOSSES
from derive.symbols import p as prediction

DTYPES = ("float32", "float64")
OUTPUT_ONLY = ("softmax",)
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
_EXPRESSION_VARIABLES = {"z", "x"}  # a bare "z" is an expression (the identity), not a name


@dataclass(frozen=True)
class LayerSpec:
    """A hidden layer: ``units`` outputs, each ``activation(z)`` (a name or an expression in z)."""

    units: int
    activation: str
    dropout: float = 0.0  # inverted dropout on the layer's output in training (`derive dropout`)


@dataclass(frozen=True)
class OutputSpec:
    """The output layer; ``loss`` is canonical (``cross-entropy`` on sigmoid reads as BCE)."""

    units: int
    activation: str
    loss: str


@dataclass(frozen=True)
class Spec:
    """A fully connected network; ``sizes`` is (inputs, hidden units..., outputs)."""

    name: str
    inputs: int
    layers: tuple[LayerSpec, ...]
    output: OutputSpec
    dtype: str = "float64"
    train: TrainSpec = field(default_factory=TrainSpec)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.inputs, *(layer.units for layer in self.layers), self.output.units)

    @property
    def task(self) -> str:
        """classification (softmax), binary (sigmoid) or regression (anything else)."""
        return {"softmax": "classification", "sigmoid": "binary"}.get(
            self.output.activation, "regression"
        )

    def to_dict(self) -> dict:
        """The normalised spec as plain data (what a generated module calls ``SPEC``)."""
        data = asdict(self)
        data["layers"] = [  # dropout only where a layer has it
            {key: value for key, value in layer.items() if key != "dropout" or value}
            for layer in data["layers"]
        ]
        data["train"] = self.train.to_dict()
        order = ("name", "inputs", "dtype", "layers", "output", "train")
        return {key: data[key] for key in order}


# -- reading -------------------------------------------------------------------------------


def load_spec(path: str | Path) -> Spec:
    """Read and validate a TOML spec; its name defaults to the file's stem."""
    path = Path(path)
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    data.setdefault("name", path.stem)
    return spec_from_dict(data)


def spec_from_dict(data: dict) -> Spec:
    """Validate a spec given as a dict (the TOML structure) into a :class:`Spec`."""
    _check_keys(data, "", required=("inputs", "output"), optional=_TOP_OPTIONAL)
    name = data.get("name", "network")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        # the name is written into the generated module's docstring: it must stay inert text
        raise SpecError(
            f"name: must be letters, digits, '_', '-' or '.', starting with a letter or '_' "
            f"(at most 64 characters), got {name!r}"
        )
    dtype = data.get("dtype", "float64")
    if dtype not in DTYPES:
        raise SpecError(f"dtype: must be 'float32' or 'float64', got {dtype!r}")
    layers_data = data.get("layers", [])
    if not isinstance(layers_data, list):
        raise SpecError("layers: must be an array of tables ([[layers]])")
    layers = tuple(_layer(item, f"layers[{n}]") for n, item in enumerate(layers_data))
    return Spec(
        name=name.strip(),
        inputs=_positive_int(data["inputs"], "inputs"),
        layers=layers,
        output=_output(data["output"]),
        dtype=dtype,
        train=train_spec(data.get("train", {})),
    )


_TOP_OPTIONAL = ("name", "dtype", "layers", "train")


def _check_keys(table, where: str, required=(), optional=()) -> None:
    if not isinstance(table, dict):
        raise SpecError(f"{where or 'spec'}: must be a table")
    allowed = (*required, *optional)
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecError(f"{_join(where, key)}: unknown key{hint}")
    for key in required:
        if key not in table:
            raise SpecError(f"{_join(where, key)}: missing")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


MAX_UNITS = 100_000  # per layer, and epochs / batch size: far beyond a lecture network


def _positive_int(value, key: str, limit: int = MAX_UNITS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{key}: must be a positive integer, got {value!r}")
    if value > limit:
        raise SpecError(f"{key}: {value} is more than the limit of {limit}")
    return value


def _layer(item, where: str) -> LayerSpec:
    _check_keys(item, where, required=("units", "activation"), optional=("dropout",))
    key = f"{where}.activation"
    rate = item.get("dropout", 0.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
        raise SpecError(f"{where}.dropout: must be a number in [0, 1), got {rate!r}")
    return LayerSpec(
        units=_positive_int(item["units"], f"{where}.units"),
        activation=_activation(item["activation"], key, allowed=()),
        dropout=float(rate),
    )


def _output(item) -> OutputSpec:
    _check_keys(item, "output", required=("units", "activation", "loss"))
    units = _positive_int(item["units"], "output.units")
    activation = _activation(item["activation"], "output.activation", allowed=OUTPUT_ONLY)
    if activation == "softmax" and units < 2:
        raise SpecError(f"output.units: softmax needs at least 2 units, got {units}")
    return OutputSpec(units, activation, _loss(item["loss"], activation))


def _activation(text, key: str, allowed: tuple[str, ...]) -> str:
    """A rule's name (or one from ``allowed``), a table ``{ name = …, parameter = … }``, or an
    expression in z that derive can differentiate; returned as the text consumers read."""
    if isinstance(text, dict):
        return _parameterised(text, key)
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{key}: must be an activation name or an expression in z")
    text = text.strip()
    names = (*rulebook.activations(), *allowed)
    if text in names:
        return text
    if text in OUTPUT_ONLY:
        raise SpecError(f"{key}: '{text}' is only available on the output layer")
    if _BARE_NAME.fullmatch(text) and text not in _EXPRESSION_VARIABLES:
        raise SpecError(f"{key}: unknown activation '{text}'{_suggest(text, names)}")
    try:
        parse_activation(text)
    except BackpropError as exc:
        raise SpecError(f"{key}: {exc}") from None
    return text


def _parameterised(table: dict, key: str) -> str:
    """``{ name = "leaky_relu", negative_slope = 0.2 }`` → ``leaky_relu(z, negative_slope=0.2)``,
    its parameter names checked against the rule's record."""
    name = table.get("name")
    records = rulebook.activations()
    if not isinstance(name, str) or name not in records:
        hint = _suggest(name, records) if isinstance(name, str) else ""
        raise SpecError(f"{key}.name: unknown activation {name!r}{hint}")
    record = records[name]
    known = [param.name for param in record.params]
    values = []
    for param, value in table.items():
        if param == "name":
            continue
        if param not in known:
            allowed = ", ".join(known) or "none"
            raise SpecError(f"{key}.{param}: '{name}' has no parameter '{param}' ({allowed})")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise SpecError(f"{key}.{param}: must be a number, got {value!r}")
        values.append((known.index(param), f"{param}={format(Decimal(repr(value)), 'f')}"))
    if not values:
        return name
    text = f"{name}(z, {', '.join(call for _, call in sorted(values))})"
    try:
        parse_activation(text)
    except BackpropError as exc:
        raise SpecError(f"{key}: {exc}") from None
    return text


def _loss(text, activation: str) -> str:
    """The canonical loss name, or a custom loss expression in p and y."""
    key = "output.loss"
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"{key}: must be a loss name or an expression in p and y")
    text = text.strip()
    record = rulebook.loss_named(text)  # a name or one of the record's aliases (ce, bce, mae)
    if record is not None and record.name == "cross-entropy" and activation == "sigmoid":
        record = LOSSES["binary-cross-entropy"]  # cross-entropy of a sigmoid output is BCE
    if record is not None:
        if not record.fits_output(activation):
            fits = " or ".join(record.fits)
            raise SpecError(f"{key}: '{text}' needs a {fits} output, not {activation!r}")
        return record.name
    if _BARE_NAME.fullmatch(text) and text not in ("p", "y"):
        raise SpecError(f"{key}: unknown loss '{text}'{_suggest(text, rulebook.losses())}")
    try:
        loss = parse_loss(text)
    except BackpropError as exc:
        raise SpecError(f"{key}: {exc}") from None
    if sp.diff(loss, prediction).has(sp.Derivative, sp.Subs):
        raise SpecError(f"{key}: '{text}' is not differentiable in closed form")
    return text


def spec_to_toml(spec: Spec) -> str:
    """The normalised spec as TOML text (for the header of a generated module)."""
    data = spec.to_dict()
    lines = [f"{key} = {_toml_value(data[key])}" for key in ("name", "inputs", "dtype")]
    for layer in data["layers"]:
        lines += ["", "[[layers]]", *(f"{k} = {_toml_value(v)}" for k, v in layer.items())]
    for table in ("output", "train"):
        lines += ["", f"[{table}]", *(f"{k} = {_toml_value(v)}" for k, v in data[table].items())]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _suggest(text: str, names) -> str:
    close = difflib.get_close_matches(text, list(names), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
