"""The ``[train]`` table of a spec: epochs, batch size, optimizer, schedule, early stopping.

>>> spec = train_spec({"optimizer": "adam", "learning_rate": 0.001, "weight_decay": 1e-4})
>>> spec.optimizer, spec.betas, spec.to_dict()["weight_decay"]
('adam', (0.9, 0.999), 0.0001)

Every problem is a one-line :class:`SpecError` naming the key, e.g.
``train.optimizer: unknown optimizer 'adan' (did you mean 'adam'?)``. Only the keys that matter
for the chosen optimizer, schedule and early stopping appear in :meth:`TrainSpec.to_dict`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields

from codegen.optimizers import EARLY_STOPPING, OPTIMIZERS, SCHEDULES
from derive.errors import SpecError

BASICS = ("epochs", "batch_size", "learning_rate", "seed")


@dataclass(frozen=True)
class TrainSpec:
    """Training settings; the generated ``train`` takes each as a keyword (these are defaults)."""

    epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 0.1
    seed: int = 0
    optimizer: str = "sgd"
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    alpha: float = 0.99
    weight_decay: float = 0.0
    schedule: str = "constant"
    step_size: int = 10
    gamma: float = 0.1
    power_t: float = 0.5
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    tol: float = 1e-4

    @property
    def relevant(self) -> tuple[str, ...]:
        """The keys that matter: the basics, the optimizer's, the schedule's, early stopping's."""
        keys = [*BASICS, "optimizer", *OPTIMIZERS[self.optimizer].hyperparameters]
        keys += ["weight_decay", "schedule", *SCHEDULES[self.schedule].parameters]
        keys += ["early_stopping", *(EARLY_STOPPING if self.early_stopping else ())]
        return tuple(keys)

    def to_dict(self) -> dict:
        return {key: _plain(getattr(self, key)) for key in self.relevant}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


_KEYS = tuple(f.name for f in fields(TrainSpec))


def train_spec(table) -> TrainSpec:
    """Validate a ``[train]`` table (a dict) into a :class:`TrainSpec`."""
    if not isinstance(table, dict):
        raise SpecError("train: must be a table")
    for key in table:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            raise SpecError(f"train.{key}: unknown key" + _hint(close))
    d = TrainSpec()
    get = table.get
    values = {
        "epochs": _integer(get("epochs", d.epochs), "epochs", 1),
        "batch_size": _integer(get("batch_size", d.batch_size), "batch_size", 1),
        "learning_rate": _number(get("learning_rate", d.learning_rate), "learning_rate", 0, None),
        "seed": _integer(get("seed", d.seed), "seed", 0),
        "optimizer": _choice(get("optimizer", d.optimizer), "optimizer", OPTIMIZERS),
        "momentum": _number(get("momentum", d.momentum), "momentum", 0, 1, closed=True),
        "betas": _betas(get("betas", list(d.betas))),
        "eps": _number(get("eps", d.eps), "eps", 0, None),
        "alpha": _number(get("alpha", d.alpha), "alpha", 0, 1),
        "weight_decay": _number(get("weight_decay", d.weight_decay), "weight_decay", 0, None, True),
        "schedule": _choice(get("schedule", d.schedule), "schedule", SCHEDULES),
        "step_size": _integer(get("step_size", d.step_size), "step_size", 1),
        "gamma": _number(get("gamma", d.gamma), "gamma", 0, None),
        "power_t": _number(get("power_t", d.power_t), "power_t", 0, None, True),
        "early_stopping": _boolean(get("early_stopping", d.early_stopping), "early_stopping"),
        "validation_fraction": _number(
            get("validation_fraction", d.validation_fraction), "validation_fraction", 0, 1
        ),
        "n_iter_no_change": _integer(
            get("n_iter_no_change", d.n_iter_no_change), "n_iter_no_change", 1
        ),
        "tol": _number(get("tol", d.tol), "tol", 0, None, True),
    }
    return TrainSpec(**values)


def _hint(close) -> str:
    return f" (did you mean '{close[0]}'?)" if close else ""


def _integer(value, key: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        kind = "a positive" if least == 1 else "a non-negative"
        raise SpecError(f"train.{key}: must be {kind} integer, got {value!r}")
    return value


def _number(value, key, low, high, closed=False) -> float:
    """A finite number with low < value < high (low ≤ value ≤ high when closed); None: no bound."""
    ok = not isinstance(value, bool) and isinstance(value, int | float) and value == value
    if ok:
        above = value >= low if closed else value > low
        below = (
            high is None
            and value < float("inf")
            or high is not None
            and (value <= high if closed else value < high)
        )
        ok = above and below
    if not ok:
        if high is None:
            want = "a non-negative number" if closed else "a positive number"
        else:
            brackets = ("[", "]") if closed else ("(", ")")
            want = f"a number in {brackets[0]}{low}, {high}{brackets[1]}"
        raise SpecError(f"train.{key}: must be {want}, got {value!r}")
    return float(value)


def _choice(value, key: str, choices: dict) -> str:
    if isinstance(value, str) and value in choices:
        return value
    close = difflib.get_close_matches(value, list(choices), n=1) if isinstance(value, str) else []
    names = ", ".join(choices)
    raise SpecError(f"train.{key}: unknown {key} {value!r}{_hint(close)}; one of {names}")


def _betas(value) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise SpecError(f"train.betas: must be two numbers [beta1, beta2], got {value!r}")
    return (_number(value[0], "betas[0]", 0, 1), _number(value[1], "betas[1]", 0, 1))


def _boolean(value, key: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"train.{key}: must be true or false, got {value!r}")
    return value


__all__ = ["TrainSpec", "train_spec"]
