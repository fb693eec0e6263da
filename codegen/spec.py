"""Network specs: a TOML file or a dict, validated into frozen dataclasses.

>>> spec = spec_from_dict({
...     "name": "xor", "inputs": 2,
...     "layers": [{"units": 2, "activation": "sigmoid"}],
...     "output": {"units": 1, "activation": "sigmoid", "loss": "cross-entropy"},
... })
>>> spec.sizes, spec.output.loss.text
((2, 2, 1), 'binary-cross-entropy')

Every problem is a one-line :class:`SpecError` naming the key, e.g.
``layers[1].activation: unknown activation 'tanhh' (did you mean 'tanh'?)``. Expressions go
through derive's whitelist parser only; user text is never evaluated.

An activation is a rule's name (any record of :func:`derive.rulebook.activations`, user rules
from ``--rules`` included), an expression in z, or an inline table naming a rule and its
parameters; it and the loss are resolved at load into rule objects
(:mod:`codegen.spec_rules`), which every consumer reads:

>>> spec.layers[0].activation.rule.name, spec.output.loss.record.name
('sigmoid', 'binary-cross-entropy')
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from codegen.spec_rules import (
    OUTPUT_ONLY,
    ActivationChoice,
    LossChoice,
    activation_choice,
    loss_choice,
)
from codegen.train_spec import TrainSpec, train_spec
from derive.errors import SpecError
from derive.files import read_text

DTYPES = ("float32", "float64")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")


@dataclass(frozen=True)
class LayerSpec:
    """A hidden layer: ``units`` outputs, each ``activation(z)`` (a rule resolved at load)."""

    units: int
    activation: ActivationChoice
    dropout: float = 0.0  # inverted dropout on the layer's output in training (`derive dropout`)


@dataclass(frozen=True)
class OutputSpec:
    """The output layer; ``loss`` is canonical (``cross-entropy`` on sigmoid reads as BCE)."""

    units: int
    activation: ActivationChoice
    loss: LossChoice


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
            self.output.activation.text, "regression"
        )

    def to_dict(self) -> dict:
        """The normalised spec as plain data (what a generated module calls ``SPEC``)."""
        layers = [
            {"units": layer.units, "activation": layer.activation.text}
            | ({"dropout": layer.dropout} if layer.dropout else {})  # only where a layer has it
            for layer in self.layers
        ]
        output = self.output
        return {
            "name": self.name,
            "inputs": self.inputs,
            "dtype": self.dtype,
            "layers": layers,
            "output": {
                "units": output.units,
                "activation": output.activation.text,
                "loss": output.loss.text,
            },
            "train": self.train.to_dict(),
        }


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
        activation=activation_choice(item["activation"], key),
        dropout=float(rate),
    )


def _output(item) -> OutputSpec:
    _check_keys(item, "output", required=("units", "activation", "loss"))
    units = _positive_int(item["units"], "output.units")
    activation = activation_choice(item["activation"], "output.activation", OUTPUT_ONLY)
    if activation.text == "softmax" and units < 2:
        raise SpecError(f"output.units: softmax needs at least 2 units, got {units}")
    return OutputSpec(units, activation, loss_choice(item["loss"], activation.text))


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
