"""LaTeX for the numbers of a worked example: the notes' printer with ŷ for the output and,
given values, every entry printed as its number (``\\delta^{(2)}_{1} h^{(1)}_{1}`` becomes
``(-0.0521) \\cdot 0.6682``); plus the names of claimable quantities and LaTeX escaping.

>>> import sympy as sp
>>> NumbersLatexPrinter().doprint(sp.IndexedBase("p")[1])
'\\\\hat{y}_{1}'
>>> quantity_tex("dW1", (1, 2))
'\\\\left(\\\\frac{\\\\partial L}{\\\\partial W^{(1)}}\\\\right)_{12}'
"""

from __future__ import annotations

import re

import sympy as sp

from check.numeric_report import exact_decimal, fmt
from derive.render.printer import NotesLatexPrinter

ALPHA = "α"
OUTPUT = "p"  # derive's name of the network's output ŷ
SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
ACTIVATION_TEX = {
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "relu": r"\operatorname{ReLU}",
    "identity": r"\operatorname{id}",
    "softmax": r"\operatorname{softmax}",
}
# claim name (without layer) → LaTeX with the layer in; one record per kind of quantity
QUANTITY_TEX = {
    "z": "z^{{({l})}}",
    "h": "h^{{({l})}}",
    "g_prime": "g_{{{l}}}'(z^{{({l})}})",
    "delta": r"\delta^{{({l})}}",
    "dh": r"\frac{{\partial L}}{{\partial h^{{({l})}}}}",
    "dW": r"\frac{{\partial L}}{{\partial W^{{({l})}}}}",
    "db": r"\frac{{\partial L}}{{\partial b^{{({l})}}}}",
    "W_new": r"W^{{({l})}}_{{\mathrm{{new}}}}",
    "b_new": r"b^{{({l})}}_{{\mathrm{{new}}}}",
    "W": "W^{{({l})}}",
    "b": "b^{{({l})}}",
}


def escape(text: str) -> str:
    """Plain text (a title, a student's name) safe inside a LaTeX document."""
    return "".join(SPECIAL.get(c, c) for c in text)


def quantity_tex(name: str, index: tuple[int, ...] | None = None, output_layer: int = 0) -> str:
    """The notes' symbol of a claim name ("delta2" → δ^(2)), with a 1-based entry index."""
    if name == "loss":
        return "L"
    match = re.fullmatch(r"([A-Za-z_]+?)(\d+)(_new)?", name)
    if name == "yhat" or (match and match[1] == "h" and int(match[2]) == output_layer):
        base = r"\hat{y}"
    elif match:
        base = QUANTITY_TEX[match[1] + (match[3] or "")].format(l=match[2])
    else:
        base = escape(name)
    if not index:
        return base
    if r"\frac" in base or "'" in base or "_" in base:
        base = rf"\left({base}\right)"
    return f"{base}_{{{''.join(str(i) for i in index)}}}"


class NumbersLatexPrinter(NotesLatexPrinter):
    """The notes' LaTeX printer; with ``values`` ({(base, 1-based index): number}, and
    ("", "α")) every entry and α print as their numbers at ``places`` decimals."""

    def __init__(self, values: dict | None = None, places: int = 4):
        super().__init__()
        self.values = values
        self.places = places

    def _number(self, value) -> str:
        text = exact_decimal(value) or fmt(value, self.places)
        return f"({text})" if value < 0 else text

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        key = (expr.base.name, tuple(int(i) for i in expr.indices if i.is_Integer))
        if self.values is not None and key in self.values:
            return self._number(self.values[key])
        if expr.base.name == OUTPUT:
            return r"\hat{y}_{" + ",".join(self._print(i) for i in expr.indices) + "}"
        return super()._print_Indexed(expr)

    def _juxtapose(self, factors: list[sp.Basic]) -> str:
        """Numbers side by side need a product sign: 0.6 · (−0.0521), not 0.6 (−0.0521)."""
        if self.values is None:
            return super()._juxtapose(factors)
        parts = []
        for n, factor in enumerate(factors):
            tex = self._print(factor)
            if self._needs_mul_brackets(factor, first=n == 0, last=n == len(factors) - 1):
                tex = r"\left(%s\right)" % tex
            parts.append(tex)
        return r" \cdot ".join(parts)

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr.name == ALPHA:
            if self.values is not None and ("", ALPHA) in self.values:
                return self._number(self.values[("", ALPHA)])
            return r"\alpha"
        return super()._print_Symbol(expr, style)
