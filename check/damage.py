"""Diagnoses of last resort: a wrong answer none of :class:`check.diagnose.Diagnoser`'s
diagnoses explains, written with variables the expected result does not use (or, OCR's other
slip, a power printed as a factor).  Each names the damage it finds, as OCR does it to the
notes (note 000 prints L = w_1² + w_2² as w_{21} + w_{22}, and the update of w_{11} with
∂L/∂w_1):

- an index slip: one entry written for another, so that the answer with that entry put back
  is the result (θ_{11} − α ∂L/∂θ_1 for θ_{11} − α ∂L/∂θ_{11}, the update rule);
- a name slip: another vector's entries where the result's belong (s_k for δ_k, note 002);
- a superscript read as a subscript: w_{21} where w_1² belongs;
- a power printed as a factor: 2w_1 where w_1² belongs;
- one factor for another: g(z^{(l+1)}) w^{(l+1)} where δ^{(l+1)} w^{(l+1)} belongs;
- else the variables the answer uses and the result does not, named.

They are tried only by the caller (check.answer), after every other diagnosis failed, so they
never replace a diagnosis the catalogue makes.  Every one is decided symbolically, on small
expressions only (``MAX_OPS``); where SymPy cannot tell, nothing is said.

>>> import sympy as sp
>>> w = sp.IndexedBase("w")
>>> damage_diagnosis(w[21] + w[22], w[1] ** 2 + w[2] ** 2)
'wrong variable: w_{21} where w_1² belongs, w_{22} where w_2² belongs (a superscript read as a subscript: w_1^2 printed as w_{21})'
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import sympy as sp

from check.diagnose import show

MAX_OPS = 60  # larger answers are not searched: the last resort stays cheap


def damage_diagnosis(
    answer: sp.Expr, expected: sp.Expr, tidy: Callable | None = None, defined=frozenset()
) -> str | None:
    """The damage that explains why ``answer`` is not ``expected``, or None.  ``tidy``: the
    quantity's step from a reading to the form compared with the result (the update rule's
    θ_j − α ∂L/∂θ_j → θ − α ∂L/∂θ), applied to the answer repaired. ``defined``: the
    domain's defined names (h = σ(z)), never foreign to a result written with z."""
    if not isinstance(answer, sp.Expr) or not isinstance(expected, sp.Expr):
        return None
    try:
        if sp.count_ops(answer) + sp.count_ops(expected) > MAX_OPS:
            return None
        return _found(answer, expected, tidy or (lambda e: e), defined)
    except Exception:  # noqa: BLE001 - a diagnosis of last resort never breaks the verdict
        return None


def _found(answer: sp.Expr, expected: sp.Expr, tidy: Callable, defined) -> str | None:
    foreign = foreign_variables(answer, expected)
    if not foreign:
        return _power_as_factor(answer, expected)
    return (
        _index_slip(answer, expected, foreign, tidy)
        or _name_slip(answer, expected, foreign)
        or _superscript_as_subscript(answer, expected, foreign)
        or _factor_slip(answer, expected, foreign)
        or _named([v for v in foreign if not _defined(v, defined)], expected)
    )


def _defined(variable, defined) -> bool:
    """h where the domain defines h = σ(z): not a stranger to a result written with z."""
    return variable in defined or getattr(variable, "base", None) in defined


def _variables(expr: sp.Expr) -> list:
    """The symbols (not indices, not summation dummies) and entries expr is written with."""
    entries = sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key)
    inside = {s for e in entries for s in e.free_symbols}
    symbols = [
        s
        for s in sorted(expr.free_symbols, key=sp.default_sort_key)
        if isinstance(s, sp.Symbol) and not s.is_integer and s not in inside
    ]
    return entries + symbols


def foreign_variables(answer: sp.Expr, expected: sp.Expr) -> list:
    """The answer's variables the result does not use: a symbol it lacks, or an entry none of
    its entries can be (w_{21} where the result has w_1 and w_2; w_3 is no stranger to w_i)."""
    used = _variables(expected)
    return [v for v in _variables(answer) if not any(_may_be(v, u) for u in used)]


def _may_be(v, u) -> bool:
    if not isinstance(v, sp.Indexed):
        return v == u
    if not isinstance(u, sp.Indexed) or u.base != v.base or len(u.indices) != len(v.indices):
        return False
    return all(a == b or not b.is_Integer for a, b in zip(v.indices, u.indices, strict=True))


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    """a = b as written, their sums' bound indices named alike (Σ_k W_kj δ_k, each with its
    own dummy k, are one sum); False where SymPy does not see it (nothing is said then)."""
    return sp.expand(_bound_named(a) - _bound_named(b)) == 0


def _bound_named(expr: sp.Expr) -> sp.Expr:
    """Every sum's bound index renamed, in the order met, to the same fresh names."""
    count = itertools.count()

    def renamed(total: sp.Sum) -> sp.Sum:
        names = {v: sp.Symbol(f"_bound{next(count)}", integer=True) for v in total.variables}
        return total.xreplace(names)

    return expr.replace(lambda e: isinstance(e, sp.Sum), renamed)


def _name_slip(answer, expected, foreign) -> str | None:
    """An entry of a vector the result does not have where one of the result's belongs, the
    answer right with that name (q_k where p_k belongs: one letter garbled into another)."""
    bases = sorted({a.base for a in expected.atoms(sp.Indexed)}, key=sp.default_sort_key)
    for wrong in sorted({v.base for v in foreign if isinstance(v, sp.Indexed)}, key=str):
        for meant in (b for b in bases if b != wrong):
            repaired = answer.replace(
                lambda e, w=wrong: isinstance(e, sp.Indexed) and e.base == w,
                lambda e, m=meant: m[e.indices],
            )
            if _same(repaired, expected):
                shown = next(v for v in foreign if isinstance(v, sp.Indexed) and v.base == wrong)
                return (
                    f"wrong variable: {_shown(shown)} where {_shown(meant[shown.indices])} "
                    f"belongs (a name damaged: {show(meant)} garbled into {show(wrong)}?)"
                )
    return None


def _index_slip(answer, expected, foreign, tidy) -> str | None:
    """An entry written with another entry's index, where that index makes the answer right:
    the update of θ_{11} with ∂L/∂θ_1 (θ_{11} with θ_1 is the other reading of the slip)."""
    entries = sorted(answer.atoms(sp.Indexed), key=sp.default_sort_key)
    found = []
    for wrong in (v for v in foreign if isinstance(v, sp.Indexed)):
        for other in entries:
            if other.indices == wrong.indices or len(other.indices) != len(wrong.indices):
                continue
            meant = wrong.base[other.indices]
            repaired = tidy(answer.xreplace({wrong: meant}))
            if isinstance(repaired, sp.Expr) and _same(repaired, expected):
                found.append(f"{_shown(wrong)} where {_shown(meant)} belongs")
                break
    if not found:
        return None
    return f"wrong variable: {', or '.join(found)} (an index damaged: the entries do not match)"


def _shown(entry: sp.Indexed) -> str:
    """An entry alone, without the parentheses a product needs: ∂L/∂θ_1, not (∂L/∂θ_1)."""
    text = show(entry)
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _factor_slip(answer, expected, foreign) -> str | None:
    """One factor for another in a product, the answer's with a stranger in it (note 002's
    g^{(l+1)} w^{(l+1)}, read g(z^{(l+1)}) w^{(l+1)}, where δ^{(l+1)} w^{(l+1)} belongs)."""
    written, meant = Counter(sp.Mul.make_args(answer)), Counter(sp.Mul.make_args(expected))
    extra, missing = list((written - meant).elements()), list((meant - written).elements())
    if len(extra) != 1 or len(missing) != 1 or len(written) < 2:
        return None
    if not any(_may_be(v, f) for v in foreign for f in _variables(extra[0])):
        return None
    return f"wrong variable: {show(extra[0])} where {show(missing[0])} belongs"


def _digits(entry: sp.Indexed) -> str | None:
    """The digits of an entry's indices, w_{21} → "21", w_{2,1} → "21"; None for letters."""
    if not all(ix.is_Integer and 0 <= ix for ix in entry.indices):
        return None
    return "".join(str(ix) for ix in entry.indices)


def _superscript_as_subscript(answer, expected, foreign) -> str | None:
    """w_1² printed as w_{21} (the superscript 2 read into the subscript, before or after it):
    every such stranger put back as the power, the answer is the result."""
    powers = [
        p
        for p in sorted(expected.atoms(sp.Pow), key=sp.default_sort_key)
        if isinstance(p.base, sp.Indexed) and p.exp.is_Integer and 2 <= p.exp <= 9
    ]
    repair, said = {}, []
    for wrong in (v for v in foreign if isinstance(v, sp.Indexed)):
        digits = _digits(wrong)
        for power in powers:
            index = _digits(power.base)
            if digits is None or index is None or power.base.base != wrong.base:
                continue
            if digits in (f"{power.exp}{index}", f"{index}{power.exp}"):
                repair[wrong] = power
                said.append((wrong, power))
                break
    if not said or not _same(answer.xreplace(repair), expected):
        return None
    where = ", ".join(f"{show(w)} where {show(p)} belongs" for w, p in said)
    wrong, power = said[0]
    written = f"{show(power.base)}^{power.exp}"
    return (
        f"wrong variable: {where} (a superscript read as a subscript: {written} printed as "
        f"{show(wrong)})"
    )


def _power_as_factor(answer, expected) -> str | None:
    """2w_1 where w_1² belongs: every power x^n of a variable written as n·x."""
    powers = {
        p: p.exp * p.base
        for p in sorted(expected.atoms(sp.Pow), key=sp.default_sort_key)
        if isinstance(p.base, sp.Symbol | sp.Indexed) and p.exp.is_Integer and 2 <= p.exp <= 9
    }
    if not powers or not _same(expected.xreplace(powers), answer):
        return None
    where = ", ".join(f"{show(f)} where {show(p)} belongs" for p, f in powers.items())
    return f"wrong variable: {where} (the power printed as a factor)"


def _named(foreign, expected) -> str | None:
    """The strangers named, beside the variables the result is written with."""
    if not foreign:
        return None
    used = ", ".join(show(v) for v in _variables(expected))
    strangers = ", ".join(show(v) for v in foreign)
    result = f"it is written with {used}" if used else "it is a constant"
    return (
        f"wrong variable: the answer is written in terms of {strangers}, which the result "
        f"does not use ({result})"
    )
