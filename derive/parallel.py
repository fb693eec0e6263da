"""Verifying many derivations at once, in worker processes (``backprop derive --all``, demo).

Each worker builds and verifies some derivations and sends back a record: for every step its
expression (``srepr``) and how it was proven, and the cross-checks. The parent builds the same
derivations itself (builders are deterministic) and takes a record only if every step's
expression matches exactly; otherwise it verifies in-process. Verification is the same code
either way: only where it runs changes.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import sympy as sp

from derive import registry
from derive.model import Derivation

# rough cost order, most expensive first, so the pool's last task is a short one
COST_ORDER = ["mlp", "batch", "softmax-ce", "dense", "mse", "chain-rule", "sigmoid-bce"]


def _record(name: str):
    d = registry.get(name)
    steps = [[(sp.srepr(s.rhs), s.verified_by) for s in chain.steps] for chain in d.chains]
    return name, steps, d.checks


def _apply(d: Derivation, steps, checks) -> bool:
    if [len(c.steps) for c in d.chains] != [len(s) for s in steps]:
        return False
    for chain, recorded in zip(d.chains, steps, strict=True):
        for step, (rhs, _) in zip(chain.steps, recorded, strict=True):
            if sp.srepr(step.rhs) != rhs:
                return False
    proofs = [how for recorded in steps for _, how in recorded]
    if not all(proofs) or not all(c.passed for c in checks):
        return False  # rejected records leave the derivation untouched
    for chain, recorded in zip(d.chains, steps, strict=True):
        for step, (_, how) in zip(chain.steps, recorded, strict=True):
            step.verified_by = how
    d.checks = list(checks)
    d.verified = True
    return True


def get_all(names: list[str] | None = None, processes: int | None = None) -> list[Derivation]:
    """The verified derivations ``names`` (default: every built-in), verified in parallel.

    processes: worker processes (default: the CPU count, or $BACKPROP_PROCESSES; 1 = none).
    """
    names = list(names or registry.names())
    todo = [n for n in names if not registry.is_cached(n)]
    workers = processes if processes is not None else int(os.environ.get("BACKPROP_PROCESSES", 0))
    workers = min(workers or os.cpu_count() or 1, len(todo))
    if workers > 1:
        order = sorted(todo, key=lambda n: COST_ORDER.index(n) if n in COST_ORDER else 99)
        groups = [order[w::workers] for w in range(workers)]  # dealt out, most expensive first
        children = [_start(group) for group in groups]
        built = {n: registry.source(n) for n in order}  # meanwhile, build them here
        for child in children:
            for name, steps, checks in _results(child):
                if _apply(built[name], steps, checks):
                    registry.store(name, built[name])
    return [registry.get(n) for n in names]  # anything not verified above, in-process


def _start(group: list[str]) -> subprocess.Popen:
    code = "import sys; from derive.parallel import _worker; _worker(sys.argv[1:])"
    env = dict(os.environ, BACKPROP_PROCESSES="1")
    return subprocess.Popen(
        [sys.executable, "-c", code, *group],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=_package_root(),
    )


def _results(child: subprocess.Popen):
    out, _ = child.communicate()
    if child.returncode != 0:
        return []  # anything the worker could not do is verified in-process instead
    try:
        return pickle.loads(out)
    except Exception:  # a damaged record is treated like a missing one
        return []


def _worker(group: list[str]) -> None:
    """Entry point of a worker process: verify each name, write the records to stdout."""
    records = [_record(name) for name in group]
    sys.stdout.buffer.write(pickle.dumps(records))


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
