"""The optimizer's share of a training epoch: the generated ``_update`` against the whole epoch.

For each optimizer of ``bench_train.py``'s race (sgd, momentum, adam; with and without weight
decay) at one of its sizes (digits by default: 1797 × 64-32-10, batch 128, synthetic data), it
times, interleaved (epoch, updates, epoch, updates, ...):

- ``epoch``: one ``module.train(..., epochs=1, state=state)``, forward, backward and update;
- ``update``: ``module._update`` called as many times as the epoch takes steps (⌈1797 / 128⌉ =
  15), on flat vectors of the module's parameter count and the optimizer's state from training:
  the same function, with the same arguments, that train calls after each step.

The share is the median over reps of update / epoch (each pair timed back to back, so a busy
moment on the machine hits both); the target (issue 13) is under 15 % at the digits
size. ``_update`` does one ufunc with ``out=`` per statement (tests/test_optimizers.py checks it
allocates nothing), so its cost is a fixed number of passes over one vector per step.

Usage::

    python bench/bench_update.py                      # digits, float32 and float64
    python bench/bench_update.py --size mnist --reps 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import bench_train  # noqa: E402 - the race's sizes, specs and data

from codegen.generate import load_module  # noqa: E402
from codegen.spec import spec_from_dict  # noqa: E402
from codegen.training import make_training  # noqa: E402

DEFAULT_JSON = REPO / "bench" / "results" / "update.json"
TARGET = 0.15  # the update's share of a digits-size epoch, at most
WEIGHT_DECAYS = (0.0, 1e-4)


def update_arguments(spec: dict) -> tuple:
    """The hyperparameters _update takes after weight_decay, from the spec's [train] table."""
    train = spec["train"]
    values = []
    for name in make_training(spec_from_dict(spec)).update_arguments:
        if name in ("beta1", "beta2"):
            values.append(train["betas"][name == "beta2"])
        else:
            values.append(train[name])
    return tuple(values)


def measure(size: str, dtype: str, optimizer: str, weight_decay: float, reps: int) -> dict:
    """Median seconds of an epoch and of its steps' updates, and the share."""
    samples, sizes = bench_train.SIZES[size]
    spec = bench_train.network_spec(size, sizes, dtype, optimizer)
    module = load_module(spec)
    X, _, Y = bench_train.synthetic(samples, sizes, dtype)
    params = module.init_params(0)
    state = {}
    train = {"epochs": 1, "batch_size": bench_train.BATCH, "weight_decay": weight_decay}
    module.train(params, X, Y, state=state, **train)  # warm-up, and the optimizer's state
    theta = np.concatenate([value.ravel() for value in params.values()]).astype(dtype)
    grad = np.random.default_rng(1).normal(scale=1e-3, size=theta.size).astype(dtype)
    s = np.empty_like(theta)
    vectors = {k: v.copy() for k, v in state.items() if isinstance(v, np.ndarray)}
    steps = -(-samples // bench_train.BATCH)
    rate = spec["train"]["learning_rate"]
    extra = update_arguments(spec)

    def updates():
        for t in range(1, steps + 1):
            module._update(theta, grad, s, vectors, rate, t, weight_decay, *extra)

    times = {"epoch": [], "update": []}
    for rep in range(reps + 1):  # rep 0 is the warm-up
        for who, run in (("epoch", lambda: module.train(params, X, Y, state=state, **train)),
                         ("update", updates)):  # fmt: skip
            start = time.perf_counter()
            run()
            if rep:
                times[who].append(time.perf_counter() - start)
    epoch, update = (statistics.median(times[who]) for who in ("epoch", "update"))
    # each rep's update over the epoch just before it: both met the same load on the machine
    shares = [u / e for u, e in zip(times["update"], times["epoch"], strict=True)]
    return {
        "size": size,
        "dtype": dtype,
        "optimizer": optimizer,
        "weight_decay": weight_decay,
        "parameters": int(theta.size),
        "steps_per_epoch": steps,
        "epoch_seconds": epoch,
        "update_seconds": update,
        "update_microseconds_per_step": 1e6 * update / steps,
        "share": statistics.median(shares),
        "runs": times,
    }


def table(rows: list[dict]) -> str:
    head = f"{'size':<8}{'dtype':<9}{'optimizer':<10}{'λ':>8}{'epoch ms':>10}"
    head += f"{'update µs/step':>16}{'update share':>14}"
    lines = [
        "medians; update = _update × the epoch's steps, timed alone; share: median of the"
        " reps' update / epoch",
        head,
        "-" * len(head),
    ]
    for r in rows:
        lines.append(
            f"{r['size']:<8}{r['dtype']:<9}{r['optimizer']:<10}{r['weight_decay']:>8g}"
            f"{1e3 * r['epoch_seconds']:>10.3f}{r['update_microseconds_per_step']:>16.1f}"
            f"{100 * r['share']:>13.1f}%"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="digits", choices=tuple(bench_train.SIZES))
    parser.add_argument("--dtypes", default="float32,float64", help="comma-separated dtypes")
    parser.add_argument("--reps", type=int, default=21, help="timed epochs (and updates)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    unknown = [d for d in dtypes if d not in bench_train.TOLERANCE]
    if unknown:
        parser.error(f"unknown dtype: {', '.join(unknown)}")
    rows = [
        measure(args.size, dtype, optimizer, weight_decay, args.reps)
        for dtype in dtypes
        for optimizer in bench_train.OPTIMIZERS
        for weight_decay in WEIGHT_DECAYS
    ]
    print(table(rows))
    if args.size == "digits":
        worst = max(rows, key=lambda r: r["share"])
        verdict = "PASS" if worst["share"] < TARGET else "FAIL"
        print(
            f"{verdict} update < {100 * TARGET:g}% of a digits epoch (largest share "
            f"{100 * worst['share']:.1f}%: {worst['optimizer']} {worst['dtype']} "
            f"λ {worst['weight_decay']:g})"
        )
    info = bench_train.bench_derive.machine()
    print(
        f"machine: {info.get('cpus')} CPUs, load average at start {info.get('load_average_at_start')}"
    )
    payload = {
        "machine": info,
        "command": "python bench/bench_update.py " + " ".join(argv or sys.argv[1:]),
        "rows": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
