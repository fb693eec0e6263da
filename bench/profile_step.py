"""Line-by-line profile of a generated module's training step, at a benchmark size.

Runs ``train`` of the module generated for one of the sizes of ``bench_train.py`` (same spec,
same synthetic data) under ``line_profiler`` and prints the time spent on each line of
``_train_step`` and of ``train``'s batch loop: where an epoch goes, GEMMs against the rest.
Needs ``pip install line_profiler`` (the ``bench`` extra). A report, not a test.

Usage::

    python bench/profile_step.py mnist float32 [--optimizer adam] [--epochs 2] [--threads 1]

``--threads N`` sets OpenBLAS's thread count before NumPy loads, so the GEMM lines can be
compared single-threaded, where a second process on the machine disturbs them least.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=("digits", "mnist", "wide"))
    parser.add_argument("dtype", choices=("float32", "float64"))
    parser.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd")
    parser.add_argument("--epochs", type=int, default=2, help="profiled epochs (after one warm-up)")
    parser.add_argument("--threads", type=int, default=None, help="OpenBLAS threads")
    args = parser.parse_args(argv)
    if args.threads is not None:  # read by OpenBLAS when NumPy is first imported
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    try:
        from line_profiler import LineProfiler
    except ImportError:
        parser.error("needs line_profiler: pip install line_profiler")
    sys.path[:0] = [str(REPO), str(REPO / "bench")]
    import bench_train

    from codegen.generate import load_module

    samples, sizes = bench_train.SIZES[args.size]
    spec = bench_train.network_spec(args.size, sizes, args.dtype, args.optimizer)
    X, _, Y = bench_train.synthetic(samples, sizes, args.dtype)
    module = load_module(spec)
    params = module.init_params(0)
    state = {}  # the spec's optimizer settings are train()'s defaults
    module.train(params, X, Y, epochs=1, state=state)  # warm-up: caches, BLAS threads
    profiler = LineProfiler(module._train_step, module.train)
    profiler.runcall(module.train, params, X, Y, epochs=args.epochs, state=state)
    print(
        f"{args.size} {args.dtype} {args.optimizer}: {samples} × {'-'.join(map(str, sizes))}, {args.epochs} epochs"
    )
    profiler.print_stats(output_unit=1e-6, stripzeros=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
