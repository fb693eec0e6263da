"""Elementwise expressions in vector notation: h_j(1 − h_j) as h ⊙ (1 − h).

A line of the backward recurrence is derived entry by entry (δ_j = dh_j h_j (1 − h_j)); the
lecture states it for whole vectors, δ⁽²⁾ = (W⁽³⁾)ᵀ δ⁽³⁾ ⊙ h⁽²⁾ ⊙ (1 − h⁽²⁾). ``as_vectors``
replaces every entry ``x[j]`` of the running index by the vector ``x``; the two printers below
write products of such vectors as Hadamard products and integer powers as repeated ones.

>>> import sympy as sp
>>> h, j = sp.IndexedBase("h2"), sp.Symbol("j")
>>> elementwise_latex(h[j] * (1 - h[j]), j)
'h^{(2)} \\\\odot \\\\left(1 - h^{(2)}\\\\right)'
>>> elementwise_text(1 - h[j] ** 2, j)
'(1 − h⁽²⁾ ⊙ h⁽²⁾)'
"""

from __future__ import annotations

import sympy as sp

from derive.render import notation, profile_notation
from derive.render.forms import indexed_name
from derive.render.printer import NotesLatexPrinter, NotesTextPrinter


def vector_name_latex(indexed: sp.Indexed) -> str:
    """The LaTeX name of the vector or matrix an entry belongs to: W3[i, j] → W^{(3)}."""
    base, supers, subs = indexed_name(indexed, profile_notation.current().layer)
    tex = NotesLatexPrinter._base_name(base)
    if supers:
        tex += "^{%s}" % " ".join(supers)
    if subs:
        tex += "_{%s}" % ",".join(r"\mathrm{%s}" % s if len(s) > 1 else s for s in subs)
    return tex


def vector_name_text(indexed: sp.Indexed) -> str:
    """The Unicode name of the vector or matrix an entry belongs to: W3[i, j] → W⁽³⁾."""
    base, supers, subs = indexed_name(indexed, profile_notation.current().layer)
    out = notation.GREEK_TEXT.get(base, base)
    out += "".join(s.translate(notation.SUPERSCRIPTS_TEXT) for s in supers)
    return out + "".join("_" + s for s in subs)


def vector_gradient(chain) -> tuple[sp.Symbol, sp.Indexed] | None:
    """(L, W[i, j]) when a chain's left-hand side is ∂L/∂W_ij, the gradient of one entry."""
    lhs = chain.lhs
    if not (isinstance(lhs, sp.Derivative) and len(lhs.variables) == 1):
        return None
    wrt = lhs.variables[0]
    if not isinstance(wrt, sp.Indexed) or not isinstance(lhs.expr, sp.Symbol):
        return None
    return lhs.expr, wrt


def vector_lhs_text(chain) -> str:
    """The left-hand side of a chain's matrix form in Unicode: ∂L/∂W⁽³⁾_ij → ∂L/∂W⁽³⁾ (empty
    if the chain is not the gradient of an entry)."""
    parts = vector_gradient(chain)
    if parts is None:
        return ""
    return "∂%s/∂%s" % (NotesTextPrinter().doprint(parts[0]), vector_name_text(parts[1]))


def _as_vectors(expr: sp.Basic, index: sp.Symbol, name) -> sp.Basic:
    entries = {e for e in expr.atoms(sp.Indexed) if e.indices == (index,)}
    return expr.xreplace({e: sp.Symbol("{%s}" % name(e)) for e in entries})


class _HadamardLatex(NotesLatexPrinter):
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        return expr.name[1:-1] if expr.name.startswith("{") else super()._print_Symbol(expr)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign():
            return "- " + self._print(-expr)
        numer, denom = sp.fraction(expr, exact=True)
        if denom != 1:  # elementwise division, written as a fraction of vectors
            return r"\frac{%s}{%s}" % (self._print(numer), self._print(denom))
        return r" \odot ".join(self._factor(f) for f in expr.as_ordered_factors())

    def _factor(self, factor: sp.Basic) -> str:
        if factor.is_Add:
            return r"\left(%s\right)" % self._print(factor)
        return self._print(factor)

    def _print_Pow(self, expr: sp.Pow) -> str:
        if expr.exp.is_Integer and 1 < expr.exp < 5:
            return r" \odot ".join([self._factor(expr.base)] * int(expr.exp))
        return super()._print_Pow(expr)


class _HadamardText(NotesTextPrinter):
    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return expr.name[1:-1] if expr.name.startswith("{") else super()._print_Symbol(expr)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign():
            return notation.MINUS_TEXT + self._print(-expr)
        numer, denom = sp.fraction(expr, exact=True)
        if denom != 1:  # elementwise division
            return "%s / %s" % (self._factor(numer), self._factor(denom))
        return " ⊙ ".join(self._factor(f) for f in expr.as_ordered_factors())

    def _factor(self, factor: sp.Basic) -> str:
        return "(%s)" % self._print(factor) if factor.is_Add else self._print(factor)

    def _print_Pow(self, expr: sp.Pow, rational=False) -> str:
        if expr.exp.is_Integer and 1 < expr.exp < 5:
            return " ⊙ ".join([self._factor(expr.base)] * int(expr.exp))
        return super()._print_Pow(expr, rational)


def elementwise_latex(expr: sp.Basic, index: sp.Symbol) -> str:
    """``expr``, a function of entries ``x[index]``, as LaTeX of whole vectors (a sum in
    parentheses, so that it can follow a ⊙)."""
    return _HadamardLatex()._factor(_as_vectors(expr, index, vector_name_latex))


def elementwise_text(expr: sp.Basic, index: sp.Symbol) -> str:
    """``expr``, a function of entries ``x[index]``, as Unicode of whole vectors (a sum in
    parentheses)."""
    return _HadamardText()._factor(_as_vectors(expr, index, vector_name_text))
