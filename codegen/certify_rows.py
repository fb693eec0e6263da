"""The grid check of a softmax layer's Δ line: rows of logits reaching |z| = 1000.

:mod:`codegen.certify` checks elementwise lines, each input a function of one z. A softmax
output is a function of a whole row, so its Δ (read from P = softmax(Z) and the targets Y) is
checked here on rows of K = 3 logits (z, 0.1 − 0.4z, 0.3z − 0.2) for each z of
:data:`codegen.certify.Z_GRID`, with a one-hot target at each entry in turn. P is computed in
the module's dtype as the module computes it (through the logsumexp helper), the line is run
on it as printed, and compared with the derived line evaluated with mpmath at the exact
softmax of the same (rounded) logits. A point passes within

    (4 + operations) · ε · (1 + κ) · |exact|  (+ the dtype's smallest normal number),

the operations those of the line and of the softmax forward, κ = Σ_k |z_k ∂f/∂z_k| / |f| the
condition number in the logits: the module's true inputs are Z, not the rounded P.

>>> import sympy as sp
>>> P, Y = sp.IndexedBase("P"), sp.IndexedBase("Y")
>>> n, i = sp.symbols("n i", integer=True, positive=True)
>>> check(P[n, i] - Y[n, i], "float64").failures  # 1 − p rounded where p ≈ 1
('inaccurate (relative error 1) for z in [-1000, -8] and [8, 1000]',)
>>> line, certificate, notes = certified(P[n, i] - Y[n, i], "float64")
>>> line, certificate.ok
(softmax_minus_target(P[n, i], Y[n, i]), True)
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

from codegen import certify, exact
from codegen.rewrites import note, softmax_complement

UNITS = 3
_SHAPE = ((1.0, 0.0), (-0.4, 0.1), (0.3, -0.2))  # entry k of a row: a·z + b
ROW_REWRITES = (softmax_complement,)
_FORWARD_OPERATIONS = UNITS + 4  # exp(z − log Σ_k e^{z_k}) for one entry


def rows(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """(Z, Y), both (3·len(Z_GRID), 3) in dtype: each grid row of logits with each one-hot target."""
    lead = np.repeat(certify.Z_GRID, UNITS)
    Z = np.stack([a * lead + b for a, b in _SHAPE], axis=1).astype(dtype)
    Y = np.tile(np.eye(UNITS), (len(certify.Z_GRID), 1)).astype(dtype)
    return Z, Y


def _entries(expr):
    """(the P atom, the Y atom) of a line reading P[n, i] and Y[n, i] only, or None."""
    atoms = {a.base.label.name: a for a in expr.atoms(sp.Indexed)}
    entries = {a.indices for a in expr.atoms(sp.Indexed)}
    if set(atoms) - {"P", "Y"} or "P" not in atoms or len(entries) != 1:
        return None
    return atoms["P"], atoms.get("Y", sp.IndexedBase("Y")[atoms["P"].indices])


def _module_values(expr, dtype, Z, Y) -> np.ndarray:
    """expr as the module computes it: P = exp(Z − logsumexp(Z)) in dtype, then expr printed."""

    def arrays(namespace):  # P as the module's softmax gives it, with its own logsumexp
        return {"P": np.exp(Z - namespace["logsumexp"](Z)[:, None]), "Y": Y}

    out, code = certify.run_printed(expr, _entries(expr)[0].indices, arrays, {"logsumexp"})
    return np.broadcast_to(np.asarray(out, dtype=dtype), Z.shape), code


def check(expr: sp.Expr, dtype: str, reference: sp.Expr | None = None) -> certify.Certificate:
    """Certify the Δ line ``expr`` (in P[n, i], Y[n, i]) on softmax rows in dtype; reference:
    the line whose exact values it must reproduce (default expr itself). Raises
    certify.NotCertifiable for a line reading anything else (a sum over the row...)."""
    reference = expr if reference is None else reference
    if _entries(expr) is None or _entries(reference) is None:
        raise certify.NotCertifiable(f"not a line of softmax entries: {sp.sstr(expr)}")
    return _check(expr, dtype, reference)


@functools.cache
def _check(expr, dtype, reference) -> certify.Certificate:
    Z, Y = rows(dtype)
    computed, code = _module_values(expr, dtype, Z, Y)
    p_atom, y_atom = _entries(reference)
    slope = sp.diff(reference, p_atom)
    slack = 4 + sp.count_ops(reference) + _FORWARD_OPERATIONS
    info, digits = np.finfo(dtype), certify.DIGITS[dtype]
    failing, worst, worst_relative = [], 0.0, 0.0
    with mpmath.workdps(digits):
        for r in range(len(Z)):
            z = [mpmath.mpf(float(v)) for v in Z[r]]
            top = max(z)
            weights = [mpmath.exp(v - top) for v in z]
            p = [w / mpmath.fsum(weights) for w in weights]
            for k in range(UNITS):
                point = {p_atom: p[k], y_atom: float(Y[r, k])}
                value = exact.evaluate(reference, point, digits)
                dp = exact.evaluate(slope, point, digits)  # ∂f/∂p_k; ∂p_k/∂z_l = p_k(δ_kl − p_l)
                spread = sum(abs(z[l] * p[k] * ((l == k) - p[l])) for l in range(UNITS))
                kappa = float(abs(dp) * spread / abs(value)) if value != 0 else 0.0
                tolerance = slack * float(info.eps) * (1 + kappa) * abs(float(value))
                error = abs(float(computed[r, k]) - float(value))
                ratio = error / (tolerance + float(info.tiny))
                worst = max(worst, ratio) if np.isfinite(ratio) else np.inf
                if not ratio <= 1:
                    failing.append(certify.Z_GRID[r // UNITS])
                    if value != 0:
                        worst_relative = max(worst_relative, error / abs(float(value)))
    failures = ()
    if failing:
        where = certify._interval(failing)
        failures = (f"inaccurate (relative error {worst_relative:.2g}) for z in {where}",)
    return certify.Certificate(code, dtype, computed.size, worst, failures, len(failing))


@functools.cache
def certified(expr: sp.Expr, dtype: str):
    """(line, certificate, notes): expr, or its row rewrite if that fails at fewer rows."""
    certificate = check(expr, dtype)
    for rewrite in ROW_REWRITES:
        if certificate.ok:
            break
        trial = rewrite(expr)
        if trial == expr:
            continue
        trial_certificate = check(trial, dtype, reference=expr)
        if trial_certificate.bad < certificate.bad:
            expr, certificate = trial, trial_certificate
            return expr, certificate, (note(rewrite),)
    return expr, certificate, ()


__all__ = ["ROW_REWRITES", "UNITS", "certified", "check", "rows"]
