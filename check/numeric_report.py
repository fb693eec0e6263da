"""Shared pieces of the numeric checks: the report protocol, number formatting, and the printer
that writes a line of the recurrence as a worked solution does (``δ2[0] · h1[0]``).

A claim written with d decimals agrees when it is strictly within one unit of the d-th decimal
of the exact value (so both correct rounding and rounding carried through a hand calculation pass); an
integer claim must be exact; an explicit tolerance replaces both.
"""

from __future__ import annotations

import json
from decimal import Decimal

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from check.report_display import Displayed

SHOWN_NAMES = {"delta": "δ", "p": "ŷ", "alpha": "α"}


class Report(Displayed):
    """What every check returns: ``ok``, an exit status, text for people, a JSON dict, and
    the display blocks Jupyter shows (``_repr_html_``, ``_repr_markdown_``)."""

    ok: bool

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def decimals_of(claimed: Decimal) -> int:
    """How many decimals a claim was written with: 0.2836 → 4, 4 → 0, 1.5e-3 → 4."""
    return max(0, -claimed.as_tuple().exponent)


def allowed_error(claimed: Decimal, tolerance: Decimal | None) -> sp.Rational:
    """The largest |claimed − exact| accepted for this claim."""
    if tolerance is not None:
        return sp.Rational(str(tolerance))
    places = decimals_of(claimed)
    return sp.Rational(1, 10**places) if places else sp.Integer(0)


def agrees(claimed: Decimal, exact: sp.Number, tolerance: Decimal | None) -> bool:
    """Within the tolerance, or strictly within one unit of the last written decimal.

    Strictly: with exact decimal inputs, a claim exactly one unit away is a different
    decimal (1.1 for 1.0), an arithmetic slip rather than rounding.
    """
    error = abs(sp.Rational(str(claimed)) - exact)
    allowed = allowed_error(claimed, tolerance)
    return (
        bool(error <= allowed) if tolerance is not None or allowed == 0 else bool(error < allowed)
    )


def fmt(value, places: int = 4) -> str:
    """A number for people: fixed ``places`` decimals, scientific when that would show 0."""
    value = float(value)
    if value != 0 and abs(value) < 0.5 * 10**-places:
        return f"{value:.3e}"
    text = f"{value:.{places}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def exact_decimal(value) -> str | None:
    """A Rational with a short terminating decimal exactly (0.6, -1.25, 3), else None."""
    if not isinstance(value, sp.Rational):
        return None
    for places in range(7):
        scaled = value * 10**places
        if scaled.is_Integer:
            text = str(Decimal(int(scaled)).scaleb(-places))
            return text if "E" not in text else None
    return None


def shown_name(base: str) -> str:
    """derive's IndexedBase names as the notes write them: delta2 → δ2, p → ŷ."""
    head = base.rstrip("0123456789")
    return SHOWN_NAMES.get(head, head) + base[len(head) :]


class LinePrinter(StrPrinter):
    """A recurrence line with entries counted from ``base`` and · for products: ``δ2[1] · h1[1]``.

    With ``values`` ({(base, 1-based index): number}) every entry prints as its number instead:
    ``0.0712 · 0.6682``.
    """

    printmethod = "_line_str"  # not "_sympystr": Indexed prints itself through that hook

    def __init__(
        self, values: dict | None = None, places: int = 4, output: str = "ŷ", base: int = 0, **kw
    ):
        super().__init__(kw)
        self.values, self.base = values, base
        self.places = places
        self.output = output

    def _print_Indexed(self, expr):
        base = expr.base.name
        if self.values is not None and all(i.is_Integer for i in expr.indices):
            value = self.values[(base, tuple(int(i) for i in expr.indices))]
            text = exact_decimal(value) or fmt(value, self.places)
            return f"({text})" if value < 0 else text
        name = self.output if base == "p" else shown_name(base)
        indices = ",".join(
            str(int(i) - 1 + self.base) if i.is_Integer else self._print(i) for i in expr.indices
        )
        return f"{name}[{indices}]"

    def _print_Symbol(self, expr):
        if self.values is not None and ("", expr.name) in self.values:
            value = self.values[("", expr.name)]
            return exact_decimal(value) or fmt(value, self.places)
        return SHOWN_NAMES.get(expr.name, expr.name)

    def _print_Pow(self, expr, rational=False):
        if expr.exp == 2:
            return self.parenthesize(expr.base, precedence(expr), strict=True) + "²"
        return super()._print_Pow(expr, rational)

    def _print_Mul(self, expr):
        if expr.args[0] == -1:
            return "-" + self._print(sp.Mul(*expr.args[1:]))
        factors = expr.as_ordered_factors()
        simple = all(not (f.is_Pow and f.exp.is_negative) for f in factors) and expr.args[0] != -1
        if not simple:
            return super()._print_Mul(expr)
        return " · ".join(self.parenthesize(f, precedence(expr)) for f in factors)

    def _print_Float(self, expr):
        return fmt(expr, self.places)


def line_text(
    line: sp.Expr, values: dict, alpha=None, places: int = 4, keep_order: bool = False, base=0
) -> tuple[str, str]:
    """(formula, formula with the numbers in) for one entry's line; ``keep_order`` prints an
    unevaluated sum as built (W − α dW) rather than in SymPy's order."""
    numbers = dict(values)
    if alpha is not None:
        numbers[("", "α")] = alpha
    settings = {"order": "none"} if keep_order else {}
    settings["base"] = base
    return LinePrinter(**settings).doprint(line), LinePrinter(numbers, places, **settings).doprint(
        line
    )
