"""The limits every number and expansion a reader builds is checked against (bits, magnitude,
exponents, terms), and the calls of functions within them: no input makes SymPy crawl."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction

import sympy as sp

from derive.errors import ParseError
from derive.language.lexer import describe

MAX_EXPONENT = 100  # |numeric exponent|, and the denominator of a rational one


MAX_NUMBER_BITS = 128  # size (numerator, denominator) of any rational built along the way


MAX_NUMBER_CHARS = 40  # length of a numeric literal


MAX_EXACT_DIGITS = 15  # decimals with more significant digits are kept as Floats of that precision


MAX_MAGNITUDE = 1e160  # |value| of any symbol-free subexpression: cosh(10^30) is refused


MAX_EXPANDED_TERMS = 20000  # terms of the fully expanded expression: (a+b+c+f+g+k)^100 is refused


MAX_PRIMES = 3  # g'''(z) at most


def _approx(value: sp.Basic) -> complex | None:
    """The floating-point value of a symbol-free expression; None if it has none."""
    if not value.is_number:
        return None
    try:
        return complex(value.evalf(15))
    except (TypeError, ValueError):  # e.g. an unevaluated function: nothing numeric to blow up
        return None


def _bits(number: sp.Rational) -> int:
    return max(abs(number.p).bit_length(), number.q.bit_length())


def number(tok) -> sp.Number:
    """A numeric literal: exact (``0.01`` → 1/100, ``1e-3`` → 1/1000) up to 15 significant
    digits, a Float with all its digits beyond (SELU's 1.0507009873554804934193349852946)."""
    text = tok.text
    mantissa, _, exponent = text.lower().partition("e")
    if len(text) > MAX_NUMBER_CHARS or abs(int(exponent or 0)) > MAX_EXPONENT:
        raise ParseError(f"number {describe(tok)} out of range at column {tok.col}")
    digits = len(mantissa.replace(".", "").lstrip("0"))
    if digits > MAX_EXACT_DIGITS and "." in mantissa:
        return sp.Float(text, max(digits, 15))
    value = Fraction(text)
    return sp.Rational(value.numerator, value.denominator)


class Limits:
    """The checks every built value goes through (shared by the scalar and tensor readers)."""

    def __init__(self):
        self.checked: set = set()  # subexpressions whose numbers are known to be small
        self.terms: dict = {}  # expansion size estimates

    @staticmethod
    def fail(message: str, tok) -> ParseError:
        return ParseError(f"{message} at column {tok.col}")

    def build(self, tok, fn: Callable, *args):
        """Apply ``fn`` (an operator or whitelisted function) and check the numbers it made."""
        try:
            value = fn(*args)
            if not isinstance(value, sp.Basic):
                raise self.fail(f"{describe(tok)} did not give a SymPy expression", tok)
            self.check_numbers(value, tok)
            self.check_terms(value, tok)
        except ParseError:
            raise
        except RecursionError:
            raise self.fail("expression nested too deeply", tok) from None
        except Exception as exc:  # any SymPy failure here comes from the input
            raise self.fail(
                f"cannot evaluate {describe(tok)} ({type(exc).__name__})", tok
            ) from None
        return value

    def check_numbers(self, value: sp.Basic, tok) -> None:
        """Refuse huge numbers: they make SymPy's exact and numeric evaluation crawl.

        Rationals are capped in bits.  A symbol-free value is evaluated in floating point and
        must be real and capped in magnitude, so by induction every numeric argument SymPy ever
        has to evaluate (sin(cosh(cosh(100))), ...) stays small enough to evaluate quickly.
        """
        stack = [value]
        while stack:
            node = stack.pop()
            if node in self.checked:
                continue
            self.checked.add(node)
            if node.is_Rational and _bits(node) > MAX_NUMBER_BITS:
                raise self.fail("number too large", tok)
            stack.extend(arg for arg in node.args if isinstance(arg, sp.Basic))
        approx = None if value.is_Rational else _approx(value)
        if approx is not None:
            if not abs(approx) <= MAX_MAGNITUDE:  # also refuses nan
                raise self.fail("number too large or undefined", tok)
            if abs(approx.imag) > 1e-12 * (1 + abs(approx.real)):  # log(-2)^100 is slow too
                raise self.fail("complex number (root or log of a negative number?)", tok)

    def expanded_terms(self, value: sp.Basic) -> int:
        """How many terms ``expand(value)`` would have (an upper estimate, capped)."""
        if value in self.terms:
            return self.terms[value]
        cap = MAX_EXPANDED_TERMS + 1
        if value.is_Add:
            count = sum(self.expanded_terms(arg) for arg in value.args)
        elif value.is_Mul:
            count = 1
            for arg in value.args:
                count = min(count * self.expanded_terms(arg), cap)
        elif value.is_Pow and value.exp.is_Integer and value.exp > 1:
            n, k = self.expanded_terms(value.base), int(value.exp)
            count = cap if n > cap else min(math.comb(n + k - 1, k), cap) if n > 1 else 1
        else:
            count = 1
        self.terms[value] = count = min(count, cap)
        return count

    def check_terms(self, value: sp.Basic, tok) -> None:
        if isinstance(value, sp.Expr) and self.expanded_terms(value) > MAX_EXPANDED_TERMS:
            raise self.fail(
                f"expression too large: its expansion has over {MAX_EXPANDED_TERMS} terms", tok
            )

    def check_exponent(self, exponent, tok, *, whole: bool = True):
        """Cap an exponent (``whole``) and the hidden exponents in it: SymPy turns e^(k log x)
        into x^k, and its polynomial code reads e^(k z) as (e^z)^k, so cap k too.  A decimal
        coefficient such as 1.702 in e^(−1.702 z) is kept as a Float (no (e^(z/500))^851);
        the exponent is returned, with such coefficients made Floats."""
        if exponent.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise self.fail("undefined exponent", tok)
        sizes = [exponent] if whole else []
        floats = {}
        for term in sp.Add.make_args(exponent):
            factors = sp.Mul.make_args(term)
            if any(factor.has(sp.log) for factor in factors):
                sizes.append(sp.Mul(*(factor for factor in factors if not factor.has(sp.log))))
            elif not term.is_number and not whole:
                coeff = term.as_coeff_Mul()[0]
                if coeff.is_Rational and coeff.q > MAX_EXPONENT and abs(coeff) <= MAX_EXPONENT:
                    floats[coeff] = sp.Float(coeff, 17)
                else:
                    sizes.append(coeff)
            elif not term.is_number:
                sizes.append(term.as_coeff_Mul()[0])
        for size in sizes:
            if size.is_Rational and size.q > MAX_EXPONENT:  # x^(1/10^9): a huge-degree root
                raise self.fail(f"exponent denominator too large (limit {MAX_EXPONENT})", tok)
            value = _approx(size)
            if value is not None and not abs(value) <= MAX_EXPONENT:
                raise self.fail(f"exponent too large (limit {MAX_EXPONENT})", tok)
        return exponent.xreplace(floats) if floats else exponent

    def power_of(self, base, exponent, tok):
        """``base ** exponent``, refusing exponents and numbers that would blow up."""
        exponent = self.check_exponent(exponent, tok, whole=base is not sp.E)  # e^{-200} is fine
        if base.is_Rational and exponent.is_Rational:
            if (_bits(base) - 1) * max(abs(exponent), 1) > MAX_NUMBER_BITS:  # before computing
                raise self.fail("number too large", tok)
        if exponent.is_Integer and exponent > 1 and isinstance(base, sp.Expr):
            n, k = self.expanded_terms(base), int(exponent)
            if n > 1 and math.comb(n + k - 1, k) > MAX_EXPANDED_TERMS:  # before building it
                raise self.fail(
                    f"expression too large: its expansion has over {MAX_EXPANDED_TERMS} terms", tok
                )
        value = self.build(tok, operator.pow, base, exponent)
        if value.is_Pow and value.exp.is_Number and abs(value.exp) > MAX_EXPONENT:
            raise self.fail(f"exponent too large (limit {MAX_EXPONENT})", tok)  # (z^100)^100
        return value


def call_function(fn, name: str, args: list, keywords: dict, tok, limits: Limits):
    """Call a function record (``apply``) or a plain callable, with its arity checked."""
    if hasattr(fn, "apply"):
        try:
            return limits.build(tok, fn.apply, args, keywords)
        except ParseError as exc:
            message = str(exc)
            raise exc if " at column " in message else limits.fail(message, tok) from None
    if keywords:
        raise limits.fail(f"'{name}' takes no named parameters", tok)
    arity = getattr(fn, "arity", None)
    if arity == "variadic" and len(args) < 2:
        raise limits.fail(f"'{name}' takes at least 2 arguments, got {len(args)}", tok)
    if arity == 1 and len(args) != 1:
        raise limits.fail(f"'{name}' takes 1 argument, got {len(args)}", tok)
    return limits.build(tok, fn, *args)
