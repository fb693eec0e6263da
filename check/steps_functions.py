"""Functions a derivation uses without defining them: the notes' activation ``g`` in
``a_s^l = g(z_s^l)`` and its derivative ``g'(z_j^l)``.

Such a function stays symbolic (it prints as g(z), g′(z)), and is evaluated as a fixed
*generic* smooth function that satisfies none of the identities of the usual activations
(g′ = g(1 − g), g′ = 1 − g², g(−z) = −g(z), ...). A line equal to the one before for every
function g is then equal at the sampled points; a line that is not equal for the generic g
may still hold for a particular g (σ, tanh, the identity, ReLU), and is then undecided, never
wrong: the file does not say which function g is.

>>> g = unknown_function("g", 0)
>>> x = sp.Symbol("x")
>>> show(g(x).diff(x))
'g′(x)'
>>> round(float(g(x).diff(x).rewrite(sp.exp).doit().subs(x, 0)), 6)
1.41
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from check.diagnose import show
from derive.functions import sigmoid

# generic bodies (a transcendental mix: no activation's identity holds for them)
_BODIES = (
    lambda x: sp.Float("0.4") + sp.Float("0.9") * x + sp.Float("0.3") * sp.sin(sp.Float("1.7") * x),
    lambda x: (
        sp.Float("-0.2") + sp.Float("0.7") * x + sp.Float("0.25") * sp.cos(sp.Float("1.3") * x)
    ),
    lambda x: sp.Float("0.1") + sp.Float("1.1") * x - sp.Float("0.2") * sp.sin(sp.Float("0.9") * x),
)
# what a function left undefined most often is, in the notes: judged when the generic one fails
KNOWN = (
    ("σ (the logistic function)", sigmoid),
    ("tanh", sp.tanh),
    ("the identity", lambda x: x),
    ("ReLU", lambda x: sp.Max(0, x)),
)
CANDIDATES = ("f", "g", "calA")  # letters the notes use for an activation or a function
_NOT_A_VARIABLE = r"\s*(?:'|\^\s*\{?\\prime\}?)?\s*\("  # g(, g'(, g^{\prime}(


def unknown_function(name: str, number: int) -> UndefinedFunction:
    """The undefined function ``name`` (number: which generic body evaluates it)."""
    body = _BODIES[number % len(_BODIES)]

    def rewrite(self, *args, **kwargs):
        return body(args[0])

    def evalf(self, prec):
        return body(self.args[0])._eval_evalf(prec)

    # generic=…: a class of its own, never equal to (nor cached as) another function g
    methods = {"_eval_rewrite_as_exp": rewrite, "_eval_evalf": evalf}
    return UndefinedFunction(name, __dict__=methods, generic=number + 1)


def undefined_functions(text: str) -> list[str]:
    """The candidate letters ``text`` applies like functions (g(…), g'(…)), never uses
    otherwise, and does not define (g(z) = …).

    >>> undefined_functions("a = g(z)\\nda/dz\\n= g'(z)")
    ['g']
    >>> undefined_functions("\\\\mathcal{A}(z) = 1/(1+e^{-z})\\ny = \\\\mathcal{A}(w x)")
    []
    """
    text = re.sub(r"\\mathcal\s*\{\s*A\s*\}", "calA", text)
    defined = set(re.findall(r"^\s*([A-Za-z]|calA)\s*\(\s*[A-Za-z]\s*\)\s*=(?!=)", text, re.M))
    found = []
    for name in CANDIDATES:
        uses = list(re.finditer(rf"(?<![A-Za-z\\]){name}(?![A-Za-z0-9_])", text))
        if not uses or name in defined:
            continue
        if all(re.match(_NOT_A_VARIABLE, text[m.end() :]) for m in uses):
            found.append(name)
    return found


def is_generic(expr: sp.Basic) -> bool:
    return any(getattr(f, "generic", False) for f in expr.atoms(AppliedUndef))


def as_known(expr: sp.Basic, function) -> sp.Expr:
    """expr with every generic function replaced by ``function`` (σ, tanh, ...)."""
    generic = [f for f in expr.atoms(AppliedUndef) if getattr(f, "generic", False)]
    if not generic:
        return expr
    return expr.xreplace({f: function(f.args[0]) for f in generic}).doit()


__all__ = ["KNOWN", "as_known", "is_generic", "show", "undefined_functions", "unknown_function"]
