"""The notes' notation as one line of Unicode, for terminals: ∂L/∂z_i = p_i − y_i.

>>> import sympy as sp
>>> NotesTextPrinter().doprint(sp.Symbol("h") ** 2)
'h²'
"""

from __future__ import annotations

import unicodedata

import sympy as sp
from sympy.concrete.summations import Sum
from sympy.printing.precedence import PRECEDENCE, precedence_traditional
from sympy.printing.str import StrPrinter

from derive.render import notation, profile_notation
from derive.render.forms import (
    derivative_parts,
    gradient_base,
    heaviside_at_zero,
    indexed_name,
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


class NotesTextPrinter(StrPrinter):
    """One-line Unicode: ∂L/∂z_i = p_i − y_i, σ(z)·(1 − σ(z)), Σ_{k=1}^{K} y_k log(p_k), h².

    >>> from sympy import Symbol
    >>> NotesTextPrinter().doprint(Symbol("h") ** 2)
    'h²'
    """

    # our own print method name, so that a class's ``_sympystr`` (sigmoid's prints 'sigmoid(z)')
    # does not take precedence over the ``_print_<Class>`` methods below
    printmethod = "_notes_text"

    # the notation profile (a RenderNotation or a profile name; None: the rendering's)
    _default_settings = {**StrPrinter._default_settings, "notation": None}

    @property
    def _notation(self) -> profile_notation.RenderNotation:
        chosen = self._settings["notation"]
        return profile_notation.current() if chosen is None else profile_notation.setting(chosen)

    def _function_name(self, name: str) -> str:
        """An undefined function's letter: the profile's activation letter for g."""
        spelling = self._notation.functions.get(name)
        return spelling.text if spelling else self._name(name)

    def _name(self, name: str) -> str:
        """delta → δ, yhat → ŷ, n_in → n_in, W^l → W^l."""
        base, supers, subs = split_name(name)
        mark = ""
        for modifier, combining in notation.MODIFIERS_TEXT.items():
            if base.endswith(modifier) and len(base) > len(modifier):
                base, mark = base[: -len(modifier)], combining
                break
        out = unicodedata.normalize("NFC", notation.GREEK_TEXT.get(base, base) + mark)
        out += "".join("^" + notation.GREEK_TEXT.get(s, s) for s in supers)
        out += "".join("_" + notation.GREEK_TEXT.get(s, s) for s in subs)
        return out

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        spelling = self._notation.spelling_of(expr)
        return spelling.text_with() if spelling else self._name(expr.name)

    def doprint(self, expr) -> str:
        # the names a dummy must not print as (a free i beside a summation index i)
        free = getattr(expr, "free_symbols", set())
        self._taken = {x.name for x in free if not isinstance(x, sp.Dummy)}
        return super().doprint(expr)

    def _print_Dummy(self, expr: sp.Dummy) -> str:
        """A dummy (a summation index made fresh) by its name, as in LaTeX (Σ_{k=1}, not
        StrPrinter's Σ_{_k=1}), primed where a free index has that name (Σ_{i′=1} W_{i′i})."""
        shown = self._print_Symbol(expr)
        return shown + "′" if expr.name in getattr(self, "_taken", ()) else shown

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        spelling = self._notation.spelling_of(expr)
        return spelling.text_with() if spelling else self._name(expr.label.name)

    def _as_ordered_terms(self, expr, order=None):
        return positive_first(super()._as_ordered_terms(expr, order=order))

    def parenthesize(self, item, level, strict=False) -> str:
        # traditional precedence, as in LaTeX: Σ and ∂ bind like a product, not like an atom
        prec = precedence_traditional(item)
        if prec < level or (not strict and prec <= level):
            return "(%s)" % self._print(item)
        return self._print(item)

    def _subscript(self, indices) -> str:
        shown = [self._print(ix) for ix in indices]
        if all(is_short_index(ix) for ix in indices) and not any("′" in s for s in shown[:-1]):
            return "".join(shown)
        return "{%s}" % ",".join(shown)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        expr = profile_notation.as_written(expr)  # W_ji where the notes' W is n_in × n_out
        gradient_of = gradient_base(expr)
        if gradient_of is not None:  # dh⁽²⁾_j is (∂L/∂h⁽²⁾_j)
            return "(∂%s/∂%s)" % (notation.GRADIENT_NUMERATOR, self._print(gradient_of))
        spelling = self._notation.spelling_of(expr.base)
        if spelling:  # the profile's name for the prediction: q_i, a_i^L
            return spelling.text_with(self._subscript(expr.indices))
        base, supers, subs = indexed_name(expr, self._notation.layer)
        head = self._name(base)
        for sup in supers:  # layer numbers as superscripts: W⁽³⁾, W³ (W^[3]: no ⁽⁾ for [])
            shown = sup.translate(notation.SUPERSCRIPTS_TEXT)
            writable = shown != sup and "^" not in shown and "[" not in sup
            head += shown if writable else "^" + sup
        if subs and self._notation.layer == "subscript":  # W_3,ij
            return head + "_" + ",".join([*subs, self._subscript(expr.indices)])
        if subs:  # z_prev,j
            return head + "_" + ",".join([*subs, *(self._print(ix) for ix in expr.indices)])
        return head + "_" + self._subscript(expr.indices)

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        if notation.KRONECKER_AS_INDICATOR:  # 𝟙[i = k]: δ is the gradient
            left, right = (self._print(ix) for ix in expr.args[:2])
            return f"{notation.INDICATOR_TEXT}[{left} = {right}]"
        return "δ_" + self._subscript(expr.args)

    def _print_Sum(self, expr: Sum) -> str:
        operators = []
        for limit in reversed(expr.limits):
            if len(limit) == 3:
                operators.append("Σ_{%s=%s}^{%s}" % tuple(self._print(x) for x in limit))
            else:
                operators.append("Σ_%s" % self._print(limit[0]))
        body = self._print(expr.function)
        if needs_body_parens(expr.function):
            body = f"({body})"
        return " ".join([*operators, body])

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        inner = expr.expr
        if is_prime_form(expr):
            name = self._function_name(inner.func.__name__)
            return "%s′(%s)" % (name, self._print(inner.args[0]))
        partial, order = derivative_parts(expr)
        d = "∂" if partial else "d"
        power = "" if order == 1 else str(order).translate(notation.SUPERSCRIPTS_TEXT)
        denominator = "".join(
            d + self._print(v) + ("" if n == 1 else str(n).translate(notation.SUPERSCRIPTS_TEXT))
            for v, n in expr.variable_count
        )
        top = leibniz_operand(inner)
        if top is not None:
            return f"{d}{power}{self._print(top)}/{denominator}"
        body = self._print(inner)
        if not isinstance(inner, sp.Function):
            body = f"({body})"
        return f"{d}{power}/{denominator} {body}"

    def _print_Subs(self, expr: sp.Subs) -> str:
        """g′ at a point, g′(g′(z)): the prime form of a derivative evaluated there."""
        found = prime_at_point(expr)
        if found is None:
            return super()._print_Subs(expr)
        name, point = found
        return "%s′(%s)" % (self._function_name(name), self._print(point))

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        at_zero, arg = heaviside_at_zero(expr), self._print(expr.args[0])
        if at_zero == 0:
            return f"{notation.INDICATOR_TEXT}[{arg} > 0]"
        if at_zero == 1:
            return f"{notation.INDICATOR_TEXT}[{arg} ≥ 0]"
        return f"H({arg})"

    def _print_Function(self, expr: sp.Function) -> str:
        name = expr.func.__name__
        name = notation.FUNCTIONS_TEXT.get(name, self._function_name(name))
        return "%s(%s)" % (name, ", ".join(self._print(a) for a in expr.args))

    _print_exp = _print_log = _print_Function

    def _print_Integer(self, expr: sp.Integer) -> str:
        return notation.MINUS_TEXT + str(-expr) if expr < 0 else str(expr)

    def _print_Rational(self, expr: sp.Rational) -> str:
        sign = notation.MINUS_TEXT if expr < 0 else ""
        return f"{sign}{abs(expr.p)}/{expr.q}"

    def _print_Add(self, expr: sp.Add, order=None) -> str:
        out = ""
        for n, term in enumerate(self._as_ordered_terms(expr, order=order)):
            negative = term.could_extract_minus_sign()
            if negative:
                term = -term
            sign = notation.MINUS_TEXT if negative else ("" if n == 0 else "+")
            body = self.parenthesize(term, PRECEDENCE["Add"])
            out += f"{sign}{body}" if n == 0 else f" {sign} {body}"
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not is_plain_mul(expr):  # an unevaluated p·0 or 1·x: a visible product, not "p*0"
            factors = (self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)
            return notation.TIMES_TEXT.join(factors)
        if expr.could_extract_minus_sign():
            return notation.MINUS_TEXT + self.parenthesize(-expr, PRECEDENCE["Mul"], strict=True)
        numer, denom = sp.fraction(expr, exact=True)
        if denom == 1:
            return self._juxtapose(ordered_factors(expr))
        split = split_big_operators(numer, denom)
        if split is not None:
            small, big = split
            return "(%s/%s) %s" % (self._print(small), self._denominator(denom), self._print(big))
        top = self.parenthesize(numer, PRECEDENCE["Mul"]) if numer.is_Add else self._print(numer)
        return f"{top}/{self._denominator(denom)}"

    def _denominator(self, denom: sp.Basic) -> str:
        if denom.is_Add or denom.is_Mul or isinstance(denom, Sum):
            return f"({self._print(denom)})"
        return self._print(denom)

    def _juxtapose(self, factors: list[sp.Basic]) -> str:
        out, previous_parenthesised = "", False
        for n, factor in enumerate(factors):
            last = n == len(factors) - 1
            parenthesised = precedence_traditional(factor) < PRECEDENCE["Mul"] or (
                not last and factor.has(Sum)
            )
            body = f"({self._print(factor)})" if parenthesised else self._print(factor)
            if n == 0:
                out = body
            elif factors[n - 1].is_Number and not factor.is_Number:
                out += body  # 2z, 2(a + b)
            elif parenthesised or previous_parenthesised or factor.is_Number:
                out += notation.TIMES_TEXT + body
            else:
                out += " " + body
            previous_parenthesised = parenthesised
        return out

    def _print_Pow(self, expr: sp.Pow, rational=False) -> str:
        base, exponent = expr.base, expr.exp
        if exponent.is_Integer and exponent < 0:
            return "1/" + self._denominator(base ** (-exponent))
        if exponent == sp.S.Half:
            return "√" + self.parenthesize(base, PRECEDENCE["Pow"], strict=True)
        shown = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if isinstance(base, sp.Function):
            shown = self._print(base)  # tanh(z)², not (tanh(z))²
        if exponent.is_Integer:
            return shown + str(exponent).translate(notation.SUPERSCRIPTS_TEXT)
        return shown + "^" + self.parenthesize(exponent, PRECEDENCE["Pow"], strict=False)

    def _print_Relational(self, expr) -> str:
        op = {"==": "=", "!=": "≠", ">=": "≥", "<=": "≤"}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        parts = [
            self._print(e) + ("" if c == sp.true else f" if {self._print(c)}") for e, c in expr.args
        ]
        return "{" + "; ".join(parts) + "}"

    def _print_Transpose(self, expr) -> str:
        return self.parenthesize(expr.arg, PRECEDENCE["Pow"], strict=True) + "ᵀ"

    def _print_HadamardProduct(self, expr) -> str:
        return " ⊙ ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)

    def _print_MatMul(self, expr) -> str:
        return " ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)
