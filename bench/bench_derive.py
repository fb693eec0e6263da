"""Cold-start timings of deriving and verifying: how long a user waits for ``backprop derive``.

Every measurement runs in a fresh ``python -c`` subprocess (``sys.executable``), so imports and
the per-process caches (registry, concrete expansions, derivatives) start cold. Measured:

    (a) ``import derive`` alone
    (b) each built-in alone: ``derive.get(name)``, dependencies included, as ``backprop derive NAME``
    (c) every built-in in one process
    (d) a custom activation: ``derive.custom_activation("log(1 + exp(z))")``
    (e) the mlp of the lecture network through ``derive.mlp`` (2-2-2-3, sigmoid, softmax + CE)
    (f) generating a 20-layer module (19 tanh layers of 64, softmax + CE output) with
        ``codegen.generate.generate_source``, which derives and verifies what it prints

Each is repeated (default 3×); the table shows the median and the minimum of three clocks:
``import`` (``import derive`` inside the child), ``derive`` (the work after the import; the
targets are judged on its median) and ``wall`` (the whole subprocess, interpreter start-up
included). Targets from the issue: all built-ins < 5 s, any single built-in < 1 s, and the
20-layer module generated in < 2 s, import included (on a 2-core machine). This is a report, not a test: it prints PASS/FAIL per target and always exits 0.

Usage::

    python bench/bench_derive.py [--repeat 3] [--json bench/results/derive.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_JSON = REPO / "bench" / "results" / "derive.json"
TIMEOUT = 600  # seconds per child process

ALL_BUILTINS_TARGET = 5.0  # seconds, every built-in in one process
ONE_BUILTIN_TARGET = 1.0  # seconds, any single built-in
GENERATE_TARGET = 2.0  # seconds, import + generating the 20-layer module

# the child: time the import and the work separately, report JSON on the last line of stdout
CHILD = """\
import json, time
start = time.perf_counter()
import derive
imported = time.perf_counter()
{work}
done = time.perf_counter()
print(json.dumps({{"import": imported - start, "work": done - imported}}))
"""

CUSTOM_ACTIVATION = "log(1 + exp(z))"
LECTURE_MLP = 'derive.mlp([2, 2, 2, 3], ["sigmoid", "sigmoid"], "softmax", "cross-entropy")'
DEEP_MODULE = """\
import codegen.generate
hidden = [{"units": 64, "activation": "tanh"}] * 19
output = {"units": 10, "activation": "softmax", "loss": "cross-entropy"}
spec = {"name": "deep20", "inputs": 64, "layers": hidden, "output": output}
codegen.generate.generate_source(spec)"""


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(work: str) -> dict:
    """One cold measurement: {"import", "work", "wall"} in seconds, or {"error": text}."""
    code = CHILD.format(work=work)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=child_env(),
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {TIMEOUT} s"}
    wall = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit {done.returncode}: {last}"}
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    return {**timings, "wall": wall}


def builtin_names() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", "import derive; print('\\n'.join(derive.names()))"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=child_env(),
        timeout=TIMEOUT,
        check=True,
    )
    return done.stdout.split()


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "runs": values}


def measure(label: str, kind: str, work: str, repeat: int) -> dict:
    runs = [run_child(work) for _ in range(repeat)]
    errors = [r["error"] for r in runs if "error" in r]
    result = {"label": label, "kind": kind, "code": work}
    if errors:
        result["error"] = errors[0]
        print(f"  {label}: FAILED ({errors[0]})", file=sys.stderr)
        return result
    for clock in ("import", "work", "wall"):
        result[clock] = summary([r[clock] for r in runs])
    print(
        f"  {label}: derive {result['work']['median']:.2f} s (median of {repeat})",
        file=sys.stderr,
        flush=True,
    )
    return result


def measurements(names: list[str]) -> list[tuple[str, str, str]]:
    """(label, kind, code) for every measurement, in the order of the docstring."""
    plan = [("import derive", "import", "pass")]
    plan += [(f"get {name}", "builtin", f"derive.get({name!r})") for name in names]
    plan.append(("all built-ins", "all", "for name in derive.names():\n    derive.get(name)"))
    plan.append(
        (
            f"custom activation {CUSTOM_ACTIVATION}",
            "custom",
            f"derive.custom_activation({CUSTOM_ACTIVATION!r})",
        )
    )
    plan.append(("mlp 2-2-2-3 (derive.mlp)", "mlp", LECTURE_MLP))
    plan.append(("generate a 20-layer module", "generate", DEEP_MODULE))
    return plan


def targets(results: list[dict]) -> list[dict]:
    out = []
    everything = next((r for r in results if r["kind"] == "all"), None)
    if everything is not None and "work" in everything:
        seconds = everything["work"]["median"]
        out.append(
            {
                "target": f"all built-ins < {ALL_BUILTINS_TARGET:g} s",
                "measured": seconds,
                "passed": seconds < ALL_BUILTINS_TARGET,
                "detail": "median derive time, one process",
            }
        )
    singles = [r for r in results if r["kind"] == "builtin" and "work" in r]
    if singles:
        slowest = max(singles, key=lambda r: r["work"]["median"])
        over = [r["label"][4:] for r in singles if r["work"]["median"] >= ONE_BUILTIN_TARGET]
        out.append(
            {
                "target": f"any single built-in < {ONE_BUILTIN_TARGET:g} s",
                "measured": slowest["work"]["median"],
                "passed": not over,
                "detail": f"slowest: {slowest['label'][4:]}"
                + (f"; over the target: {', '.join(over)}" if over else ""),
            }
        )
    deep = next((r for r in results if r["kind"] == "generate"), None)
    if deep is not None and "work" in deep:
        seconds = statistics.median(
            a + b for a, b in zip(deep["import"]["runs"], deep["work"]["runs"], strict=True)
        )
        out.append(
            {
                "target": f"20-layer module generated < {GENERATE_TARGET:g} s",
                "measured": seconds,
                "passed": seconds < GENERATE_TARGET,
                "detail": "median of import derive + generate_source, one process",
            }
        )
    return out


def table(results: list[dict], repeat: int) -> str:
    header = f"{'measurement (cold, fresh process)':<40} {'import':>14} {'derive':>14} {'wall':>14}"
    sub = f"{'':<40} {'median   min':>14} {'median   min':>14} {'median   min':>14}"
    lines = [f"times in seconds, {repeat} runs each", header, sub, "-" * len(header)]
    for r in results:
        if "error" in r:
            lines.append(f"{r['label']:<40} ERROR: {r['error']}")
            continue
        cells = " ".join(
            f"{r[c]['median']:>7.2f}{r[c]['min']:>7.2f}" for c in ("import", "work", "wall")
        )
        lines.append(f"{r['label']:<40} {cells}")
    return "\n".join(lines)


def machine() -> dict:
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    if hasattr(os, "getloadavg"):
        info["load_average_at_start"] = [round(v, 2) for v in os.getloadavg()]
    try:
        import sympy

        info["sympy"] = sympy.__version__
    except ImportError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})"
    )
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

    info = machine()
    print(f"benchmarking cold derivations ({repeat}× each) ...", file=sys.stderr)
    results = [
        measure(label, kind, code, repeat) for label, kind, code in measurements(builtin_names())
    ]
    verdicts = targets(results)

    print(table(results, repeat))
    print()
    for v in verdicts:
        mark = "PASS" if v["passed"] else "FAIL"
        print(f"{mark}  {v['target']}: {v['measured']:.2f} s ({v['detail']})")
    if info.get("cpus") != 2:
        print(f"note: the targets are for a 2-core machine; this one has {info.get('cpus')} CPUs")
    if "load_average_at_start" in info:
        print(f"note: load average at start {info['load_average_at_start']}")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, "repeat": repeat, "results": results, "targets": verdicts}
    args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
