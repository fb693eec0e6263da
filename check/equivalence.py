"""Deciding whether two expressions are equal on a domain: random evaluation, then SymPy.

As STACK and WeBWorK do, equality is first tested by evaluation at many random points drawn
inside the domain (one-hot y, 0 < p < 1, K = 2..6, ...) so branch cuts never give a false
verdict; a point where the two differ is confirmed at 30 digits before it is reported. When
every point agrees, SymPy looks for a proof. Both run in a forked worker process with a time
limit, because SymPy has no timeout of its own (sympy #9691): a pathological expression
gives "could not decide within N s", never a hang.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive.model import Domain
from derive.numeric import EvaluationError
from derive.substitute import apply_definitions, apply_definitions_all
from derive.verify import concrete, instances, numeric_values, sample, symbolic_equal

N_POINTS = 16  # random points per concrete instance (sizes, index values)
RTOL, ATOL = 1e-7, 1e-9
DEFAULT_TIMEOUT = 10.0  # seconds, for each stage run in a worker


class Timeout(Exception):
    """A worker ran past its time limit and was stopped."""


@dataclass
class Outcome:
    """equal: True, False, or None (undecided); method says how; counterexample when False."""

    equal: bool | None
    method: str
    counterexample: dict | None = None


def run_limited(fn: Callable, *args, timeout: float = DEFAULT_TIMEOUT):
    """fn(*args) in a forked worker; raise Timeout after ``timeout`` seconds.

    The worker inherits the parent's memory (fork), so derivations built before the call are
    not rebuilt; only the result crosses back, pickled.
    """

    def single(*inner):
        yield fn(*inner)

    stages = run_stages(single, *args, timeout=timeout)
    try:
        return next(stages)
    finally:
        stages.close()


def run_stages(fn: Callable, *args, timeout: float = DEFAULT_TIMEOUT):
    """Run the generator function fn(*args) in a forked worker and yield what it yields; each
    item must arrive within ``timeout`` seconds of the one before (else Timeout). The worker
    is killed when the caller stops iterating."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_work, args=(sender, fn, args), daemon=True)
    worker.start()
    sender.close()
    try:
        while True:
            if not receiver.poll(timeout):
                raise Timeout(f"could not decide within {timeout:g} s")
            try:
                status, value = receiver.recv()
            except EOFError:
                raise Timeout("the worker stopped without an answer") from None
            if status == "done":
                return
            if status == "error":
                raise RuntimeError(value)
            yield value
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()


def prepare_workers() -> None:
    """Import now what the stages would import on first use, before workers are forked.

    SymPy's ``simplify`` imports ``sympy.physics.units`` (0.1 s of CPU) the first time it
    runs. What a worker imports dies with it, so when several decisions follow each other
    (every line of ``check steps``) each worker would import it again; imported once here
    before they fork, every worker inherits it."""
    import sympy.physics.units  # noqa: F401, PLC0415 - for the workers forked after this


def _work(sender, fn, args):
    try:
        for item in fn(*args):
            sender.send(("ok", item))
        sender.send(("done", None))
    except BaseException as exc:  # reported to the parent, which decides what it means
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    sender.close()


def _atoms(expr: sp.Basic) -> set:
    found = set(expr.atoms(sp.Indexed))
    inner = set().union(*(a.free_symbols for a in found)) if found else set()
    return found | {s for s in expr.free_symbols if s not in inner and not s.is_Indexed}


def _show(value) -> float | str:
    value = float(value)
    return round(value, 6) if np.isfinite(value) else "undefined"


def _numbered(entry: sp.Indexed) -> bool:
    return all(ix.is_Integer for ix in entry.indices)


class Points:
    """Shared random points for a family of expressions: every concrete instance of the domain
    (sizes and free index values) with ``n`` points each, sampled once so every expression
    evaluated here sees the same values."""

    def __init__(self, exprs: list, domain: Domain, n: int = N_POINTS, seed: int = 0):
        self.domain = domain
        rng = np.random.default_rng(seed)
        symbols = set().union(
            *(e.atoms(sp.Symbol) for e in apply_definitions_all(exprs, domain.definitions))
        )
        self.instances = []
        self.memo: dict = {}  # (expr, instance number) -> concrete expression
        for number, subs in enumerate(instances(domain, symbols)):
            atoms = set().union(*(_atoms(self.concrete(e, subs, number)) for e in exprs))
            # an entry at a symbolic index (w_l in an unexpanded Π_l) is not sampled: the one
            # expression that has it cannot be evaluated, the others still are
            atoms = {a for a in atoms if not isinstance(a, sp.Indexed) or _numbered(a)}
            self.instances.append((subs, sample(domain, atoms, subs, n, rng)))

    def concrete(self, expr, subs, number):
        key = (expr, number)
        if key not in self.memo:
            self.memo[key] = concrete(expr, self.domain, subs)
        return self.memo[key]

    def evaluate(self, expr: sp.Basic) -> np.ndarray | None:
        """Values of expr at every point (all instances concatenated); None if it cannot be
        evaluated (an atom the domain does not sample)."""
        out = []
        for number, (subs, values) in enumerate(self.instances):
            c = self.concrete(expr, subs, number)
            if not _atoms(c) <= set(values):
                return None
            try:
                out.append(numeric_values([c], values)[0])
            except (EvaluationError, TypeError, ValueError, ZeroDivisionError):
                return None
        return np.concatenate(out) if out else None

    def same(self, a: np.ndarray | None, b: np.ndarray | None) -> bool:
        """True when a and b agree at every point where both are defined (and some are)."""
        if a is None or b is None:
            return False
        both = np.isfinite(a) & np.isfinite(b)
        return bool(both.sum() >= len(a) // 2 and np.isclose(a[both], b[both], RTOL, ATOL).all())

    def where(self, position: int) -> tuple[dict, dict]:
        """(sizes and indices, sampled values) of point number ``position``."""
        for subs, values in self.instances:
            n = len(next(iter(values.values()))) if values else 1
            if position < n:
                return subs, {atom: v[position] for atom, v in values.items()}
            position -= n
        raise IndexError(position)


def first_difference(points: Points, answer, expected) -> dict | None:
    """A confirmed counterexample: the first point where answer and expected differ beyond
    rounding (re-checked at 30 digits), or None if they agree everywhere."""
    va, ve = points.evaluate(answer), points.evaluate(expected)
    if va is None or ve is None:
        return None
    finite_e = np.isfinite(ve)
    differ = finite_e & ~(np.isfinite(va) & np.isclose(va, ve, RTOL, ATOL))
    for position in np.flatnonzero(differ)[:5]:
        subs, values = points.where(int(position))
        exact_a = _precise(answer, points.domain, subs, values)
        exact_e = _precise(expected, points.domain, subs, values)
        if (
            exact_a is not None
            and exact_e is not None
            and abs(exact_a - exact_e) <= 1e-12 * (1 + abs(exact_e))
        ):
            continue  # floating-point noise, not a difference
        shown = {str(s): int(v) for s, v in subs.items()}
        shown.update({str(a): round(float(v), 4) for a, v in sorted(values.items(), key=str)})
        for atom in sorted(_atoms(answer.xreplace(subs)), key=str):  # the answer's own p_1, ...
            if str(atom) not in shown and _defined(atom, points.domain):
                v = _precise(atom, points.domain, subs, values)
                if v is not None:
                    shown[str(atom)] = round(v, 4)
        return {"at": shown, "answer": _show(va[position]), "expected": _show(ve[position])}
    return None


def _defined(atom, domain: Domain) -> bool:
    key = atom.base if isinstance(atom, sp.Indexed) else atom
    return key in domain.definitions


def _precise(expr, domain: Domain, subs: dict, values: dict) -> float | None:
    try:
        c = concrete(expr, domain, subs)
        exact = {a: sp.Float(float(v), 30) for a, v in values.items()}
        value = complex(c.xreplace(exact).evalf(30))
        return value.real if abs(value.imag) < 1e-12 else None
    except Exception:  # an expression SymPy cannot evaluate at the point: no confirmation
        return None


def numeric_outcome(answer, expected, domain: Domain, points: Points | None = None) -> Outcome:
    """Equal or not by random evaluation inside the domain (no proof either way yet)."""
    points = points or Points([answer, expected], domain)
    va, ve = points.evaluate(answer), points.evaluate(expected)
    if va is None or ve is None:
        return Outcome(None, "the answer could not be evaluated on the domain")
    found = first_difference(points, answer, expected)
    if found is not None:
        return Outcome(False, "random evaluation (confirmed at 30 digits)", found)
    if not points.same(va, ve):
        return Outcome(None, "the answer is undefined at most points of the domain")
    return Outcome(True, f"random evaluation at {len(va)} points{_assumed(domain)}")


def _assumed(domain: Domain) -> str:
    return f"; {'; '.join(domain.assumptions)}" if domain.assumptions else ""


def symbolic_proof(answer, expected, domain: Domain) -> str:
    """A SymPy proof that answer == expected ("" if none): as written, then with the domain's
    definitions substituted (p = softmax(z), h = σ(z), ...)."""
    proof = symbolic_equal(answer, expected)
    if proof:
        return proof
    a = apply_definitions(answer, domain.definitions)
    e = apply_definitions(expected, domain.definitions)
    if a.has(sp.Sum) or e.has(sp.Sum):
        return ""
    proof = symbolic_equal(a.doit(), e.doit())
    return proof + " (definitions substituted)" if proof else ""


def _stages(answer, expected, domain: Domain, explain):
    """The numeric outcome first, then a diagnosis (if unequal: its candidates are built and
    sampled only now, so a slow one costs the diagnosis, never the verdict) or a symbolic
    proof (if equal): two results."""
    outcome = numeric_outcome(answer, expected, domain, Points([answer, expected], domain))
    yield outcome
    if outcome.equal is False and explain:
        yield explain.diagnose(Points([answer, expected, *explain.candidates()], domain))
    if outcome.equal:
        yield symbolic_proof(answer, expected, domain)


def decide(
    answer, expected, domain: Domain, timeout: float = DEFAULT_TIMEOUT, explain=None
) -> tuple[Outcome, str | None]:
    """(outcome, diagnosis): numeric first, then a symbolic proof, in one worker process
    given ``timeout`` seconds for each stage. ``explain`` (a
    :class:`check.diagnose.Diagnoser`) names the mistake when the two differ."""
    if answer == expected:  # a proof already; no need to evaluate anything
        return Outcome(True, "symbolic: identical"), None
    results = run_stages(_stages, answer, expected, domain, explain, timeout=timeout)
    try:
        outcome, why = next(results), None
    except Timeout:
        return Outcome(None, f"could not decide within {timeout:g} s"), None
    except RuntimeError as exc:
        return Outcome(None, f"could not evaluate the answer ({exc})"), None
    if outcome.equal is False and explain:
        try:
            why = next(results, None)
        except (Timeout, RuntimeError):
            why = None  # no diagnosis in time: the verdict stands without one
    if outcome.equal:
        try:
            proof = next(results, "")
        except (Timeout, RuntimeError):
            proof = ""
        if proof:
            outcome.method = f"{proof}; {outcome.method}"
    results.close()
    return outcome, why
