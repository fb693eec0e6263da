"""Loss and accuracy (or R²) curves of a training run, as a PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io
import os

from backprop.datasets import INSTALL_HINT
from backprop.output import write_bytes
from backprop.training import Result
from derive.errors import BackpropError

METRIC_LABELS = {"accuracy": "test accuracy", "r2": "test R²"}


def plot_curves(result: Result, path: str | os.PathLike, title: str = "") -> None:
    """Write a two-panel PNG: train and test loss per epoch; test accuracy or R² per epoch."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise BackpropError(
            f"plotting needs matplotlib: {INSTALL_HINT}",
            cli_message=f"--plot needs matplotlib: {INSTALL_HINT}",
        ) from None
    # a bare Figure on the Agg canvas: no pyplot state, no display
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    FigureCanvasAgg(figure)
    loss_axes, metric_axes = figure.subplots(1, 2)
    epochs = range(1, result.epochs + 1)
    loss_axes.plot(epochs, result.curves["train_loss"], label="train")
    loss_axes.plot(epochs, result.curves["test_loss"], label="test")
    if "validation_loss" in result.curves:  # early stopping: the curve it stopped on
        loss_axes.plot(epochs, result.curves["validation_loss"], label="validation")
        loss_axes.axvline(result.stopped["best_epoch"], color="0.6", ls=":", label="best epoch")
    loss_axes.set(xlabel="epoch", ylabel="mean loss", title="loss")
    losses = result.curves["train_loss"] + result.curves["test_loss"]
    if min(losses) > 0 and max(losses) > 20 * min(losses):  # log scale only for a wide range
        loss_axes.set_yscale("log")
    loss_axes.legend()
    name = result.metric_name
    metric_axes.plot(epochs, result.curves[f"test_{name}"], color="C2")
    metric_axes.set(xlabel="epoch", ylabel=METRIC_LABELS[name], title=METRIC_LABELS[name])
    metric_axes.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    write_bytes(path, buffer.getvalue())
