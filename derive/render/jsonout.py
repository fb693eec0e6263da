"""JSON output: every expression as LaTeX, one-line text, and ``srepr`` that SymPy reads back.

Shape::

    {"name", "title", "summary", "summary_tex", "conventions": [...], "conventions_tex": [...],
     "verified": true,
     "chains": [{"key", "title", "note", "note_tex", "lhs": EXPR,
                 "steps": [{"rhs": EXPR, "why", "why_tex", "verified_by"}],
                 "result": EXPR, "matrix_form": {"latex", "text"} | null}],
     "checks": [{"name", "detail", "passed"}]}

where EXPR is ``{"latex", "text", "sympy"}``, and each ``*_tex`` is its prose with the math
delimited by ``$...$`` as LaTeX, for KaTeX or MathJax on a web page. ``sympy`` is ``srepr`` (with the assumptions of
symbols and undefined functions), so ``sympify(s, locals={"sigmoid": sigmoid, "relu": relu})``
gives back an equal expression, and with ``evaluate=False`` the identical one, unevaluated
steps included. sympify evaluates Python: read back only output you trust.
"""

from __future__ import annotations

import json

import sympy as sp

from derive.model import Chain, Derivation
from derive.render import verification
from derive.render.printer import latex, srepr, text
from derive.render.prose import to_delimited

JSON_OPTIONS = {"ensure_ascii": False, "indent": 2}


def expression(expr: sp.Basic) -> dict:
    """``{"latex", "text", "sympy"}`` for one expression."""
    return {"latex": latex(expr), "text": text(expr), "sympy": srepr(expr)}


def _chain(chain: Chain) -> dict:
    matrix_form = None
    if chain.matrix_form or chain.matrix_form_text:
        matrix_form = {"latex": chain.matrix_form, "text": chain.matrix_form_text}
    return {
        "key": chain.key,  # the result's name: derivation[key]
        "title": chain.title,
        "note": chain.note,
        "note_tex": to_delimited(chain.note),
        "lhs": expression(chain.lhs),
        "steps": [
            {
                "rhs": expression(step.rhs),
                "why": step.why,
                "why_tex": to_delimited(step.why),
                "verified_by": step.verified_by,
            }
            for step in chain.steps
        ],
        "result": expression(chain.result),
        "matrix_form": matrix_form,
    }


def as_dict(derivation: Derivation) -> dict:
    """The JSON object of one verified derivation, as Python data."""
    verification.require_verified(derivation)
    return {
        "name": derivation.name,
        "title": derivation.title,
        "summary": derivation.summary,
        "summary_tex": to_delimited(derivation.summary),
        "conventions": list(derivation.conventions),
        "conventions_tex": [to_delimited(c) for c in derivation.conventions],
        "verified": derivation.verified,
        "chains": [_chain(chain) for chain in derivation.chains],
        "checks": [
            {"name": c.name, "detail": c.detail, "passed": c.passed} for c in derivation.checks
        ],
    }


def render(derivation: Derivation) -> str:
    """The JSON text of one derivation (deterministic: fixed key order, no timestamps)."""
    return json.dumps(as_dict(derivation), **JSON_OPTIONS) + "\n"
