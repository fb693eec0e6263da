"""The domain a ``check steps`` file is judged on: definitions (a vector defined entry by
entry), where each name is sampled (prediction-like names in (0, 1), others in (−2, 2)), and
the one-hot target, declared or inferred from a cross-entropy loss."""

from __future__ import annotations

import numpy as np
import sympy as sp

from check.steps_file import atoms_of
from check.steps_read import Reader
from derive.model import Domain
from derive.substitute import apply_definitions

UNIT = ("p", "q", "yhat", "ystar", "a", "h", "y")  # sampled in (0, 1) when not defined
ONE_HOT_NOTE = "y one-hot (Σ_k y_k = 1)"


class Entries:
    """A vector defined entry by entry (q_1 = …, q_2 = …), as derive's definitions are; an
    entry not defined (a_2 beside a_3 = σ(w_3 a_2)) is a free variable of its own."""

    def __init__(self, base: sp.IndexedBase, entries: dict):
        self.base, self.entries = base, entries

    def __call__(self, index):
        if int(index) in self.entries:
            return self.entries[int(index)]
        return free_entry(self.base, int(index))


def free_entry(base: sp.IndexedBase, index: int) -> sp.Symbol:
    return sp.Symbol(f"{base.label}_{index}", real=True)


def sampler(low, high):
    def draw(rng, n, shape):
        return rng.uniform(low, high, size=n if shape is None else (n, *shape))

    return draw


def balanced_one_hot(rng, n, shape):
    """One-hot rows (n, K) in which every class occurs (so no class goes unchecked)."""
    classes = rng.permutation(np.arange(n) % shape[0])
    out = np.zeros((n, *shape))
    out[np.arange(n), classes] = 1.0
    return out


def domain_of(reader: Reader, exprs, one_hot: str | None) -> Domain:
    definitions, vectors = {}, {}
    for key, value in reader.definitions.items():
        if isinstance(key, sp.Indexed):
            vectors.setdefault(key.base, {})[int(key.indices[0])] = value
        else:
            definitions[key] = value
    definitions.update({base: Entries(base, entries) for base, entries in vectors.items()})
    atoms = set().union(*(atoms_of(apply_definitions(e, definitions)) for e in exprs))
    for atom in [a for a in atoms if isinstance(a, sp.Indexed) and a.base in vectors]:
        atoms.add(free_entry(atom.base, int(atom.indices[0])))  # sampled like the vector
    samplers: dict = {}
    for atom in atoms:
        key = atom.base if isinstance(atom, sp.Indexed) else atom
        name = str(key.label if isinstance(key, sp.IndexedBase) else key).split("^")[0]
        samplers[key] = sampler(0.05, 0.95) if name in UNIT else sampler(-2.0, 2.0)
    assumptions = []
    if one_hot:
        for base in {a.base for a in atoms if isinstance(a, sp.Indexed)}:
            if str(base.label).split("^")[0] == one_hot:
                size = max(int(a.indices[0]) for a in atoms if getattr(a, "base", None) == base)
                samplers[base], samplers[("shape", base)] = balanced_one_hot, (max(size, 2),)
        assumptions.append(ONE_HOT_NOTE)
    return Domain(definitions=definitions, samplers=samplers, assumptions=assumptions)


def infer_one_hot(reader: Reader, exprs) -> bool:
    """Cross-entropy over several classes (y_k log q_k for two k or more): y is one-hot."""
    found = set()
    exprs = [e for e in [*exprs, *reader.definitions.values()] if e.has(sp.log)]
    # expanding only splits terms, so the y entries found are among those of the expressions
    # with a log: fewer than two there (a scalar y), and none of the costly expansions is done
    candidates = {a for e in exprs for a in e.atoms(sp.Indexed) if str(a.base.label) == "y"}
    if len(candidates) < 2:
        return False
    for e in exprs:
        for term in sp.Add.make_args(sp.expand(e) if sp.count_ops(e) < 200 else e):
            if term.has(sp.log):
                found |= {a for a in term.atoms(sp.Indexed) if str(a.base.label) == "y"}
    return len(found) >= 2
