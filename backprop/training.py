"""Training a generated module on a dataset: split, standardise, encode, train, measure.

>>> from backprop.datasets import load_dataset
>>> result = train_on(module, load_dataset("digits"), epochs=30, batch_size=32,
...                   learning_rate=0.1, seed=0)  # doctest: +SKIP
>>> result.metric_name, result.test_metric  # doctest: +SKIP
('accuracy', 0.966...)

The module is anything with the generated-module API (``LAYER_SIZES``, ``TASK``, ``DTYPE``,
``init_params``, ``loss``, ``predict``, ``train``). Features are standardised with the training
set's statistics only; a regression target is standardised too and R² is reported on the
original scale.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from backprop.datasets import Dataset
from check.report_display import Displayed
from derive.errors import BackpropError

CLASSIFIERS = ("classification", "binary")


@dataclass
class Standardiser:
    """x ↦ (x − mean) / scale, statistics from the training rows; a constant column keeps scale 1."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> Standardiser:
        scale = values.std(axis=0)
        return cls(values.mean(axis=0), np.where(scale > 0, scale, 1.0))

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean) / self.scale

    def invert(self, values: np.ndarray) -> np.ndarray:
        return values * self.scale + self.mean


@dataclass(repr=False)
class Result(Displayed):
    """What one training run measured. Losses are the module's mean loss (on the standardised
    target for regression); accuracies are fractions in [0, 1]; R² is on the original scale.
    ``curves`` holds one value per epoch: train_loss (as module.train reports it, the mean of
    the epoch's batch losses), test_loss, and test_accuracy or test_r2."""

    task: str
    epochs: int
    seconds: float
    n_train: int
    n_test: int
    train_loss: float
    test_loss: float
    train_metric: float
    test_metric: float
    params: dict[str, np.ndarray]
    scaling: dict[str, np.ndarray]
    curves: dict[str, list[float]] = field(default_factory=dict)
    stopped: dict[str, int] = field(default_factory=dict)  # best_epoch, stopped_epoch (early stop)

    @property
    def metric_name(self) -> str:
        return metric_name(self.task)

    def __repr__(self) -> str:
        """One line of figures and the parameters' shapes, never the arrays themselves."""
        from backprop.training_display import parameter_shapes

        name = self.metric_name
        stopped = f", stopped={self.stopped}" if self.stopped else ""
        return (
            f"Result(task={self.task!r}, epochs={self.epochs}, train_loss={self.train_loss:.4g}, "
            f"test_loss={self.test_loss:.4g}, train_{name}={self.train_metric:.4g}, "
            f"test_{name}={self.test_metric:.4g}{stopped}, "
            f"params=<{parameter_shapes(self.params)}>)"
        )

    def display_blocks(self) -> list:
        """What Jupyter shows: the final figures, the shapes and the loss curves (inline SVG)."""
        from backprop.training_display import result_blocks

        return result_blocks(self)

    def metrics(self) -> dict[str, float | int]:
        """The figures ``--json`` prints: losses, accuracy or R², epochs, seconds."""
        name = self.metric_name
        return {
            "train_loss": self.train_loss,
            "test_loss": self.test_loss,
            f"train_{name}": self.train_metric,
            f"test_{name}": self.test_metric,
            "epochs": self.epochs,
            "seconds": round(self.seconds, 3),
            "n_train": self.n_train,
            "n_test": self.n_test,
        }


def split(labels: np.ndarray | None, m: int, test_fraction: float, seed: int):
    """Reproducible train/test row indices (sorted), stratified by class when labels are given.

    labels: (m,) class indices, or None for a plain random split. Each class keeps at least one
    training row.
    """
    if not 0 < test_fraction < 1:
        raise BackpropError(f"the test fraction must be between 0 and 1, not {test_fraction}")
    rng = np.random.default_rng(seed)
    groups = (
        [np.arange(m)]
        if labels is None
        else [np.flatnonzero(labels == c) for c in np.unique(labels)]
    )
    test = []
    for rows in groups:
        rows = rng.permutation(rows)
        test.extend(rows[: min(round(test_fraction * len(rows)), len(rows) - 1)])
    test = np.sort(np.array(test, dtype=int))
    return np.setdiff1d(np.arange(m), test), test


def train_on(
    module,
    dataset: Dataset,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int = 0,
    test_fraction: float = 0.2,
    progress: bool = True,
    **options,
) -> Result:
    """Train a fresh ``module.init_params(seed)`` on the dataset; see the module docstring.

    options are the module's other ``train`` keywords (momentum, weight_decay, early_stopping,
    …); ``optimizer`` and ``schedule``, when given, must be the ones the module was generated
    with. With early stopping, ``curves["validation_loss"]`` and ``stopped`` are filled in.
    """
    _check_settings(epochs, batch_size, learning_rate)
    options = _train_options(module, options)
    data = _prepare(module, dataset, test_fraction, seed)
    X, Y, train, test = data.X, data.Y, data.train_rows, data.test_rows
    params = module.init_params(seed)
    name = metric_name(module.TASK)
    curves = {"train_loss": [], "test_loss": [], f"test_{name}": []}
    bar = _progress_bar(epochs, progress)

    def measure(rows):
        loss = float(module.loss(params, X[rows], Y[rows]))
        return loss, _metric(module, params, X[rows], Y[rows], data.y_scaler)

    initial_loss = measure(train)[0]

    def record(epoch: int, loss: float) -> None:
        if loss > DIVERGED * initial_loss + 1:  # finite but exploding: no success to report
            diverged = (
                f"training diverged at epoch {epoch} (loss = {loss:.4g}, from "
                f"{initial_loss:.4g} before training); try a smaller learning rate, e.g."
            )
            raise BackpropError(
                f"{diverged} learning_rate=0.01", cli_message=f"{diverged} --lr 0.01"
            )
        test_loss, test_metric = measure(test)
        curves["train_loss"].append(float(loss))
        curves["test_loss"].append(test_loss)
        curves[f"test_{name}"].append(test_metric)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4g}")

    start = time.perf_counter()
    try:
        # a diverging run overflows on its way to NaN: module.train reports it, once
        with np.errstate(all="ignore"):
            history = module.train(
                params,
                X[train],
                Y[train],
                epochs=epochs,
                batch_size=batch_size,
                learning_rate=learning_rate,
                seed=seed,
                callback=record,
                **options,
            )
    except FloatingPointError as exc:
        found = re.search(r"epoch (\d+): loss is (\S+)", str(exc))
        epoch, loss = found.groups() if found else (len(curves["train_loss"]) + 1, "nan")
        diverged = (
            f"training diverged at epoch {epoch} (loss = {loss}); try a smaller learning rate, e.g."
        )
        raise BackpropError(
            f"{diverged} learning_rate=0.01", cli_message=f"{diverged} --lr 0.01"
        ) from None
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    stopped = {}
    if "validation_loss" in history:
        curves["validation_loss"] = list(history["validation_loss"])
        stopped = {key: history[key] for key in ("best_epoch", "stopped_epoch")}
    train_loss, train_metric = measure(train)
    test_loss, test_metric = measure(test)
    return Result(
        task=module.TASK,
        epochs=len(curves["train_loss"]),
        seconds=seconds,
        n_train=len(train),
        n_test=len(test),
        train_loss=train_loss,
        test_loss=test_loss,
        train_metric=train_metric,
        test_metric=test_metric,
        params=params,
        scaling=data.scaling,
        curves=curves,
        stopped=stopped,
    )


def _train_options(module, options: dict) -> dict:
    """options without the module's own optimizer and schedule (checked to match)."""
    options = dict(options)
    for key in ("optimizer", "schedule"):
        wanted = options.pop(key, None)
        built = module.SPEC["train"].get(key, "sgd" if key == "optimizer" else "constant")
        if wanted is not None and wanted != built:
            raise BackpropError(f"the module was generated for {key} {built!r}, not {wanted!r}")
    return options


@dataclass
class _Prepared:
    """Standardised features X (m, n_0) and encoded targets Y in the module's dtype, the split."""

    X: np.ndarray
    Y: np.ndarray
    train_rows: np.ndarray
    test_rows: np.ndarray
    y_scaler: Standardiser | None
    scaling: dict[str, np.ndarray]


def _prepare(module, dataset: Dataset, test_fraction: float, seed: int) -> _Prepared:
    """Check the data fits the spec, split it, standardise with the training rows only."""
    targets, labels = _targets(module, dataset)
    if dataset.holdout:
        train, test = split(labels, len(targets), test_fraction, seed)
    else:  # a truth table: its rows are the whole problem, so they are the test set too
        train = test = np.arange(len(targets))
    if len(test) == 0:
        raise BackpropError(f"dataset {dataset.name} is too small to hold out a test set")
    x_scaler = Standardiser.fit(dataset.X[train])
    scaling = {"x_mean": x_scaler.mean, "x_scale": x_scaler.scale}
    y_scaler = None
    if module.TASK not in CLASSIFIERS:
        y_scaler = Standardiser.fit(targets[train])
        targets = y_scaler(targets)
        scaling |= {"y_mean": y_scaler.mean, "y_scale": y_scaler.scale}
    X, Y = x_scaler(dataset.X).astype(module.DTYPE), targets.astype(module.DTYPE)
    return _Prepared(X, Y, train, test, y_scaler, scaling)


DIVERGED = 10.0  # a loss this many times the untrained one (plus 1) means divergence


def _check_settings(epochs: int, batch_size: int, learning_rate: float) -> None:
    for name, value in (("epochs", epochs), ("batch size", batch_size)):
        if int(value) != value or value < 1:
            raise BackpropError(f"{name} must be a positive whole number, not {value}")
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise BackpropError(f"the learning rate must be a positive number, not {learning_rate}")


def _targets(module, dataset: Dataset) -> tuple[np.ndarray, np.ndarray | None]:
    """Targets encoded for the module's task, and (m,) class indices to stratify by (or None).

    classification (softmax): one-hot (m, K).  binary (sigmoid): (m, 1) of 0/1.
    regression: (m, n_out) values.
    """
    sizes, task, spec = module.LAYER_SIZES, module.TASK, module.SPEC["name"]
    inputs, outputs = sizes[0], sizes[-1]
    if dataset.X.shape[1] != inputs:
        raise BackpropError(
            f"spec {spec} takes {inputs} inputs, but dataset {dataset.name} has "
            f"{dataset.X.shape[1]} features"
        )
    y = dataset.y
    if task not in CLASSIFIERS:
        values = y.reshape(len(y), -1)
        if values.shape[1] != outputs:
            raise BackpropError(
                f"spec {spec} has {outputs} outputs, but dataset {dataset.name} has "
                f"{values.shape[1]} target column(s)"
            )
        return values.astype(float), None
    if dataset.task != "classification" or y.ndim != 1:
        raise BackpropError(
            f"dataset {dataset.name} has continuous targets, but spec {spec} is a classifier "
            f"({module.OUTPUT} output); use an identity output with mse loss"
        )
    classes, labels = np.unique(y, return_inverse=True)
    wanted = 2 if task == "binary" else outputs
    if task == "binary" and outputs != 1:
        raise BackpropError(
            f"spec {spec}: a binary classifier needs 1 sigmoid output, not {outputs}"
        )
    if len(classes) != wanted:
        raise BackpropError(
            f"spec {spec} "
            + ("is a binary classifier" if task == "binary" else f"has {outputs} output units")
            + f", but dataset {dataset.name} has {len(classes)} classes"
        )
    if task == "binary":
        return labels.reshape(-1, 1).astype(float), labels
    return np.eye(outputs)[labels], labels


def metric_name(task: str) -> str:
    """The metric reported for a module's TASK: accuracy for a classifier, r2 (R²) otherwise."""
    return "accuracy" if task in CLASSIFIERS else "r2"


def _metric(module, params, X, Y, y_scaler: Standardiser | None) -> float:
    """Accuracy for a classifier; R² (on the original scale) for regression."""
    predicted = np.asarray(module.predict(params, X))
    if y_scaler is None:
        truth = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]
        return float(np.mean(predicted.reshape(len(truth)) == truth))
    return r2_score(y_scaler.invert(Y), y_scaler.invert(predicted.reshape(Y.shape)))


def r2_score(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination of (m, k) arrays, averaged over the k outputs."""
    residual = ((truth - predicted) ** 2).sum(axis=0)
    total = ((truth - truth.mean(axis=0)) ** 2).sum(axis=0)
    return float(np.mean(1 - residual / np.where(total > 0, total, 1.0)))


def _progress_bar(epochs: int, progress: bool):
    """A tqdm bar on stderr, or None when disabled, not on a terminal, or tqdm is missing."""
    if not progress or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=epochs, unit="epoch", leave=False, file=sys.stderr)
