"""Rewrites tried on a line the grid check (:mod:`codegen.certify`) finds unstable.

Each is an identity (checked again at sample points when used) with a one-line docstring that
the generated header quotes. :func:`certified` applies them greedily: a rewrite is kept when it
leaves fewer grid points failing, until the line passes or none is left.

>>> import sympy as sp
>>> h, z = sp.symbols("h z", real=True)
>>> line, certificate, notes = certified(1 - sp.exp(-h), "float64", {"h": stable.softplus(z)})
>>> line, certificate.ok, notes
(-expm1(-h), True, ('1 − exp(x) → −expm1(x), log(1 + x) → log1p(x)',))
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy.codegen.rewriting import expm1_opt, log1p_opt, optimize

from codegen import certify, exact, stable
from codegen.branches import masked_branches, taken_branches
from codegen.softmax_rows import softmax_minus_target
from derive.functions import sigmoid

_SIMPLIFY_LIMIT = 40  # operations: sp.simplify beyond this is slow and rarely shorter


def stable_primitives(expr):
    """log σ → −softplus, log(1 + e^x) → softplus, e^x/(1 + e^x) → σ (codegen.stable)."""
    return stable.stabilise(expr)


def expm1_log1p(expr):
    """1 − exp(x) → −expm1(x), log(1 + x) → log1p(x)."""
    return optimize(expr, [expm1_opt, log1p_opt])


def one_minus_sigmoid(expr):
    """1 − σ(x) → σ(−x), also inside a longer sum: no cancellation where σ(x) ≈ 1."""

    def pair(e):
        """(the constant, the σ term, its replacement) of a sum holding ±(1 − σ(x)), or None."""
        constant = e.as_coeff_Add()[0]
        if constant not in (1, -1):
            return None
        for term in e.args:
            if isinstance(-constant * term, sigmoid):
                return constant, term, constant * sigmoid(-(-constant * term).args[0])
        return None

    return expr.replace(
        lambda e: isinstance(e, sp.Add) and pair(e) is not None,
        lambda e: e - pair(e)[0] - pair(e)[1] + pair(e)[2],
    )


def erf_complement(expr):
    """1 ± erf(x) → erfc(∓x), also inside a longer sum: no cancellation where erf(x) ≈ ∓1."""

    def pair(e):
        """(the constant k, the term c·erf(u) with c = ±k, k·(1 + erf(±u))), or None."""
        constant = e.as_coeff_Add()[0]
        if constant == 0:
            return None
        for term in e.args:
            coefficient, factor = term.as_coeff_Mul()
            if isinstance(factor, sp.erf) and abs(coefficient) == abs(constant):
                sign = coefficient / constant
                return constant, term, constant * stable.one_plus_erf(sign * factor.args[0])
        return None

    return expr.replace(
        lambda e: isinstance(e, sp.Add) and pair(e) is not None,
        lambda e: e - pair(e)[0] - pair(e)[1] + pair(e)[2],
    )


def clamped_exponentials(expr):
    """e^x → e^{min(x, 690)}: a finite factor, where inf times a vanishing one is NaN."""
    return expr.replace(lambda e: isinstance(e, sp.exp), lambda e: stable.exp_clamped(e.args[0]))


def clamped_exponentials_single(expr):
    """e^x → e^{min(x, 80)}: a factor finite in float32, where inf times a vanishing one is NaN."""
    return expr.replace(
        lambda e: isinstance(e, sp.exp | stable.exp_clamped),
        lambda e: stable.exp_clamped_single(e.args[0]),
    )


def in_logits(expr, inputs):
    """p read as g(z) from the logits, then the stable primitives (log σ(z) → −softplus(−z))."""
    outputs = [a for a in expr.atoms(sp.Indexed) if a.base.label.name == "P" and "P" in inputs]
    if not outputs:
        return expr
    forward = inputs["P"]
    z = next((s for s in forward.free_symbols if s.name == "z"), None)
    logits = {a: forward.xreplace({z: sp.IndexedBase("Z")[a.indices]}) for a in outputs}
    written = expr.xreplace(logits).replace(  # log e^x = x (x real)
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.exp),
        lambda e: e.args[0].args[0],
    )
    return one_minus_sigmoid(stable.stabilise(one_minus_sigmoid(written)))


def factored_in_logits(expr, inputs):
    """A·(1 − y) + B·y with A, B factored, then read in the logits: no cancellation at y = 1.

    For a line linear in the target y; the coefficients of A and B beside their logarithms are
    factored: p³ − 3p²y + 3py − y is p³(1 − y) + (p − 1)³y, whose (p − 1)³ is −σ(−z)³ in the
    logits, exact where the expanded form cancels (the focal loss at z ≫ 0).
    """
    targets = [a for a in expr.atoms(sp.Indexed) if a.base.label.name in ("Y", "y")]
    targets = targets or [s for s in expr.free_symbols if s.name in ("Y", "y")]
    if len(targets) != 1 or sp.diff(expr, targets[0], 2) != 0:
        return expr
    (target,) = targets
    ends = [_factored_terms(expr.xreplace({target: value})) for value in (0, 1)]
    ends = [_softplus_less_its_argument(in_logits(end, inputs)) for end in ends]
    return ends[0] * (1 - target) + ends[1] * target


def _softplus_less_its_argument(expr):
    """softplus(u) − u → softplus(−u) (the logistic loss at y = 1 for u ≫ 0)."""

    def pair(e):
        for term in e.args:
            if isinstance(term, stable.softplus) and -term.args[0] in e.args:
                return term
        return None

    return expr.replace(
        lambda e: isinstance(e, sp.Add) and pair(e) is not None,
        lambda e: e - pair(e) + pair(e).args[0] + stable.softplus(-pair(e).args[0]),
    )


def _factored_terms(expr):
    """expr as Σ factor(coefficient)·log(…) + factor(rest)."""
    logs = sorted(expr.atoms(sp.log), key=sp.default_sort_key)
    parts = sp.collect(sp.expand(expr), logs, evaluate=False)
    return sp.Add(*(sp.factor(coefficient) * atom for atom, coefficient in parts.items()))


def scaled_ratio(expr):
    """A ratio of sums of e^{a·x} divided through by its largest term: no inf/inf.

    4e^{2x}/(e^{4x} + 2e^{2x} + 1) → where(x > 0, 4e^{−2x}/(1 + 2e^{−2x} + e^{−4x}), as it is):
    for x > 0 the top exponent of the denominator dominates, for x < 0 the bottom one.
    """
    variables = expr.atoms(sp.Indexed) or {s for s in expr.free_symbols if not s.is_integer}
    if len(variables) != 1:
        return expr
    (x,) = variables
    top, bottom = sp.fraction(sp.together(sp.powsimp(expr, combine="exp")))
    exponents = _exponents(sp.expand(bottom), x)
    if exponents is None or len(set(exponents)) < 2 or _exponents(sp.expand(top), x) is None:
        return expr

    def divided(a):
        scale = sp.exp(-a * x)
        over = [sp.powsimp(sp.expand(part * scale), combine="exp") for part in (top, bottom)]
        return over[0] / over[1]

    # each branch reads x only where it is taken (0 elsewhere): the other one cannot overflow
    positive = divided(max(exponents)).xreplace({x: sp.Piecewise((x, x > 0), (0, True))})
    negative = divided(min(exponents)).xreplace({x: sp.Piecewise((x, x <= 0), (0, True))})
    return sp.Piecewise((positive, x > 0), (negative, True))


def _exponents(polynomial, x):
    """The a of each term c·e^{a·x} of a sum (c and a numbers), or None if it is not one."""
    out = []
    for term in sp.Add.make_args(polynomial):
        exponent = sp.S.Zero
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, sp.exp):
                exponent += factor.args[0]
            elif factor.has(x):
                return None
        a = sp.expand(exponent).coeff(x)
        if not (a.is_Number and sp.expand(exponent - a * x) == 0):
            return None
        out.append(a)
    return out


def combined_exponentials(expr):
    """e^a·e^b → e^{a+b}, so no factor overflows while the product does not."""
    return sp.powsimp(expr, combine="exp")


def simplified(expr):
    """SymPy's simplify, then the stable primitives.

    (e^z − e^{−z})/(e^z + e^{−z}) → tanh z: an inf/inf ratio becomes its stable form.
    """
    if sp.count_ops(expr) > _SIMPLIFY_LIMIT:
        return expr
    return stable.stabilise(sp.simplify(expr))


def softmax_complement(expr):
    """p − y → softmax_minus_target(p, y): 1 − p of a row's top p summed from the others.

    Σ_k p_k = 1, so p_t − y_t = (1 − y_t) − Σ_{k≠t} p_k: where the row's top p is above ½,
    its complement is the sum of the other (small) entries, never 1 minus a rounded p.
    A row rewrite: :mod:`codegen.certify_rows` checks it, on rows of logits.
    """

    def pair(e):
        """(the P entry, the Y entry) of a sum holding P[n, i] − Y[n, i], or None."""
        named = {t.base.label.name: t for t in e.args if isinstance(t, sp.Indexed)}
        minus = {(-t).base.label.name: -t for t in e.args if isinstance(-t, sp.Indexed)}
        if "P" in named and "Y" in minus and named["P"].indices == minus["Y"].indices:
            return named["P"], minus["Y"]
        return None

    return expr.replace(
        lambda e: isinstance(e, sp.Add) and pair(e) is not None,
        lambda e: e - pair(e)[0] + pair(e)[1] + softmax_minus_target(*pair(e)),
    )


REWRITES = (
    stable_primitives,
    one_minus_sigmoid,
    in_logits,
    factored_in_logits,
    simplified,
    expm1_log1p,
    combined_exponentials,
    scaled_ratio,
    masked_branches,
    erf_complement,
    clamped_exponentials,
    clamped_exponentials_single,
)


def note(rewrite) -> str:
    return rewrite.__doc__.splitlines()[0].rstrip(".")


@functools.cache
def _certified(expr, dtype, inputs):
    given = dict(inputs)
    current, certificate = expr, certify.check(expr, dtype, given)
    original = expr  # what a rewrite that is no identity (the clamp) must reproduce
    notes: list[str] = []
    for _ in range(len(REWRITES)):  # each round keeps the rewrite that helps most
        if certificate.ok:
            break
        best = None
        for rewrite in REWRITES:
            trial = _tried(rewrite, current, dtype, given, original)
            if trial is not None and trial[1].bad < (best or (0, certificate))[1].bad:
                best = (trial[0], trial[1], note(rewrite))
        if best is None:
            break
        current, certificate = best[0], best[1]
        notes.append(best[2])
    current, certificate, quiet = _quieted(current, certificate, dtype, given, original)
    return current, certificate, (*notes, *quiet)


# a line that is accurate yet overflows in a branch np.where does not take (NumPy warns)
_QUIETING = (
    (taken_branches,),
    (clamped_exponentials,),
    (taken_branches, clamped_exponentials),
    (clamped_exponentials_single,),  # float32 overflows below e^690
    (taken_branches, clamped_exponentials_single),
)


def _quieted(expr, certificate, dtype, given, original):
    """(line, certificate, notes): expr, or the first of _QUIETING's rewrites of it that runs
    on the grid without a floating-point warning and is still accurate. A line already
    inaccurate is left as it is: the header reports it, and a quiet wrong value is worse."""
    if not certificate.ok or not certify.warns(expr, dtype, given):
        return expr, certificate, ()
    for rewrites in _QUIETING:
        line, checked = expr, certificate
        for rewrite in rewrites:
            trial = _tried(rewrite, line, dtype, given, original)
            if trial is None:
                break
            line, checked = trial
        else:
            if checked.ok and not certify.warns(line, dtype, given):
                return line, checked, tuple(note(rewrite) for rewrite in rewrites)
    return expr, certificate, ()


def _tried(rewrite, expr, dtype, given, original):
    """(rewritten, its certificate), or None if the rewrite changes nothing or fails. Identities
    are checked against their own exact values (at a kink, the convention may change), the
    clamp, which is none beyond its cap, against the original line's."""
    trial = rewrite(expr, given) if rewrite in (in_logits, factored_in_logits) else rewrite(expr)
    if trial == expr or not _same_values(expr, trial, given):
        return None
    reference = original if trial.has(stable.exp_clamped) else None
    try:
        return trial, certify.check(trial, dtype, given, reference=reference)
    except certify.NotCertifiable:
        return None


def certified(expr: sp.Expr, dtype: str, inputs: dict):
    """(line, certificate, notes): expr, or a rewrite of it that the grid check passes (or, if
    none does, the one failing at the fewest points), and the rewrites it took."""
    return _certified(expr, dtype, tuple(sorted(inputs.items())))


_SAMPLES = (-2.5, -0.7, -0.1, 0.3, 1.2, 3.1)


def _same_values(before, after, inputs) -> bool:
    """The rewrite is an identity at sample points (relative 1e-20, 40 digits)."""
    arrays = certify.arrays_of(before) | certify.arrays_of(after)
    for n, value in enumerate(_SAMPLES):
        point = {}
        for name, atom in arrays.items():
            if name in inputs:
                source = inputs[name]
                at = {s: value for s in source.free_symbols if s.name == "z"}
                point[atom] = exact.evaluate(source, at, 40)
            elif name in ("Y", "y"):
                point[atom] = 0.25 * n
            else:
                point[atom] = value
        try:
            a, b = (exact.evaluate(e, point, 40) for e in (before, after))
        except (exact.NotEvaluable, ZeroDivisionError, ValueError):
            return False
        if abs(a - b) > 1e-20 * max(abs(a), abs(b), 1):
            return False
    return True


__all__ = ["REWRITES", "certified", "note"]
