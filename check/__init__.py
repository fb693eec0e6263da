"""Checking hand-worked backpropagation: symbolic answers and line-by-line derivations.

>>> from check import check_answer
>>> verdict = check_answer("softmax-ce", "y_i - p_i")
>>> verdict.correct, verdict.diagnosis  # doctest: +SKIP
(False, 'sign error: the answer is −1 times the correct result')

``check_answer(quantity, text)`` judges one answer against a verified derivation
(:mod:`check.quantities` lists them); ``check_steps(text)`` judges a derivation line by line;
``check_numbers(path_or_dict)`` a numeric worked example; ``check_code("file.py:fn", spec)``
a hand-written backward function against the generated module's gradients.
User text is only ever read by the one expression language, :mod:`derive.language` (its
matrix reader for dense-layer answers); nothing reaches ``eval``, ``exec`` or ``sympify``.
"""

_LAZY = {
    "check_answer": "check.answer",
    "check_code": "check.code",
    "check_numbers": "check.numbers",
    "Verdict": "check.report",
    "check_steps": "check.steps",
}


def __getattr__(name: str):
    """The modes are imported on first use (they need SymPy; PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'check' has no attribute {name!r}")


__all__ = ["Verdict", "check_answer", "check_code", "check_numbers", "check_steps"]
