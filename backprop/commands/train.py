"""``backprop train``: generate (or reuse) a spec's module, train it on a dataset, report."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np

from backprop import rules_option
from backprop.commands.train_options import (
    add_optimizer_flags,
    format_early_stopping,
    spec_overrides,
)
from backprop.datasets import BUILT_INS, load_dataset
from backprop.output import write_bytes
from backprop.plotting import plot_curves
from backprop.training import Result, train_on
from derive.errors import BackpropError

SETTINGS = ("epochs", "batch_size", "learning_rate", "seed")


def register(sub) -> None:
    p = sub.add_parser(
        "train",
        parents=[rules_option.parent()],
        help="train a spec's generated NumPy module on a dataset",
        description="Generate (or reuse) the training module of a network spec, train it with "
        "mini-batch SGD on a reproducible train/test split, and report loss and accuracy "
        "(R² for regression).",
    )
    p.add_argument("spec", metavar="SPEC.toml", help="a network spec, e.g. examples/digits.toml")
    p.add_argument(
        "--dataset",
        required=True,
        metavar="NAME|FILE",
        help=f"{', '.join(BUILT_INS)}, or a .csv / .npz file",
    )
    p.add_argument("--label", metavar="COL", help="the CSV column or NPZ array holding the labels")
    p.add_argument("--epochs", type=int, metavar="N", help="default: the spec's [train] epochs")
    p.add_argument("--batch-size", type=int, metavar="B", help="default: the spec's batch_size")
    p.add_argument(
        "--lr",
        dest="learning_rate",
        type=float,
        metavar="LR",
        help="default: the spec's learning_rate",
    )
    p.add_argument("--seed", type=_seed, metavar="S", help="default: the spec's seed")
    add_optimizer_flags(p)
    p.add_argument("--plot", metavar="PNG", help="write the loss and accuracy curves to PNG")
    p.add_argument("--save", metavar="NPZ", help="write the trained parameters to NPZ")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the results as one line of JSON (the report goes to standard error)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, results only")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    for path in (args.plot, args.save):  # fail before training, not after it
        if path and not Path(path).parent.is_dir():
            raise BackpropError(
                f"cannot write {path}: directory {Path(path).parent} does not exist"
            )
    module = load_module(args.spec, spec_overrides(args))
    settings = train_settings(module, args)
    dataset = load_dataset(args.dataset, args.label)
    human = sys.stderr if args.json else sys.stdout  # --json: stdout holds only the JSON
    if not args.quiet:
        print(describe(module, dataset.name), file=human)
    result = train_on(module, dataset, **settings, progress=not args.quiet)
    if not (args.quiet and args.json):
        print(format_result(result, settings), file=human)
        if result.stopped:
            print(format_early_stopping(result, module.SPEC["train"]), file=human)
    written = write_outputs(result, args.plot, args.save, title=plot_title(module, dataset.name))
    if not args.quiet:
        for what, path in written:
            print(f"{what}: {path}", file=human)
    if args.json:
        print(json.dumps(result.metrics()))
    return 0


def load_module(spec_path: str, train_overrides: dict | None = None):
    """The spec's generated training module, its [train] table updated by train_overrides
    (the committed generated/<name>.py when it was generated from this very spec)."""
    from backprop.api import load_module as loaded

    return loaded(spec_path, **(train_overrides or {}))


def _seed(text: str) -> int:
    """A seed for NumPy's generators: a whole number from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 2**32 - 1")
    return value


def train_settings(module, args: argparse.Namespace | None = None) -> dict:
    """epochs, batch_size, learning_rate, seed: the spec's [train] table, overridden by flags;
    and the module's optimizer and weight decay (for the report)."""
    from backprop.api import train_settings as of_module

    flags = {key: getattr(args, key, None) for key in SETTINGS}
    return of_module(module) | {key: value for key, value in flags.items() if value is not None}


def describe(module, dataset: str) -> str:
    """One line: which network trains on which data."""
    sizes = "-".join(str(n) for n in module.LAYER_SIZES)
    hidden = ", ".join(layer["activation"] for layer in module.SPEC["layers"])
    return (
        f"training {module.SPEC['name']} ({sizes}; {hidden} hidden, {module.OUTPUT} output, "
        f"{module.LOSS} loss) on {dataset}"
    )


def plot_title(module, dataset: str) -> str:
    sizes = "-".join(str(n) for n in module.LAYER_SIZES)
    return f"{module.SPEC['name']} ({sizes}) on {dataset}"


def format_result(result: Result, settings: dict) -> str:
    """The final figures as a small table, then how long it took with which settings."""
    accuracy = result.metric_name == "accuracy"
    header = f"{'':<14}{'loss':>10}{'accuracy' if accuracy else 'R²':>10}"
    rows = [header]
    for name, n, loss, metric in (
        ("train", result.n_train, result.train_loss, result.train_metric),
        ("test", result.n_test, result.test_loss, result.test_metric),
    ):
        shown = f"{100 * metric:.2f}%" if accuracy else f"{metric:.4f}"
        rows.append(f"{f'{name} ({n})':<14}{loss:>10.4f}{shown:>10}")
    optimizer = settings.get("optimizer", "sgd")
    rows.append(
        f"{result.epochs} epochs in {result.seconds:.1f} s ("
        + ("" if optimizer == "sgd" else f"{optimizer}, ")
        + f"batch size {settings['batch_size']}, learning rate {settings['learning_rate']:g}"
        + (f", weight decay {settings['weight_decay']:g}" if settings.get("weight_decay") else "")
        + f", seed {settings['seed']})"
    )
    return "\n".join(rows)


def write_outputs(result: Result, plot: str | None, save: str | None, title: str = ""):
    """Write the curve PNG and the parameter NPZ that were asked for; return (what, path) pairs."""
    written = []
    if plot:
        plot_curves(result, plot, title)
        written.append(("curves", plot))
    if save:
        written.append(("parameters", save_params(result, save)))
    return written


def save_params(result: Result, path: str) -> str:
    """np.savez of the parameters plus the feature (and target) standardisation, atomically.

    Arrays: W1, b1, …, WL, bL, x_mean, x_scale (and y_mean, y_scale for regression); use them as
    ``predict(params, (X - x_mean) / x_scale)``. Like np.savez, adds .npz to a bare name.
    """
    if not path.endswith(".npz"):
        path += ".npz"
    buffer = io.BytesIO()  # savez to memory, then one atomic write: no half-written file
    np.savez(buffer, **result.params, **result.scaling)
    write_bytes(path, buffer.getvalue())
    return path
