"""Checking hand-worked backpropagation: symbolic answers and line-by-line derivations.

>>> from check import check_answer
>>> verdict = check_answer("softmax-ce", "y_i - p_i")
>>> verdict.correct, verdict.diagnosis  # doctest: +SKIP
(False, 'sign error: the answer is −1 times the correct result')

``check_answer(quantity, text)`` judges one answer against a verified derivation
(:mod:`check.quantities` lists them); ``check_steps(text)`` judges a derivation line by line.
User text is only ever read by the whitelist parser of :mod:`derive.parse` or the matrix
parser of :mod:`check.matrix`; nothing reaches ``eval``, ``exec`` or ``sympify``.
"""

from check.answer import check_answer
from check.report import Verdict
from check.steps import check_steps

__all__ = ["Verdict", "check_answer", "check_steps"]
