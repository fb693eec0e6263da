"""p − y on a softmax row without cancellation: the primitive, and the NumPy helper it prints as.

Where a row's largest probability p_t is near 1 (the logits of a confident prediction, z ≈ 30),
P − Y rounds p_t before 1 is taken away: 1 − p_t ≈ 6e-10 comes out with a relative error of
4e-7. Since Σ_k p_k = 1, p_t − y_t = (1 − y_t) − Σ_{k≠t} p_k exactly, and Σ_{k≠t} p_k is a sum
of small positive numbers, each rounded relative to itself. Only an entry above ½ needs it
(one per row at most): every other entry has p ≤ ½, and its p − y loses nothing.

>>> import sympy as sp
>>> P, Y = sp.IndexedBase("P"), sp.IndexedBase("Y")
>>> n, i = sp.symbols("n i", integer=True)
>>> softmax_minus_target(P[n, i], Y[n, i]).rewrite(sp.exp)
P[n, i] - Y[n, i]
"""

from __future__ import annotations

import sympy as sp

SOFTMAX_MINUS_TARGET_SOURCE = '''\
def softmax_minus_target(P, Y, out=None):
    """P − Y for rows P = softmax(Z) (m, K) and targets Y (m, K) -> (m, K); out may be given.

    Where a row's top p is above ½, p − y = (1 − y) − Σ_{k≠top} p_k (Σ_k p_k = 1): a sum of
    small numbers, where P − Y takes 1 − p from a rounded p ≈ 1 (4e-7 relative error where
    1 − p ≈ 6e-10, all of it below ε). Entries at most ½ lose nothing in P − Y.
    """
    if out is None:
        out = np.empty_like(P, dtype=np.result_type(P, Y))
    rows, top = np.nonzero(P > 0.5)  # at most one entry per row
    np.copyto(out, P)
    out[rows, top] = 0
    others = out.sum(axis=-1)[rows]  # Σ_{k≠top} p_k: small numbers, no cancellation
    np.subtract(P, Y, out=out)
    out[rows, top] = (1 - Y[rows, top]) - others
    return out
'''


class softmax_minus_target(sp.Function):  # noqa: N801 - SymPy function classes are lower case
    """p_i − y_i of a softmax row, 1 − p of the row's largest p summed from the others.

    Its arguments are entries P[n, i], Y[n, i]; printed as ``softmax_minus_target(P, Y)``, a
    helper reading whole rows of P (:data:`SOFTMAX_MINUS_TARGET_SOURCE`). An identity: its value
    is p_i − y_i wherever P is a softmax row.
    """

    nargs = 2

    def _eval_rewrite_as_exp(self, p, y, **kwargs):
        return p - y

    def fdiff(self, argindex=1):
        return sp.S.One if argindex == 1 else sp.S.NegativeOne

    def _eval_is_real(self):
        return all(a.is_real for a in self.args) or None

    def _numpy_index(self, printer):
        printer.helpers.add("softmax_minus_target")
        p, y = (printer._print(a) for a in self.args)
        return f"softmax_minus_target({p}, {y})"

    _npcode = _numpy_index  # the name SymPy's NumPyPrinter instance asks for


__all__ = ["SOFTMAX_MINUS_TARGET_SOURCE", "softmax_minus_target"]
