"""More ways of going wrong, as transformations of the expected result or of the answer, for
:class:`check.diagnose.Diagnoser`: each rule returns (expression, diagnosis) pairs, or
(expression, diagnosis, "answer") for a transformed answer that should equal the result.

Every rule is general (it reads the result's structure, never a particular question):

- inside a sum nested in the result: a term missing or with its sign flipped (1 − e^{−z}
  for 1 + e^{−z}; softmax with a term of its denominator missing, Σ_{l≠i});
- an index changed (p_1 − y_2 for p_1 − y_1, δ_i h_i for δ_i h_j) or a matrix read with its
  rows and columns swapped (W_{21} for W_{12}), or two index values swapped (δ_2 h_1 for
  δ_1 h_2);
- a factor left out or one too many (δ_i h_i for δ_i; (p − y)p(1 − p) for p − y);
- p and y swapped in the numerator or the denominator only ((p − y)/(y(1 − y)));
- the reciprocal (coth for tanh), min for max, exp(z) left out (z_1/Σ z_l for softmax).

>>> import sympy as sp
>>> p, y = sp.symbols("p y")
>>> [m for _, m, *_ in factors(p - y, (p - y) * p)][:1]
['an extra factor p: the answer is p times the correct result']
"""

from __future__ import annotations

from itertools import combinations

import sympy as sp

from derive.render.printer import text as show

_MAX_OPS = 60  # results larger than this get only the cheap rules (the checker's time limit)
_SMALL_INDICES = (1, 2, 3)


def nested_terms(e: sp.Expr) -> list:
    """A term missing from, or sign-flipped in, a sum inside the result (not the top level,
    which Diagnoser tries itself); for Σ_l f(l), the term of the result's own index or of the
    last l missing."""
    if sp.count_ops(e) > _MAX_OPS:
        return []
    tries = []
    for s in sorted(e.atoms(sp.Add), key=sp.default_sort_key):
        if s == e or len(s.args) > 6:
            continue
        for t in s.args:
            tries.append((e.xreplace({s: s - t}), f"missing term {show(t)} in {show(s)}"))
            tries.append(
                (e.xreplace({s: s - 2 * t}), f"sign error in the term {show(t)} of {show(s)}")
            )
    for s in sorted(e.atoms(sp.Sum), key=sp.default_sort_key):
        if len(s.limits) != 1:
            continue
        dummy, _, upper = s.limits[0]
        outside = {ix for x in _indexed(e) for ix in x.indices}
        picks = sorted(outside, key=sp.default_sort_key) + [upper]
        for x in picks:
            t = s.function.xreplace({dummy: x})
            tries.append((e.xreplace({s: s - t}), f"missing term {show(t)} in {show(s)}"))
        for x in sorted(_free_indices(e) - {dummy}, key=sp.default_sort_key):
            t = s.function.xreplace({dummy: x})  # W_jj δ_j for Σ_m W_mj δ_m: one term alone
            only = f"missing terms: only the term {show(t)} of {show(s)} is written"
            tries.append((e.xreplace({s: t}), only))
        lower = s.limits[0][1]
        first = s.function.xreplace({dummy: lower})
        tries.append(
            (e.xreplace({s: first}), f"missing terms: only {show(first)} of {show(s)} is written")
        )
        for m in (2, 3, 4):  # the sum stopped early (an entry past the sizes is not sampled)
            if (upper - lower).is_Integer and m > upper - lower:
                break
            part = sp.Add(*(s.function.xreplace({dummy: lower + n}) for n in range(m)))
            tries.append((e.xreplace({s: part}), f"missing terms: only the first {m} of {show(s)}"))
    return tries


def reciprocal_and_relatives(e: sp.Expr) -> list:
    """1/result (coth for tanh), min for max, and exp(x) written as x, everywhere or in one sum or one side of a fraction only (z_i/Σ_l z_l for softmax)."""
    tries = [(1 / e, f"the reciprocal: {show(1 / e)} instead of {show(e)} (the inverse)")]
    maxing = any(hasattr(f, "_eval_rewrite_as_Max") for f in e.atoms(sp.Function))
    maxed = e.rewrite(sp.Max) if maxing else e
    if maxed.has(sp.Max):
        tries.append(
            (maxed.replace(sp.Max, sp.Min), f"min instead of max: {show(maxed)} takes the max")
        )
    if e.has(sp.exp) and sp.count_ops(e) <= _MAX_OPS:
        bare = e.replace(sp.exp, lambda x: x)
        tries.append(
            (bare, f"the exponential left out: {show(bare)} where {show(e)} belongs (e^z, not z)")
        )
        numerator, denominator = sp.fraction(e)
        parts = [s for s in e.atoms(sp.Sum) if s.has(sp.exp)] + [numerator, denominator]
        for part in dict.fromkeys(p for p in parts if p.has(sp.exp) and p != e):
            partly = e.xreplace({part: part.replace(sp.exp, lambda x: x)})
            if partly != bare:
                tries.append(
                    (
                        partly,
                        f"the exponential left out in {show(part)}: {show(partly)} (e^z, not z)",
                    )
                )
    return tries


def indicator_forms(e: sp.Expr) -> list:
    """e with an indicator's two indices identified in its own term, which is 0 unless they
    are equal: −𝟙[ℓ = i]/p_i is also −𝟙[ℓ = i]/p_ℓ (the notes write either)."""
    forms = []
    for term in sp.Add.make_args(e):
        for d in (f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta)):
            a, b = d.args[:2]
            for old, new in ((b, a), (a, b)):
                if old.is_Symbol:
                    moved = (term / d).xreplace({old: new}) * d
                    forms.append(e - term + moved)
    return [f for f in dict.fromkeys(forms) if f != e]


def indicators(e: sp.Expr) -> list:
    """With an indicator's indices identified (:func:`indicator_forms`): the indicator left
    out (−1/p_ℓ for −𝟙[ℓ = i]/p_ℓ), and the reciprocal, also with its sign flipped."""
    forms = indicator_forms(e)
    tries = []
    for form in forms:
        for d in (f for f in sp.Mul.make_args(form) if isinstance(f, sp.KroneckerDelta)):
            tries.append((form / d, f"missing factor {show(d)} (written {show(form)})"))
        tries.append(
            (1 / form, f"the reciprocal: {show(1 / form)} instead of {show(e)} (the inverse)")
        )
    for form in [e, *forms] if forms else ():
        flipped = -1 / form
        tries.append(
            (flipped, f"sign error and the reciprocal: {show(flipped)} instead of {show(e)}")
        )
    return tries


def inner_for_outer(e: sp.Expr, a: sp.Expr) -> list:
    """An inner product Σ_k x_k y_k (xᵀy, a number) in the answer where the outer product's
    entry x_i y_j (x yᵀ) belongs, i and j the result's free indices."""
    free = sorted(
        {ix for x in _indexed(e) for ix in x.indices if ix.is_Symbol}, key=sp.default_sort_key
    )
    tries = []
    for s in sorted(a.atoms(sp.Sum), key=sp.default_sort_key):
        if len(s.limits) != 1 or len(free) < 2:
            continue
        k = s.limits[0][0]
        factors = [f for f in sp.Mul.make_args(s.function) for f in _powers(f)]
        if len(factors) != 2 or not all(isinstance(f, sp.Indexed) for f in factors):
            continue
        if any(f.indices != (k,) for f in factors):
            continue
        for i, j in ((free[0], free[1]), (free[1], free[0])):
            outer = factors[0].base[i] * factors[1].base[j]
            message = (
                f"transposed: {show(s)} (an inner product xᵀx) where {show(outer)} (the "
                "outer product x xᵀ) belongs"
            )
            tries.append((a.xreplace({s: outer}), message, "answer"))
    return tries


def _powers(f: sp.Expr) -> list:
    """x² as [x, x]; anything else as [f]."""
    base, power = f.as_base_exp()
    return [base, base] if power == 2 else [f]


def _free_indices(e: sp.Expr) -> set:
    """The index symbols of e that no sum binds (j in Σ_k W_kj δ_k)."""
    bound = {lim[0] for s in e.atoms(sp.Sum) for lim in s.limits}
    found = {ix for x in e.atoms(sp.Indexed) for ix in x.indices if ix.is_Symbol}
    return found - bound


def _indexed(e: sp.Expr) -> list:
    """The Indexed atoms of e whose indices are not bound by a sum (those can be changed)."""
    bound = set()
    for s in e.atoms(sp.Sum):
        bound |= {lim[0] for lim in s.limits}
    atoms = [a for a in e.atoms(sp.Indexed) if not (set(a.indices) & bound)]
    return sorted(atoms, key=sp.default_sort_key)


def indices(e: sp.Expr, a: sp.Expr) -> list:
    """A matrix transposed, two index values swapped, or one index changed, in the result (or,
    compared the other way, in the answer)."""
    if sp.count_ops(e) > _MAX_OPS or sp.count_ops(a) > _MAX_OPS:
        return []
    tries = []
    matrices = {x for x in e.atoms(sp.Indexed) if len(x.indices) == 2}
    if matrices:
        flipped = e.xreplace({x: x.base[x.indices[1], x.indices[0]] for x in matrices})
        if flipped != e:
            names = ", ".join(sorted({show(x.base) for x in matrices}))
            tries.append((flipped, f"transposed: the rows and columns of {names} are swapped"))
    values = sorted(
        {v for x in _indexed(e) for v in x.indices if v.is_Integer}, key=sp.default_sort_key
    )
    for u, v in combinations(values, 2):
        swap = {x: x.base[tuple({u: v, v: u}.get(ix, ix) for ix in x.indices)] for x in _indexed(e)}
        tries.append((e.xreplace(swap), f"transposed: indices {u} and {v} are swapped"))
    tries += _one_index(e, "result")
    tries += _one_index(a, "answer")
    return tries


def index_slips(e: sp.Expr) -> list:
    """e with one index changed (p_i where p_ℓ belongs), as (expression, diagnosis) pairs."""
    return _one_index(e, "result")


def _one_index(expr: sp.Expr, side: str) -> list:
    atoms = _indexed(expr)
    in_indicators = {ix for d in expr.atoms(sp.KroneckerDelta) for ix in d.args[:2]}
    symbols = sorted(
        {ix for x in atoms for ix in x.indices if ix.is_Symbol and ix.is_integer}
        | {ix for ix in in_indicators if ix.is_Symbol and ix.is_integer},
        key=str,
    )
    numbers = {ix for x in atoms for ix in x.indices if ix.is_Integer} | set(
        map(sp.Integer, _SMALL_INDICES)
    )
    choices = symbols + sorted(numbers, key=int) if len(atoms) <= 6 else []
    tries = []
    for x in atoms:
        for position, old in enumerate(x.indices):
            for new in choices:
                if new == old or (new.is_Integer != old.is_Integer and old.is_Integer):
                    continue
                moved = x.base[
                    tuple(new if n == position else ix for n, ix in enumerate(x.indices))
                ]
                changed = expr.xreplace({x: moved})
                if side == "result":
                    tries.append((changed, f"wrong index: {show(moved)} where {show(x)} belongs"))
                else:
                    tries.append(
                        (changed, f"wrong index: {show(x)} where {show(moved)} belongs", "answer")
                    )
    return tries


def _factors(expr: sp.Expr) -> list:
    if sp.count_ops(expr) > _MAX_OPS:
        return []
    found = set(sp.Mul.make_args(expr)) | set(sp.Mul.make_args(sp.factor(expr)))
    return sorted((f for f in found if not f.is_number), key=sp.default_sort_key)


def _flipped(f: sp.Expr) -> sp.Expr:
    """(−u)^n for a factor u^n whose u is a sum: the same factor up to sign (1/(1 − p) for
    1/(p − 1), as the notes write it)."""
    base, power = f.as_base_exp()
    return (-base) ** power if isinstance(base, sp.Add) else f


def factors(e: sp.Expr, a: sp.Expr) -> list:
    """A factor of the result left out, or an extra factor (one or two) in the answer."""
    tries = []
    own = _factors(e)
    for f in own if len(own) > 1 else ():
        for g in dict.fromkeys((f, _flipped(f))):
            tries.append((e / g, f"missing factor {show(g)}"))
    extra = _factors(a)
    for n in (1, 2):
        for group in combinations(extra, n):
            f = sp.Mul(*group)
            message = f"an extra factor {show(f)}: the answer is {show(f)} times the correct result"
            tries.append((a / f, message, "answer"))
    return tries


def swapped_parts(e: sp.Expr, swaps) -> list:
    """The prediction and the target swapped in the numerator or the denominator only."""
    if sp.count_ops(e) > _MAX_OPS:
        return []
    numerator, denominator = sp.fraction(sp.factor(e))
    tries = []
    for pred, target in swaps:
        swap = {pred: target, target: pred}
        if denominator.has(pred) or denominator.has(target):
            tries.append(
                (
                    numerator / denominator.xreplace(swap),
                    f"y and p swapped in the denominator: {show(denominator.xreplace(swap))} "
                    f"where {show(denominator)} belongs",
                )
            )
            tries.append(
                (
                    numerator.xreplace(swap) / denominator,
                    f"y and p swapped in the numerator: {show(numerator.xreplace(swap))} "
                    f"where {show(numerator)} belongs",
                )
            )
    return tries


def diagonal_formula(general, at: dict) -> list:
    """An entry off the diagonal (i ≠ j) computed with the diagonal's formula, 𝟙[i = j]
    taken as 1 (q_2(1 − q_1) for ∂q_2/∂z_1 = −q_2 q_1)."""
    deltas = general.atoms(sp.KroneckerDelta)
    if not deltas or any(d.xreplace(at) != 0 for d in deltas):
        return []
    diagonal = general.xreplace(dict.fromkeys(deltas, sp.Integer(1))).xreplace(at)
    return [("wrong index: the diagonal entry's formula (𝟙[i = j] = 1) used where i ≠ j", diagonal)]
