"""One epoch of mini-batch training: the generated module against PyTorch, scikit-learn and the
matmul limit, interleaved, for plain SGD, momentum and Adam; then how derivation and generation
scale.

The race (issues 5 and 13): batch 128, reshuffle every epoch, tanh hidden layers, softmax +
cross-entropy, synthetic data (fixed seed), after one warm-up epoch of each contender; each
optimizer (``--optimizers``) races on its own: ``sgd`` (learning rate 0.1, no momentum),
``momentum`` (0.01, μ = 0.9, PyTorch's v ← μv + g) and ``adam`` (0.001, betas 0.9 and 0.999,
eps 1e-8). Contenders run in turn, A B C D A B C D ..., so noise on the machine hits all
alike, with a short pause between them so one library's spinning thread pool is idle before
the next starts. Each time is one whole epoch; the table shows the median and the minimum.

- ``generated``: ``module.train(..., epochs=1, state=state)`` of the module generated for the
  network with ``[train] optimizer`` set (the state carried from epoch to epoch).
- ``torch``: ``nn.Sequential`` of ``nn.Linear`` and ``nn.Tanh``, ``nn.CrossEntropyLoss``,
  ``torch.optim.SGD(lr=0.1)`` / ``SGD(lr=0.01, momentum=0.9)`` / ``Adam(lr=0.001)`` (their
  default implementation: foreach), a ``randperm`` per epoch; all threads (``--threads``).
- ``sklearn``: ``MLPClassifier(solver="sgd", momentum=0 or 0.9, nesterovs_momentum=False)`` or
  ``MLPClassifier(solver="adam")``, ``batch_size=128, alpha=0, shuffle=True``, the same
  learning rate, one ``partial_fit`` per epoch.
- ``limit`` (sgd only: the same GEMMs whatever the optimizer): the epoch's matmul FLOPs,
  6 × weights × samples (forward, dW and dH of every layer), divided by NumPy's GEMM throughput
  measured in the same run at the same shapes and dtype (the GEMMs of one epoch on
  preallocated arrays, nothing else).

All four start from the same weights. Before timing, the gradients are checked equal on one
batch: the module's ``gradients`` against torch.autograd, and against scikit-learn's weight
update after one ``partial_fit`` step on that batch alone ((W_before − W_after) / lr: public
API only, no ``_backprop``); for momentum and Adam also the parameters after three steps
(batches in row order, float64) against torch.optim's.

Usage::

    python bench/bench_train.py                       # everything (a few minutes)
    python bench/bench_train.py --sizes digits --reps 5 --no-scaling   # quick
    python bench/bench_train.py --optimizers adam --sizes mnist --dtypes float32 --no-scaling
    python bench/bench_train.py --threads 1   # one thread each: steadier on a loaded machine

``--threads N`` limits NumPy's and scikit-learn's BLAS (threadpoolctl, installed with
scikit-learn) and PyTorch (``set_num_threads``) to N threads: on a machine that other jobs keep
busy, two-thread GEMMs wait for a descheduled thread and epochs take many times longer, for
every contender but not alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import bench_derive  # noqa: E402 - the cold-subprocess machinery, shared
import train_contenders  # noqa: E402 - the contenders, their settings
from train_contenders import (  # noqa: E402
    BATCH,
    OPTIMIZERS,
    Generated,
    MatmulLimit,
    Sklearn,
    Torch,
    relative_error,
    sklearn_classifier,
)

from codegen.generate import load_module  # noqa: E402

DEFAULT_JSON = REPO / "bench" / "results" / "train.json"
SIZES = {  # samples, layer sizes
    "digits": (1_797, (64, 32, 10)),
    "mnist": (60_000, (784, 256, 128, 10)),
    "wide": (20_000, (1024, 1024, 1024, 10)),
}
TARGETS = {  # optimizer: size: (times faster than torch, than sklearn, at most × the limit)
    "sgd": {"digits": (3.0, 3.0, None), "mnist": (1.5, 1.5, 1.3), "wide": (1.15, 1.4, 1.2)},
    # issue 13: ahead of both at every size, and by these factors ahead of PyTorch
    "momentum": {"digits": (3.0, 1.0, None), "mnist": (1.3, 1.0, None), "wide": (1.05, 1.0, None)},
    "adam": {"digits": (3.0, 1.0, None), "mnist": (1.3, 1.0, None), "wide": (1.05, 1.0, None)},
}
CONTENDERS = ("generated", "torch", "sklearn", "limit")
TOLERANCE = {"float32": 2e-4, "float64": 1e-9}
STEPS_TOLERANCE = 1e-9  # three optimizer steps against torch.optim, in float64


def network_spec(name: str, sizes, dtype: str, optimizer: str = "sgd") -> dict:
    return {
        "name": name,
        "inputs": sizes[0],
        "dtype": dtype,
        "layers": [{"units": units, "activation": "tanh"} for units in sizes[1:-1]],
        "output": {"units": sizes[-1], "activation": "softmax", "loss": "cross-entropy"},
        "train": {**OPTIMIZERS[optimizer], "batch_size": BATCH},
    }


def synthetic(samples: int, sizes, dtype: str):
    """Inputs from N(0, 1) and labels of a random linear teacher: learnable, reproducible."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(samples, sizes[0])).astype(dtype)
    teacher = rng.normal(size=(sizes[0], sizes[-1]))
    labels = (X @ teacher).argmax(axis=1)
    return X, labels, np.eye(sizes[-1], dtype=dtype)[labels]


# -- the race ----------------------------------------------------------------------------------


def check_gradients(spec, params, X, labels, Y, dtype, contenders) -> dict:
    """Same weights, one batch: generated vs torch.autograd and vs sklearn's SGD update."""
    module = contenders["generated"].module
    rows = slice(0, BATCH)
    _, ours = module.gradients(params, X[rows], Y[rows])
    errors = {}
    torch_grads = Torch(params, X, labels, dtype).gradients(X[rows], labels[rows])
    errors["torch"] = max(relative_error(ours[k], torch_grads[k]) for k in ours)
    model = sklearn_classifier(params, X, labels)
    before = [W.copy() for W in model.coefs_] + [b.copy() for b in model.intercepts_]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.partial_fit(X[rows], labels[rows])  # one step: the batch is one batch of 128
    after = list(model.coefs_) + list(model.intercepts_)
    count = len(params) // 2
    names = [f"W{n}" for n in range(1, count + 1)] + [f"b{n}" for n in range(1, count + 1)]
    rate = OPTIMIZERS["sgd"]["learning_rate"]
    update = {name: (b - a) / rate for name, b, a in zip(names, before, after, strict=True)}
    errors["sklearn"] = max(
        relative_error(ours[k], update[k].T if k.startswith("W") else update[k]) for k in ours
    )
    for who, error in errors.items():
        if not error < TOLERANCE[dtype]:
            raise AssertionError(f"{spec['name']} {dtype}: gradients differ from {who}: {error}")
    return errors


def check_steps(spec, params, X, labels, optimizer) -> float:
    """Same weights, three steps in row order: the generated optimizer against torch.optim's, in
    float64 whatever the race's dtype (in float32, Adam's m/√v of a gradient near 0 takes its
    sign from rounding, so single weights may differ by a whole step)."""
    rows = min(3 * BATCH, X.shape[0])
    module = load_module({**spec, "dtype": "float64"})
    start = {k: np.asfortranarray(v, dtype=np.float64) for k, v in params.items()}
    X = X.astype(np.float64)
    ours = {k: v.copy(order="A") for k, v in start.items()}
    module.train(ours, X[:rows], labels[:rows], epochs=1, batch_size=BATCH, shuffle=False)
    reference = Torch(start, X, labels, "float64", optimizer)
    reference.steps(rows)
    theirs = reference.parameters()
    error = max(relative_error(ours[k], theirs[k]) for k in ours)
    if not error < STEPS_TOLERANCE:
        raise AssertionError(f"{optimizer}: three steps differ from torch.optim: {error}")
    return error


def race(name: str, dtype: str, optimizer: str, reps: int, pause: float) -> dict:
    samples, sizes = SIZES[name]
    spec = network_spec(name, sizes, dtype, optimizer)
    X, labels, Y = synthetic(samples, sizes, dtype)
    params = load_module(spec).init_params(0)
    contenders = {
        "generated": Generated(spec, params, X, Y),
        "torch": Torch(params, X, labels, dtype, optimizer),
        "sklearn": Sklearn(params, X, labels, optimizer),
    }
    if optimizer == "sgd":
        contenders["limit"] = MatmulLimit(params, X)
    errors = check_gradients(spec, params, X, labels, Y, dtype, contenders)
    if optimizer != "sgd":
        errors["torch.optim, 3 steps, float64"] = check_steps(spec, params, X, labels, optimizer)
    times, last = {who: [] for who in contenders}, {}
    for rep in range(reps + 1):  # rep 0 is the warm-up
        for who in contenders:
            time.sleep(pause)
            start = time.perf_counter()
            contenders[who].run()
            seconds = time.perf_counter() - start
            if who == "limit":
                seconds = contenders["limit"].epoch_seconds(seconds)
            if rep:
                times[who].append(seconds)
            last[who] = seconds
        took = " ".join(f"{who} {seconds:.3f}" for who, seconds in last.items())
        print(f"  {name} {dtype} {optimizer} rep {rep}/{reps}: {took}", file=sys.stderr, flush=True)
    summary = {
        who: {"median": statistics.median(v), "min": min(v), "runs": v} for who, v in times.items()
    }
    generated = summary["generated"]["median"]
    ratios = {who: summary[who]["median"] / generated for who in ("torch", "sklearn")}
    result = {
        "size": name,
        "dtype": dtype,
        "optimizer": optimizer,
        "settings": OPTIMIZERS[optimizer],
        "samples": samples,
        "layers": list(sizes),
        "weights": sum(v.size for k, v in params.items() if k.startswith("W")),
        "check_relative_error": errors,
        "seconds_per_epoch": summary,
        "speedup": {"vs torch": ratios["torch"], "vs sklearn": ratios["sklearn"]},
    }
    if "limit" in contenders:
        limit = contenders["limit"]
        ratios["generated/limit"] = generated / summary["limit"]["median"]
        result["epoch_matmul_gflop"] = limit.epoch_flops / 1e9
        result["gemm_gflops"] = limit.epoch_flops / summary["limit"]["median"] / 1e9
        result["generated_over_limit"] = ratios["generated/limit"]
    result["targets"] = verdicts(name, optimizer, ratios)
    return result


def verdicts(name: str, optimizer: str, ratios: dict) -> dict:
    torch_target, sklearn_target, limit_target = TARGETS[optimizer][name]
    out = {
        f"≥ {torch_target}× faster than torch": ratios["torch"] >= torch_target,
        f"≥ {sklearn_target}× faster than sklearn": ratios["sklearn"] >= sklearn_target,
    }
    if limit_target is not None and "generated/limit" in ratios:
        out[f"≤ {limit_target}× the matmul limit"] = ratios["generated/limit"] <= limit_target
    return out


def race_table(results: list[dict]) -> str:
    head = f"{'size':<7}{'dtype':<8}{'optimizer':<10}" + "".join(f"{w:>18}" for w in CONTENDERS)
    head += f"{'torch/gen':>11}{'sklearn/gen':>13}{'gen/limit':>11}"
    sub = f"{'':<25}" + "".join(f"{'median     min':>18}" for _ in CONTENDERS)
    lines = ["seconds per epoch; ratios of medians", head, sub, "-" * len(head)]
    for r in results:
        s = r["seconds_per_epoch"]
        cells = "".join(
            f"{s[w]['median']:>10.4f}{s[w]['min']:>8.4f}" if w in s else f"{'-':>18}"
            for w in CONTENDERS
        )
        limit = f"{r['generated_over_limit']:>10.2f}×" if "generated_over_limit" in r else ""
        lines.append(
            f"{r['size']:<7}{r['dtype']:<8}{r['optimizer']:<10}{cells}"
            f"{r['speedup']['vs torch']:>10.2f}×{r['speedup']['vs sklearn']:>12.2f}×{limit}"
        )
    return "\n".join(lines)


# -- derivation and generation scaling ---------------------------------------------------------


def scaling(repeat: int) -> tuple[list[dict], list[dict]]:
    """bench_derive's cold (fresh process) timings: every built-in alone and all together, a
    custom activation, the lecture mlp and modules of 2 to 50 layers; with its verdicts."""
    plan = bench_derive.measurements(bench_derive.builtin_names())
    results = [bench_derive.measure(label, kind, code, repeat) for label, kind, code in plan]
    return results, bench_derive.targets(results)


# -- main --------------------------------------------------------------------------------------


def machine() -> dict:
    import sklearn
    import torch

    info = bench_derive.machine()
    info.update(numpy=np.__version__, torch=torch.__version__, sklearn=sklearn.__version__)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="digits,mnist,wide", help="comma-separated sizes")
    parser.add_argument("--dtypes", default="float32,float64", help="comma-separated dtypes")
    parser.add_argument("--optimizers", default="sgd,momentum,adam", help="comma-separated")
    parser.add_argument("--reps", type=int, default=5, help="timed epochs per contender (≥ 5)")
    parser.add_argument("--threads", type=int, default=None, help="threads per contender")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds idle between runs")
    parser.add_argument("--scaling-repeat", type=int, default=3)
    parser.add_argument("--no-scaling", action="store_true", help="skip derivation timings")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    optimizers = [o.strip() for o in args.optimizers.split(",") if o.strip()]
    unknown = [s for s in sizes if s not in SIZES] + [d for d in dtypes if d not in TOLERANCE]
    unknown += [o for o in optimizers if o not in OPTIMIZERS]
    if unknown:
        parser.error(f"unknown size, dtype or optimizer: {', '.join(unknown)}")
    info = machine()
    limits = None
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        train_contenders.THREADS = args.threads
        limits = threadpool_limits(args.threads)  # noqa: F841 - held for the whole run
    info["threads"] = train_contenders.THREADS
    print(f"racing one epoch, {args.reps} interleaved reps each ...", file=sys.stderr)
    results = []
    for size in sizes:
        for dtype in dtypes:
            for optimizer in optimizers:
                results.append(race(size, dtype, optimizer, args.reps, args.pause))
                write_json(args, argv, info, optimizers, results, [], [])  # partial, kept
    scaled, verdicts = ([], []) if args.no_scaling else scaling(args.scaling_repeat)
    print(race_table(results))
    for r in results:
        marks = ", ".join(f"{'PASS' if ok else 'FAIL'} {t}" for t, ok in r["targets"].items())
        print(f"{r['size']} {r['dtype']} {r['optimizer']}: {marks}")
    print("NumPy GEMM: " + ", ".join(
        f"{r['size']} {r['dtype']} {r['gemm_gflops']:.1f} GFLOP/s" for r in results
        if "gemm_gflops" in r
    ))  # fmt: skip
    if scaled:
        print()
        print(bench_derive.table(scaled, args.scaling_repeat))
        print(bench_derive.verdict_lines(verdicts))
    print(
        f"\nmachine: {info.get('cpus')} CPUs, load average at start {info.get('load_average_at_start')}"
    )
    write_json(args, argv, info, optimizers, results, scaled, verdicts)
    print(f"wrote {args.json}")
    return 0


def write_json(args, argv, info, optimizers, results, scaled, verdicts) -> None:
    args.json.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": info,
        "command": "python bench/bench_train.py " + " ".join(argv or sys.argv[1:]),
        "settings": {"batch_size": BATCH, "optimizers": {o: OPTIMIZERS[o] for o in optimizers},
                     "reps": args.reps, "pause": args.pause},
        "race": results,
        "scaling": {"results": scaled, "targets": verdicts},
    }  # fmt: skip
    args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
