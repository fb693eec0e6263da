"""The start ``\\delta_j^l`` of the notes' δ recurrence: δ^l_j is ∂L/∂z^l_j, and L depends on
z^l only through the next layer's z^{l+1} (defined in the file), so by the chain rule

    δ^l_j = Σ_k δ^{l+1}_k ∂z^{l+1}_k/∂z^l_j

with δ^{l+1}_k = ∂L/∂z^{l+1}_k given. The derivation's lines are then judged against that
start: the chain-rule step itself, and the algebra after it.
"""

from __future__ import annotations

import re

import sympy as sp

READING = (
    "δ^({l})_j read as ∂L/∂z^({l})_j, L depending on z^({l}) only through z^({next}) (defined "
    "above): δ^({l})_j = Σ_k δ^({next})_k ∂z^({next})_k/∂z^({l})_j"
)


def next_layer(layer: str) -> str:
    """``l`` → ``l+1``, ``3`` → ``4``, ``l-1`` → ``l``."""
    if layer.isdigit():
        return str(int(layer) + 1)
    if m := re.fullmatch(r"(.+)-1", layer):
        return m.group(1)
    return f"{layer}+1"


def delta_start(start: sp.Basic, definitions: dict, steps: list, expand) -> tuple | None:
    """(the start written out, the reading) when ``start`` is a bare entry δ^{l}_j, the file
    defines z^{l+1} entry by entry and the lines use δ^{l+1}; else None. ``expand`` writes
    the definitions out (the reader's)."""
    if not isinstance(start, sp.Indexed):
        return None
    m = re.fullmatch(r"delta\^\((?P<layer>[^()]+)\)", str(start.base.label))
    if m is None:
        return None
    layer = m.group("layer")
    later = next_layer(layer)
    nxt = sp.IndexedBase(f"delta^({later})", real=True)
    z_next = sorted(
        (
            k
            for k in definitions
            if isinstance(k, sp.Indexed) and str(k.base.label) == f"z^({later})"
        ),
        key=lambda k: int(k.indices[0]),
    )
    used = any(a.base == nxt for line in steps for a in line.expr.atoms(sp.Indexed))
    if not z_next or not used:
        return None
    var = sp.IndexedBase(f"z^({layer})", real=True)[start.indices[0]]
    total = sp.Add(*(nxt[k.indices[0]] * sp.diff(expand(k), var) for k in z_next))
    return total, READING.format(l=layer, next=later)
