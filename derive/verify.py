"""Checking that each step equals the one before, and running the independent cross-checks.

Equality is decided symbolically where SymPy can (identical, ``expand``, ``simplify`` on small
Sum-free expressions) and otherwise numerically: definitions substituted, sizes made concrete
(K = 2, 3, 4, …), sums and derivatives done, both sides evaluated at random points drawn from
the derivation's domain (one-hot y, real z, ...).

Writing lines out at an instance is :mod:`derive.concrete`'s job; what one instance writes out
(a defined entry, a derivative) is shared with every other line, instance and cross-check that
needs it, so the cross-checks cost little beyond their own larger sizes.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.concrete import Writer, leaves, written_out
from derive.errors import DerivationError
from derive.model import Chain, Derivation, Domain
from derive.numeric import Definitions, EvaluationError, evaluate
from derive.substitute import (  # noqa: F401
    apply_definitions,
    expand_sum,
    fresh_bound_variables,
    symbols_through,
)

N_POINTS = 24  # random points per concrete instance
RTOL = 1e-8
ATOL = 1e-10
SIMPLIFY_MAX_OPS = 80


def instances(domain: Domain, expr_symbols: set, sizes_override: dict | None = None):
    """Yield substitution dicts giving every size and index a concrete value.

    Size lists are paired position by position (the shorter repeats its last value), not
    multiplied out: {n_out: [2, 3], n_in: [3, 2]} gives two instances, (2, 3) and (3, 2).
    """
    sizes = dict(domain.sizes)
    if sizes_override:
        sizes.update(sizes_override)
    used_sizes = [s for s in sizes if s in expr_symbols or _bounds_any(domain, s, expr_symbols)]
    count = max((len(sizes[s]) for s in used_sizes), default=1)
    rng = np.random.default_rng(1)
    for position in range(count):
        subs = {s: sizes[s][min(position, len(sizes[s]) - 1)] for s in used_sizes}
        free_indices = [ix for ix in domain.indices if ix in expr_symbols]
        for assignment in _index_assignments(domain, free_indices, subs, rng):
            yield {**subs, **assignment}


def _bounds_any(domain: Domain, size, expr_symbols) -> bool:
    return any(bound == size and ix in expr_symbols for ix, bound in domain.indices.items())


def _index_assignments(domain: Domain, free_indices, subs, rng):
    """All assignments for tiny ranges, else a few random ones (always one with equal indices)."""
    if not free_indices:
        yield {}
        return
    ranges = [
        range(1, int(sp.sympify(domain.indices[ix]).xreplace(subs)) + 1) for ix in free_indices
    ]
    combos = list(itertools.product(*ranges))
    if len(combos) <= 2:
        chosen = combos
    elif len(free_indices) == 1:
        chosen = [combos[int(c)] for c in rng.choice(len(combos), size=2, replace=False)]
    else:
        # one assignment with distinct indices, and one with equal indices: that is where
        # Kronecker deltas fire
        off = [c for c in combos if len(set(c)) > 1] or combos
        value = min(2, *(len(r) for r in ranges))
        chosen = [off[int(rng.integers(len(off)))], (value,) * len(ranges)]
    for combo in chosen:
        yield dict(zip(free_indices, (sp.Integer(c) for c in combo), strict=True))


_CONCRETE_CACHE: dict = {}
_WRITERS: dict = {}


def writer(domain: Domain, sizes: dict) -> Writer:
    """The domain's Writer for these sizes, shared by every line, instance and cross-check; the
    key holds id(domain), so the entry keeps the domain to tell a new domain at a freed
    domain's address from the old one."""
    key = (id(domain), _sorted_items(sizes))
    found = _WRITERS.get(key)
    if found is None or found[0] is not domain:
        if len(_WRITERS) > 256:
            _WRITERS.clear()
        found = _WRITERS[key] = (domain, Writer(domain.definitions, sizes))
    return found[1]


def concrete(expr: sp.Basic, domain: Domain, subs: dict) -> sp.Basic:
    """Definitions substituted, sizes/indices made concrete, sums and derivatives evaluated."""
    key = (id(domain), expr, _sorted_items(subs))
    cached = _CONCRETE_CACHE.get(key)
    if cached is not None and cached[0] is domain:
        return cached[1]
    sizes = {s: v for s, v in subs.items() if s in domain.sizes}
    rest = {s: v for s, v in subs.items() if s not in domain.sizes}
    out = writer(domain, sizes).write(expr, rest)  # derivatives taken as they are written
    if out.has(sp.Subs) and _subs_depth(out) <= MAX_SUBS_DEPTH:
        # g′ at an expression (g′(z³)): evaluable once g is concrete.  Deeper nests
        # (g′(g′(g′(g′(z))))) stay as written: SymPy's assumptions on them grow exponentially
        out = out.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
    if len(_CONCRETE_CACHE) > 4096:
        _CONCRETE_CACHE.clear()
    _CONCRETE_CACHE[key] = (domain, out)
    return out


MAX_SUBS_DEPTH = 3  # g′ at g′ at g′ at an expression: evaluated; deeper nests are not


def _subs_depth(expr: sp.Basic) -> int:
    """How deeply ``Subs`` (a derivative at a point) nest inside each other in ``expr``."""
    if not expr.args:
        return 0
    inner = max(_subs_depth(arg) for arg in expr.args)
    return inner + isinstance(expr, sp.Subs)


def _sorted_items(subs: dict) -> tuple:
    return tuple(sorted(subs.items(), key=lambda item: item[0].name))


def sample(domain: Domain, atoms, subs: dict, n: int, rng) -> dict:
    """Random values for the concrete atoms (symbols, indexed entries) of an expression."""
    values = {}
    by_base: dict = {}
    for atom in sorted(atoms, key=str):  # a stable order: the same values in every process
        if isinstance(atom, sp.Indexed):
            by_base.setdefault(atom.base, []).append(atom)
        else:
            sampler = domain.samplers.get(atom, _uniform)
            values[atom] = np.asarray(sampler(rng, n, None), dtype=float)
    for base, entries in by_base.items():
        sampler = domain.samplers.get(base, _uniform_vector)
        shape = tuple(
            max(int(e.indices[d]) for e in entries) for d in range(len(entries[0].indices))
        )
        shape = _full_shape(domain, base, shape, subs)
        arr = np.asarray(sampler(rng, n, shape), dtype=float)
        for e in entries:
            values[e] = arr[(slice(None), *[int(ix) - 1 for ix in e.indices])]
    return values


def _full_shape(domain: Domain, base, shape, subs):
    declared = domain.samplers.get(("shape", base))
    if declared is None:
        return shape
    full = tuple(int(sp.sympify(s).xreplace(subs)) for s in declared)
    return tuple(max(a, b) for a, b in zip(full, shape, strict=True))


def _uniform(rng, n, shape):
    return rng.uniform(-2.0, 2.0, size=n if shape is None else (n, *shape))


def _uniform_vector(rng, n, shape):
    return rng.uniform(-2.0, 2.0, size=(n, *shape))


def numeric_values(exprs: list, atoms_values: dict) -> list[np.ndarray]:
    """Evaluate concrete expressions at the sampled points (vectorised with NumPy); a
    subexpression they share is evaluated once."""
    n = len(next(iter(atoms_values.values()))) if atoms_values else 1
    out = []
    memo: dict = {}
    for expr in exprs:
        with np.errstate(all="ignore"):
            val = evaluate(expr, atoms_values, memo=memo)
        out.append(np.broadcast_to(np.asarray(val, dtype=float), (n,)))
    return out


_atoms = leaves  # the concrete entries and plain symbols of a written-out expression


def symbolic_equal(a: sp.Basic, b: sp.Basic) -> str:
    """A proof of a == b by SymPy alone, or "" when SymPy cannot decide it cheaply."""
    if a == b:
        return "symbolic: identical"
    if a.has(sp.Derivative) or b.has(sp.Derivative):
        return ""
    difference = a - b
    try:
        if differ_at_random_points(a, b):  # neither expand nor simplify can then give 0
            return ""
        if sp.expand(difference) == 0:
            return "symbolic: expand(lhs - rhs) = 0"
        if not difference.has(sp.Sum) and sp.count_ops(difference) <= SIMPLIFY_MAX_OPS:
            if sp.simplify(difference.rewrite(sp.exp)) == 0:
                return "symbolic: simplify(lhs - rhs) = 0"
    except Exception:  # SymPy raises StopIteration, NotImplementedError... on some sums
        return ""
    return ""


PROBE_POINTS = 3
# a variable with any of these properties cannot be sampled from a real interval honestly
_UNSAMPLEABLE = (
    "integer",
    "rational",
    "algebraic",
    "irrational",
    "transcendental",
    "zero",
    "imaginary",
    "infinite",
    "noninteger",
    "prime",
    "composite",
    "even",
    "odd",
)


def differ_at_random_points(a: sp.Basic, b: sp.Basic) -> bool:
    """True when a and b take clearly different values at random real points: simplify(a - b)
    cannot then be 0, and is not worth its time (it can take a third of a second to give up).

    Only for a and b whose every variable is a Symbol, a numbered entry (x_1, w_{21}: simplify
    treats it as one more variable) or an undefined function's value that may be any real
    number in its sign range; anything else (a symbolic index w_i, integers) answers False, and
    so does any point where either side is not finite. A true identity agrees to rounding.
    """
    entries = a.atoms(sp.Indexed) | b.atoms(sp.Indexed)
    if any(not index.is_Integer for entry in entries for index in entry.indices):
        return False
    variables = a.atoms(AppliedUndef) | b.atoms(AppliedUndef)
    variables |= (leaves(a) | leaves(b)) if entries else (a.free_symbols | b.free_symbols)
    rng = np.random.default_rng(3)
    values = {}
    for v in sorted(variables, key=sp.default_sort_key):
        if any(getattr(v, f"is_{fact}") for fact in _UNSAMPLEABLE):
            return False
        magnitude = rng.uniform(0.5, 2.0, size=PROBE_POINTS)
        if v.is_nonnegative:
            values[v] = magnitude
        elif v.is_nonpositive:
            values[v] = -magnitude
        else:
            values[v] = magnitude * rng.choice([-1.0, 1.0], size=PROBE_POINTS)
    try:
        va, vb = numeric_values([a, b], values)
    except EvaluationError:
        return False
    finite = np.isfinite(va) & np.isfinite(vb)
    apart = ~np.isclose(va, vb, rtol=1e-6, atol=1e-9)
    return bool(finite.all() and apart.all())


def numeric_equal(a: sp.Basic, b: sp.Basic, domain: Domain, seed: int = 0) -> tuple[bool, str]:
    """Compare a and b at random points of every concrete instance of the domain."""
    rng = np.random.default_rng(seed)
    symbols = symbols_through(a, domain.definitions) | symbols_through(b, domain.definitions)
    count = 0
    described = set()
    for subs in instances(domain, symbols):
        ca, cb = concrete(a, domain, subs), concrete(b, domain, subs)
        if not (written_out(ca) and written_out(cb)):
            return False, f"could not make concrete at {subs}"
        atoms = leaves(ca) | leaves(cb)
        values = sample(domain, atoms, subs, N_POINTS, rng)
        va, vb = numeric_values([ca, cb], values)
        ok_points = np.isfinite(va) & np.isfinite(vb)
        if not ok_points.all():
            return False, f"not finite at {subs}"
        close = np.isclose(va, vb, rtol=RTOL, atol=ATOL)
        if not close.all():
            bad = int(np.argmin(close))
            point = {str(k): round(float(v[bad]), 4) for k, v in values.items()}
            where = {str(k): int(v) for k, v in subs.items()}
            return False, (
                f"at {where} {point}: previous line = {complex(va[bad]).real:.6g}, "
                f"this line = {complex(vb[bad]).real:.6g}"
            )
        count += N_POINTS
        described.update(f"{k}={v}" for k, v in subs.items() if k in domain.sizes)
    sizes = ", ".join(sorted(described))
    where = f" ({sizes})" if sizes else ""
    assumptions = "; ".join(domain.assumptions)
    tail = f"; {assumptions}" if assumptions else ""
    return True, f"numeric: {count} random points{where}{tail}"


def _all_symbols(expr: sp.Basic) -> set:
    """Every symbol in expr, including those inside Sum limits and Derivative variables."""
    return set(expr.atoms(sp.Symbol))


def check_equal(a: sp.Basic, b: sp.Basic, domain: Domain) -> tuple[bool, str]:
    proof = symbolic_equal(a, b)
    if proof:
        return True, proof
    return numeric_equal(a, b, domain)


STEP_SIZES = 3  # step checks use the first sizes (K = 2, 3, 4); cross-checks use all


def verify_chain(chain: Chain, domain: Domain, name: str) -> None:
    """Prove each step equal to the line before: symbolically, else at shared random points."""
    lines = [chain.lhs] + [step.rhs for step in chain.steps]
    numeric_pairs = []
    for number, step in enumerate(chain.steps, start=1):
        proof = symbolic_equal(lines[number - 1], step.rhs)
        if proof:
            step.verified_by = proof
        else:
            numeric_pairs.append(number)
    if not numeric_pairs:
        return
    needed = sorted({n for pair in numeric_pairs for n in (pair - 1, pair)})
    if domain.lazy:
        _verify_lazily(chain, domain, name, lines, numeric_pairs, needed)
        return
    symbols = set().union(*(symbols_through(lines[n], domain.definitions) for n in needed))
    sizes = {s: v[:STEP_SIZES] for s, v in domain.sizes.items()}
    rng = np.random.default_rng(0)
    count, seen = 0, set()
    for subs in instances(domain, symbols, sizes):
        exprs = {n: concrete(lines[n], domain, subs) for n in needed}
        for n, e in exprs.items():
            if not written_out(e):
                raise DerivationError(f"{name}: line {n} cannot be made concrete at {_where(subs)}")
        atoms = set().union(*(leaves(e) for e in exprs.values()))
        values = sample(domain, atoms, subs, N_POINTS, rng)
        evaluated = dict(zip(exprs, numeric_values(list(exprs.values()), values), strict=True))
        for number in numeric_pairs:
            before, after = evaluated[number - 1], evaluated[number]
            close = np.isclose(before, after, rtol=RTOL, atol=ATOL) & np.isfinite(after)
            if not close.all():
                bad = int(np.argmin(close))
                point = {str(k): round(float(v[bad]), 4) for k, v in values.items()}
                step = chain.steps[number - 1]
                raise DerivationError(
                    f"{name}: step {number} of '{chain.title or chain.lhs}' ({step.why}) does not "
                    f"equal the line before it: at {_where(subs)} {point} the line before is "
                    f"{before[bad]:.6g}, this line is {after[bad]:.6g}"
                )
        count += N_POINTS
        seen.update(f"{k}={v}" for k, v in subs.items() if k in domain.sizes)
    where = f" ({', '.join(sorted(seen))})" if seen else ""
    tail = f"; {'; '.join(domain.assumptions)}" if domain.assumptions else ""
    for number in numeric_pairs:
        chain.steps[number - 1].verified_by = f"numeric: {count} random points{where}{tail}"


LAZY_RTOL = 1e-7  # five-point differences (ε = 1e-3) are accurate to about 1e-11
SMOOTH_TRIES = 4  # point sets drawn before a line with too few smooth points is an error


def _verify_lazily(chain, domain, name, lines, numeric_pairs, needed):
    """Numeric check with definitions evaluated lazily; derivatives by central differences."""
    rng = np.random.default_rng(0)
    symbols = set().union(*(_all_symbols(lines[n]) for n in needed))
    count = 0
    for subs in instances(domain, symbols):
        exprs = {n: lines[n].xreplace(subs) for n in needed}
        leaves = set().union(
            *(Definitions(domain.definitions, {}).leaves(e) for e in exprs.values())
        )
        for _ in range(SMOOTH_TRIES):  # deep ReLU networks: redraw where kinks took the points
            values = sample(domain, leaves, subs, N_POINTS, rng)
            env = Definitions(domain.definitions, values)
            evaluated = {
                n: np.broadcast_to(np.asarray(evaluate(e, values, env), dtype=float), (N_POINTS,))
                for n, e in exprs.items()
            }
            if all(np.isfinite(evaluated[k - 1]).sum() >= N_POINTS // 2 for k in numeric_pairs):
                break
        for number in numeric_pairs:
            before, after = evaluated[number - 1], evaluated[number]
            usable = np.isfinite(before)  # NaN: a difference quotient across a kink
            if usable.sum() < N_POINTS // 2:
                raise DerivationError(
                    f"{name}: step {number} of '{chain.title or chain.lhs}' could not be "
                    f"checked at {_where(subs)}: too few points where the function is smooth"
                )
            close = ~usable | (
                np.isclose(before, after, rtol=LAZY_RTOL, atol=1e-9) & np.isfinite(after)
            )
            if not close.all():
                bad = int(np.argmin(close))
                step = chain.steps[number - 1]
                raise DerivationError(
                    f"{name}: step {number} of '{chain.title or chain.lhs}' ({step.why}) does not "
                    f"equal the line before it at {_where(subs)}: {before[bad]:.8g} vs {after[bad]:.8g}"
                )
        count += N_POINTS
    tail = f"; {'; '.join(domain.assumptions)}" if domain.assumptions else ""
    how = (
        f"numeric: {count} random points, each quantity evaluated through its definition, "
        f"∂L/∂θ by five-point central differences of the forward pass (rtol {LAZY_RTOL:g}; "
        f"points where the function is not smooth within ε are left out){tail}"
    )
    for number in numeric_pairs:
        chain.steps[number - 1].verified_by = how


def _where(subs):
    return {str(k): int(v) for k, v in subs.items()}


def verify(derivation: Derivation) -> Derivation:
    """Verify every step and run every cross-check; raise DerivationError naming a failure."""
    if derivation.verified:
        return derivation
    for chain in derivation.chains:
        verify_chain(chain, chain.domain or derivation.domain, derivation.name)
    derivation.checks = []
    for run in derivation.cross_checks:
        check = run()
        derivation.checks.append(check)
        if not check.passed:
            raise DerivationError(
                f"{derivation.name}: cross-check failed: {check.name}: {check.detail}"
            )
    derivation.verified = True
    return derivation
