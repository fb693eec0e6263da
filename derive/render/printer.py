"""SymPy printers in the notation of the lecture notes: LaTeX for documents, Unicode for terminals.

Both subclass SymPy's printers and add ``_print_<Class>`` methods; names come from the tables
in ``derive.render.notation``, the rules both printers share from ``derive.render.forms``, and
the Unicode printer lives in ``derive.render.textprinter``. Conventions:

* vectors and matrices are ``IndexedBase``: ``z[i]`` is z_i, ``W[i, j]`` is W_ij, and a base
  name's own sub/superscripts come first (``zprev[j]`` is z_{prev,j}, ``IndexedBase('W^l')``
  gives W^l_ij);
* ``Sum(f, (k, 1, K))`` is Σ_{k=1}^{K} f, outermost sum first;
* derivatives are ∂L/∂z_i when a variable is an entry (or there are several), d/dz for one
  plain symbol, and g'(x) for an undefined function of its own argument;
* ``Heaviside(z, 0)`` is the indicator 1[z > 0], ``Heaviside(z, 1)`` is 1[z ≥ 0], any other
  H(0) is written H(z);
* in a product, plain factors come first, then function values, then parenthesised sums,
  then big operators (Σ, ∂), as in σ(z)(1 − σ(z)) and (1/m) Σ_n ….

>>> from sympy import IndexedBase, Sum, symbols
>>> y, (k, K) = IndexedBase("y"), symbols("k K")
>>> latex(Sum(y[k], (k, 1, K)))
'\\\\sum_{k=1}^{K} y_{k}'
>>> text(Sum(y[k], (k, 1, K)))
'Σ_{k=1}^{K} y_k'
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.summations import Sum
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter, translate
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.repr import ReprPrinter

from derive.render import notation, profile_notation
from derive.render.forms import (
    derivative_parts,
    gradient_base,
    heaviside_at_zero,
    indexed_name,
    is_fraction,
    is_plain_mul,
    is_prime_form,
    is_short_index,
    leibniz_operand,
    needs_body_parens,
    ordered_factors,
    positive_first,
    prime_at_point,
    split_big_operators,
    split_name,
)
from derive.render.textprinter import NotesTextPrinter

__all__ = [
    "NotesLatexPrinter",
    "NotesTextPrinter",
    "RoundTripReprPrinter",
    "latex",
    "srepr",
    "text",
]


class NotesLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the notes' notation (see the module docstring).

    >>> from sympy import IndexedBase, symbols
    >>> NotesLatexPrinter().doprint(IndexedBase("W")[symbols("i j")])
    'W_{ij}'

    The setting ``notation`` (a :class:`~derive.render.profile_notation.RenderNotation` or a
    profile name; default: the rendering's, see ``profile_notation.using``) sets the symbols:

    >>> NotesLatexPrinter({"notation": "ystar-calligraphic-activation"}).doprint(IndexedBase("p")[1])
    'y_{1}^{*}'
    """

    _default_settings = {**LatexPrinter._default_settings, "notation": None}

    @property
    def _notation(self) -> profile_notation.RenderNotation:
        chosen = self._settings["notation"]
        return profile_notation.current() if chosen is None else profile_notation.setting(chosen)

    def _function_name(self, name: str, prime: bool = False) -> str:
        """An undefined function's letter (``prime``: before a ′): the profile's for g."""
        spelling = self._notation.functions.get(name)
        if spelling:
            return spelling.latex
        return self._deal_with_super_sub(name) if prime else self._hprint_Function(name)

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        spelling = self._notation.spelling_of(expr)
        return spelling.latex_with() if spelling else super()._print_Symbol(expr, style)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        spelling = self._notation.spelling_of(expr)
        return spelling.latex_with() if spelling else super()._print_IndexedBase(expr)

    @staticmethod
    def _base_name(base: str) -> str:
        """Greek and modifiers by SymPy (delta → \\delta, yhat → \\hat{y}); gradients dh → \\mathrm{d}h."""
        tex = translate(base)
        rest = base[len(notation.GRADIENT_PREFIX) :]
        if tex == base and base.startswith(notation.GRADIENT_PREFIX) and len(rest) == 1:
            return r"\mathrm{d}" + rest
        return tex

    def _deal_with_super_sub(self, string: str, style: str = "plain") -> str:
        # used for every symbol name; multi-letter words in subscripts are upright (n_{\mathrm{in}})
        if "{" in string:
            return string
        base, supers, subs = split_name(string)
        tex = self._base_name(base)
        if style == "bold":
            tex = r"\mathbf{%s}" % tex
        if supers:
            tex += "^{%s}" % " ".join(self._name_word(s) for s in supers)
        if subs:
            tex += "_{%s}" % " ".join(self._name_word(s) for s in subs)
        return tex

    @staticmethod
    def _name_word(word: str) -> str:
        translated = translate(word)
        if word.isalpha() and len(word) > 1 and translated == word:
            return r"\mathrm{%s}" % word
        return translated

    def _as_ordered_terms(self, expr, order=None):
        return positive_first(super()._as_ordered_terms(expr, order=order))

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        expr = profile_notation.as_written(expr)  # W_ji where the notes' W is n_in × n_out
        gradient_of = gradient_base(expr)
        if gradient_of is not None:  # dh^(2)_j is ∂L/∂h^(2)_j
            return r"\frac{\partial %s}{\partial %s}" % (
                notation.GRADIENT_NUMERATOR,
                self._print(gradient_of),
            )
        base, supers, subs = indexed_name(expr, self._notation.layer)
        sep = "" if all(is_short_index(ix) for ix in expr.indices) else ","
        indices = sep.join(self._print(ix) for ix in expr.indices)
        spelling = self._notation.spelling_of(expr.base)
        if spelling:  # the profile's name for the prediction: q_{i}, a_{i}^{L}
            return spelling.latex_with(indices)
        tex = self._base_name(base)
        if supers:
            tex += "^{%s}" % " ".join(self._name_word(s) for s in supers)
        return tex + "_{%s}" % ",".join([*(self._name_word(s) for s in subs), indices])

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp=None) -> str:
        if notation.KRONECKER_AS_INDICATOR:  # 𝟙[i = k]: δ is the gradient
            left, right = (self._print(ix) for ix in expr.args[:2])
            tex = r"%s\left[%s = %s\right]" % (notation.INDICATOR_LATEX, left, right)
        else:
            sep = "" if all(is_short_index(ix) for ix in expr.args) else ","
            tex = r"\delta_{%s}" % sep.join(self._print(ix) for ix in expr.args)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Sum(self, expr: Sum) -> str:
        operators = []
        for limit in reversed(expr.limits):  # the first limit is the innermost sum
            if len(limit) == 3:
                operators.append(r"\sum_{%s=%s}^{%s}" % tuple(self._print(x) for x in limit))
            else:
                operators.append(r"\sum_{%s}" % self._print(limit[0]))
        body = self._print(expr.function)
        if needs_body_parens(expr.function):
            body = r"\left(%s\right)" % body
        return " ".join([*operators, body])

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        if is_prime_form(expr):
            inner = expr.expr
            return r"%s'\left(%s\right)" % (
                self._function_name(inner.func.__name__, prime=True),
                self._print(inner.args[0]),
            )
        partial, order = derivative_parts(expr)
        d = r"\partial" if partial else "d"
        denominator = " ".join(
            f"{d} {self._print(v)}" if n == 1 else f"{d} {self._print(v)}^{{{n}}}"
            for v, n in expr.variable_count
        )
        operator = d if order == 1 else f"{d}^{{{order}}}"
        inner, top = expr.expr, leibniz_operand(expr.expr)
        if top is not None:
            return r"\frac{%s %s}{%s}" % (operator, self._print(top), denominator)
        body = self._print(inner)
        if not isinstance(inner, sp.Function) and not is_fraction(inner):
            body = r"\left(%s\right)" % body
        return r"\frac{%s}{%s} %s" % (operator, denominator, body)

    def _print_Subs(self, subs: sp.Subs) -> str:
        """g′ at a point, g′(g′(z)): the prime form of a derivative evaluated there."""
        found = prime_at_point(subs)
        if found is None:
            return super()._print_Subs(subs)
        name, point = found
        return r"%s'\\left(%s\\right)" % (self._function_name(name, prime=True), self._print(point))

    def _print_AppliedUndef(self, expr: AppliedUndef, exp=None) -> str:
        # x(r, θ)² rather than SymPy's x^{2}(r, θ), which reads like a power of x
        tex = r"%s\left(%s\right)" % (
            self._function_name(expr.func.__name__),
            ", ".join(self._print(a) for a in expr.args),
        )
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Heaviside(self, expr: sp.Heaviside, exp=None) -> str:
        at_zero = heaviside_at_zero(expr)
        arg = self._print(expr.args[0])
        if at_zero == 0:
            tex = r"%s\left[%s > 0\right]" % (notation.INDICATOR_LATEX, arg)
        elif at_zero == 1:
            tex = r"%s\left[%s \geq 0\right]" % (notation.INDICATOR_LATEX, arg)
        else:
            tex = r"H\left(%s\right)" % arg
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_log(self, expr: sp.log, exp=None) -> str:
        operator = r"\log" if exp is None else r"\log^{%s}" % exp
        arg = expr.args[0]
        if isinstance(arg, (sp.Symbol, sp.Indexed)):
            return f"{operator} {self._print(arg)}"
        return r"%s\left(%s\right)" % (operator, self._print(arg))

    def _print_Transpose(self, expr) -> str:
        return r"%s^{\top}" % self.parenthesize(expr.arg, PRECEDENCE["Pow"], strict=True)

    def _print_HadamardProduct(self, expr) -> str:
        return r" \odot ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not is_plain_mul(expr):  # an unevaluated p·0 or 1·x: a visible product, not "p 0"
            return r" \cdot ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)
        if expr.could_extract_minus_sign():
            return "- " + self.parenthesize(-expr, PRECEDENCE["Mul"], strict=True)
        numer, denom = sp.fraction(expr, exact=True)
        if denom == 1:
            return self._juxtapose(ordered_factors(expr))
        split = split_big_operators(numer, denom)
        if split is not None:
            small, big = split
            return r"\frac{%s}{%s} %s" % (self._print(small), self._print(denom), self._print(big))
        return r"\frac{%s}{%s}" % (self._print(numer), self._print(denom))

    def _juxtapose(self, factors: list[sp.Basic]) -> str:
        parts = []
        for n, factor in enumerate(factors):
            tex = self._print(factor)
            if self._needs_mul_brackets(factor, first=n == 0, last=n == len(factors) - 1):
                tex = r"\left(%s\right)" % tex
            if parts and factor.is_Number:
                parts.append(r"\cdot")
            parts.append(tex)
        return " ".join(parts)


# --- srepr that reads back -----------------------------------------------------------------------


class RoundTripReprPrinter(ReprPrinter):
    """``srepr`` whose output ``sympify`` turns back into the identical expression.

    SymPy's own drops the assumptions of undefined functions (``Function('x', real=True)``) and
    lets a deliberately unevaluated step such as ``2x − 2x`` collapse to 0 when read back.
    """

    def _print_Add(self, expr, order=None) -> str:
        return self._unevaluated(expr) or super()._print_Add(expr, order=order)

    def _print_Mul(self, expr, order=None) -> str:
        return self._unevaluated(expr) or super()._print_Mul(expr, order=order)

    def _print_Pow(self, expr) -> str:
        return self._unevaluated(expr) or self.emptyPrinter(expr)

    def _unevaluated(self, expr) -> str:
        """``Add(a, b, evaluate=False)`` when evaluating the arguments would change ``expr``."""
        if expr.func(*expr.args) == expr:
            return ""
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{type(expr).__name__}({args}, evaluate=False)"

    def _print_UndefinedFunction(self, expr) -> str:
        assumptions = getattr(expr, "_explicit_class_assumptions", {})
        extra = "".join(f", {k}={v!r}" for k, v in sorted(assumptions.items()))
        return f"Function({expr.__name__!r}{extra})"


def latex(expr: sp.Basic, notation: str | None = None) -> str:
    """``expr`` in the notes' LaTeX (math mode, no delimiters), in profile ``notation``."""
    return NotesLatexPrinter({"notation": notation}).doprint(expr)


def text(expr: sp.Basic, notation: str | None = None) -> str:
    """``expr`` on one line of Unicode, in profile ``notation``."""
    return NotesTextPrinter({"notation": notation}).doprint(expr)


def srepr(expr: sp.Basic) -> str:
    """``expr`` as Python source that ``sympy.sympify`` turns back into an equal expression."""
    return RoundTripReprPrinter().doprint(expr)
