"""``backprop train``'s optimizer flags: --optimizer, --weight-decay, --schedule, --early-stopping, ….

Each flag overrides one key of the spec's ``[train]`` table; the module is then generated for
the updated spec (the optimizer and schedule are written into its ``train``), and every value
is validated as the spec's is (one-line errors naming the key).
"""

from __future__ import annotations

import argparse

from backprop.api import with_train
from codegen.optimizers import OPTIMIZERS, SCHEDULES

# flag → (spec key, type, help); --betas takes two numbers
FLAGS = {
    "--optimizer": ("optimizer", str, f"one of {', '.join(OPTIMIZERS)} (default: the spec's)"),
    "--momentum": ("momentum", float, "momentum μ (momentum, nesterov; default 0.9)"),
    "--eps": ("eps", float, "ε of adam, adamw, rmsprop (default 1e-8)"),
    "--alpha": ("alpha", float, "rmsprop's smoothing α (default 0.99)"),
    "--weight-decay": (
        "weight_decay",
        float,
        "λ: (λ/2)·Σ‖W‖² added to the loss (adamw: decoupled)",
    ),
    "--schedule": ("schedule", str, f"learning-rate schedule: {', '.join(SCHEDULES)}"),
    "--step-size": ("step_size", int, "step schedule: epochs between decays (default 10)"),
    "--gamma": ("gamma", float, "step schedule: the decay factor (default 0.1)"),
    "--power-t": ("power_t", float, "invscaling schedule: the exponent (default 0.5)"),
    "--validation-fraction": ("validation_fraction", float, "early stopping: held out (0.1)"),
    "--n-iter-no-change": ("n_iter_no_change", int, "early stopping: patience in epochs (10)"),
    "--tol": ("tol", float, "early stopping: the least improvement that counts (1e-4)"),
}


def add_optimizer_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("optimizer (each overrides the spec's [train] key)")
    for flag, (key, kind, text) in FLAGS.items():
        group.add_argument(flag, dest=key, type=kind, metavar=key.upper(), help=text)
    group.add_argument("--betas", type=float, nargs=2, metavar=("B1", "B2"), help="adam's β")
    group.add_argument(
        "--early-stopping",
        action="store_true",
        default=None,
        help="hold out a validation split, stop when its loss stalls, keep the best parameters",
    )


def spec_overrides(args: argparse.Namespace) -> dict:
    """The [train] keys the flags set."""
    keys = [key for key, _, _ in FLAGS.values()] + ["betas", "early_stopping"]
    found = {key: getattr(args, key, None) for key in keys}
    return {key: list(v) if key == "betas" else v for key, v in found.items() if v is not None}


def format_early_stopping(result, table: dict) -> str:
    """The validation curve (ten epochs a row), where training stopped, which epoch it kept.

    table is the module's SPEC["train"] (for the tolerance and the patience)."""
    curve = result.curves["validation_loss"]
    rows = [
        f"  {start + 1:>4}–{min(start + 10, len(curve)):<4} "
        + " ".join(f"{value:.4f}" for value in curve[start : start + 10])
        for start in range(0, len(curve), 10)
    ]
    best, stopped = result.stopped["best_epoch"], result.stopped["stopped_epoch"]
    tol = table.get("tol", 1e-4)
    patience = table.get("n_iter_no_change", 10)
    if len(curve) < result.epochs or stopped == best or len(curve) - best <= patience:
        why = "the last epoch"
    else:
        why = f"no improvement by {tol:g} for more than {patience} epochs"
    return "\n".join(
        [
            "validation loss by epoch:",
            *rows,
            f"stopped at epoch {stopped} ({why}); restored the parameters of epoch {best} "
            f"(validation loss {curve[best - 1]:.4f})",
        ]
    )


__all__ = ["add_optimizer_flags", "format_early_stopping", "spec_overrides", "with_train"]
