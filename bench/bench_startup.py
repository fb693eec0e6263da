"""CPU time of short ``backprop`` commands, start-up included: what a user pays per command.

Each command runs as a fresh ``python -m backprop.cli ...`` subprocess (``sys.executable``,
this checkout first on ``PYTHONPATH``); its CPU time is user + system time of the finished
child and everything it waited for (the forked workers of ``check``), read from
``resource.getrusage(RUSAGE_CHILDREN)`` before and after. CPU time, not wall time, because the
machine is shared: other processes stretch wall time but not the CPU a command uses. Each
command runs ``--repeat`` times (default 5) after one untimed warm-up run (bytecode caches);
the table shows the median and the minimum.

``--against DIR`` also times another checkout of the project (an older commit, unpacked with
``git archive``), interleaved run by run with this one (A B A B …), so that the load of the
machine falls on both alike; the table then has a column for each and their ratio.

Target (issue 10): ``check answer`` on a typical quantity ≤ 1 s of CPU. This is a report, not
a test: it prints PASS/FAIL for the target and always exits 0.

Usage::

    python bench/bench_startup.py [--repeat 5] [--against DIR] [--json bench/results/startup.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_JSON = REPO / "bench" / "results" / "startup.json"
TIMEOUT = 300  # seconds per command
ANSWER_TARGET = 1.0  # seconds of CPU, user + sys, for one check answer

COMMANDS = [
    ("backprop --help", ["--help"]),
    ("check answer softmax-ce", ["check", "answer", "softmax-ce", "p_i - y_i"]),
    ("check answer sigmoid", ["check", "answer", "sigmoid", "sigma(z)*(1 - sigma(z))"]),
    ("check answer dense:dW", ["check", "answer", "dense:dW", "delta h^T"]),
    ("check steps sigmoid_bce.txt", ["check", "steps", "examples/check/sigmoid_bce.txt"]),
    ("derive softmax-ce", ["derive", "softmax-ce"]),
]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(argv: list[str], repo: Path = REPO) -> float:
    """User + system CPU seconds of one ``backprop ARGV`` run in the checkout ``repo`` (its
    waited-for workers too)."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    before = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "backprop.cli", *argv],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    spent = _children_cpu() - before
    if done.returncode not in (0, 1):  # 1: a verdict "incorrect"; 2 or a crash is a bench bug
        raise SystemExit(f"backprop {' '.join(argv)} failed ({done.returncode}): {done.stderr}")
    return spent


def measure(repeat: int, against: Path | None = None) -> list[dict]:
    """One row per command: median and minimum CPU seconds over ``repeat`` runs (and those of
    the checkout ``against``, run alternately with this one)."""
    rows = []
    repos = [REPO] + ([against] if against else [])
    for label, argv in COMMANDS:
        runs: dict = {repo: [] for repo in repos}
        for repo in repos:
            cpu_seconds(argv, repo)  # warm-up: bytecode caches written, files in the page cache
        for _ in range(repeat):
            for repo in repos:
                runs[repo].append(cpu_seconds(argv, repo))
        row = {"command": label, **_summary(runs[REPO])}
        if against:
            row["against"] = _summary(runs[against])
        rows.append(row)
        print(f"  {label}: {row['median']:.2f} s", file=sys.stderr)
    return rows


def _summary(runs: list[float]) -> dict:
    return {"median": statistics.median(runs), "min": min(runs), "runs": runs}


def table(rows: list[dict], against: str = "") -> str:
    """The Markdown table of ``rows`` (as in the README)."""
    if not against:
        lines = ["| command | CPU s, median | min |", "|---|---|---|"]
        lines += [f"| `{r['command']}` | {r['median']:.2f} | {r['min']:.2f} |" for r in rows]
        return "\n".join(lines)
    lines = [
        f"| command | CPU s, median (min) | {against} | {against} / this |",
        "|---|---|---|---|",
    ]
    for r in rows:
        old = r["against"]
        lines.append(
            f"| `{r['command']}` | {r['median']:.2f} ({r['min']:.2f}) | "
            f"{old['median']:.2f} ({old['min']:.2f}) | {old['median'] / r['median']:.1f}× |"
        )
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    answers = [r for r in rows if r["command"].startswith("check answer")]
    return [
        f"{'PASS' if r['median'] <= ANSWER_TARGET else 'FAIL'} {r['command']} "
        f"≤ {ANSWER_TARGET:g} s CPU (median {r['median']:.2f} s)"
        for r in answers
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command")
    parser.add_argument("--against", type=Path, help="another checkout to time alongside")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    args = parser.parse_args(argv)
    against = args.against.resolve() if args.against else None
    rows = measure(args.repeat, against)
    print(table(rows, against.name if against else ""))
    print("\n".join(verdicts(rows)))
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "repeat": args.repeat,
        "against": str(against) if against else None,
        "clock": "user + sys CPU seconds of the child and its waited-for workers",
        "rows": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
