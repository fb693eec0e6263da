"""Independent routes to a result: direct differentiation of the expanded composition, and
central finite differences. Neither uses the steps of the derivation.

Both work on concrete instances (K = 2..6, small layer sizes): every Sum written out with
explicit symbols, so SymPy differentiates the whole composition directly.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.concrete import differentiate, leaves
from derive.model import Check, Domain
from derive.substitute import symbols_through
from derive.verify import concrete, instances, numeric_values, sample

EPS = 1e-6
FD_RTOL = 1e-6
N_POINTS = 16


def _compare(name, pairs, detail_ok, rtol, atol):
    """Each pair must agree wherever the function itself is defined (log z at z < 0 is not a
    counterexample); a function defined at under a quarter of the points is a failed check."""
    for where, got, want, defined in pairs:
        if defined.sum() < defined.size / 4:
            message = (
                "the function is undefined at most of the sampled points, so it cannot be checked"
            )
            return Check(name, f"at {where}: {message}", False)
        close = ~defined | (np.isclose(got, want, rtol=rtol, atol=atol) & np.isfinite(got))
        if not close.all():
            bad = int(np.argmin(close))
            return Check(
                name,
                f"at {where}: expected {complex(want[bad]).real:.8g}, got {complex(got[bad]).real:.8g}",
                False,
            )
    return Check(name, detail_ok, True)


def _sizes_text(seen):
    return ", ".join(sorted(seen)) if seen else "scalar"


def _instances(function, wrt, claim, domain, sizes, rng, extra=lambda f, w: set()):
    """(where, f, w, claim, sampled values, where f is defined) for each concrete instance."""
    symbols = _symbols_of(function, wrt, claim, domain)
    for subs in instances(domain, symbols, sizes):
        f = concrete(function, domain, subs)
        w = concrete(wrt, domain, subs)
        c = concrete(claim, domain, subs)
        atoms = leaves(f) | leaves(c) | {w} | extra(f, w)
        values = sample(domain, atoms, subs, N_POINTS, rng)
        (f_values,) = numeric_values([f], values)
        yield subs, f, w, c, values, np.isfinite(f_values)


def direct(function: sp.Expr, wrt: sp.Expr, claim: sp.Expr, domain: Domain, sizes=None) -> Check:
    """d function / d wrt, by SymPy on the expanded composition, equals claim at random points."""
    rng = np.random.default_rng(7)
    pairs, seen = [], set()
    derivatives = {}

    def derivative_atoms(f, w):
        derivatives[(f, w)] = differentiate(sp.Derivative(f, w))
        return leaves(derivatives[(f, w)])

    for subs, f, w, c, values, defined in _instances(
        function, wrt, claim, domain, sizes, rng, derivative_atoms
    ):
        got, want = numeric_values([c, derivatives[(f, w)]], values)
        pairs.append((_where(subs), got, want, defined))
        seen.update(f"{k}={v}" for k, v in subs.items() if k in domain.sizes)
    name = "direct differentiation of the expanded composition"
    detail = f"{N_POINTS * len(pairs)} random points ({_sizes_text(seen)}), L differentiated as one explicit expression of the parameters"
    return _compare(name, pairs, detail, 1e-8, 1e-10)


def finite_differences(
    function: sp.Expr, wrt: sp.Expr, claim: sp.Expr, domain: Domain, sizes=None
) -> Check:
    """Central differences (f(w + ε) - f(w - ε)) / 2ε of the evaluated function equal claim."""
    rng = np.random.default_rng(11)
    pairs, seen = [], set()
    for subs, f, w, c, values, defined in _instances(function, wrt, claim, domain, sizes, rng):
        (want,) = numeric_values([c], values)
        plus, minus = dict(values), dict(values)
        plus[w] = values[w] + EPS
        minus[w] = values[w] - EPS
        (f_plus,) = numeric_values([f], plus)
        (f_minus,) = numeric_values([f], minus)
        got = (f_plus - f_minus) / (2 * EPS)
        pairs.append(
            (_where(subs), got, want, defined & np.isfinite(f_plus) & np.isfinite(f_minus))
        )
        seen.update(f"{k}={v}" for k, v in subs.items() if k in domain.sizes)
    name = "central finite differences"
    detail = f"{N_POINTS * len(pairs)} random points ({_sizes_text(seen)}), ε = {EPS:g}, rtol {FD_RTOL:g}"
    return _compare(name, pairs, detail, FD_RTOL, 1e-7)


def _symbols_of(*exprs_and_domain):
    *exprs, domain = exprs_and_domain
    return set().union(*(symbols_through(e, domain.definitions) for e in exprs))


def _where(subs):
    return {str(k): int(v) for k, v in subs.items()}


def standard(function, wrt, claim, domain, sizes=None):
    """The two independent checks every gradient result gets, as deferred callables."""
    return [
        lambda: direct(function, wrt, claim, domain, sizes),
        lambda: finite_differences(function, wrt, claim, domain, sizes),
    ]
