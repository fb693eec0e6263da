"""Derivations in free indices, as the notes write the gradient w.r.t. the output units::

    \\hat{y}_\\ell = \\frac{e^{a_{L\\ell}}}{\\sum_{i'} e^{a_{Li'}}}
    \\frac{\\partial}{\\partial a_{Li}} - \\log \\hat{y}_{\\ell}
    = -(\\mathbb{1}_{(\\ell=i)} - \\hat{y}_{i})

Each line claims an equality for every value of its free indices (ℓ and i above), so the
derivation is judged once per *instance*, every free index given a value in 1 … K, and a
line is valid when it is valid in every instance, wrong when it is wrong in one (the
counterexample names the instance).

When nothing in the file singles out an entry (no digit in a subscript, no sum with a number
as its limit) every entry is defined alike, so one instance per pattern of equal indices
(ℓ = i, ℓ ≠ i) stands for all of them; otherwise every assignment is judged.

>>> free_indices([r"\\frac{\\partial}{\\partial a_{Li}} - \\log \\hat{y}_{\\ell}"], 3)
['i', 'ℓ']
>>> assignments(["i", "ℓ"], 3, symmetric=True)
[{'i': 1, 'ℓ': 1}, {'i': 1, 'ℓ': 2}]
>>> len(assignments(["i", "ℓ"], 3, symmetric=False))
9
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from check.steps_read import Reader
from check.steps_report import StepsReport
from check.steps_text import INDEX_TEXT
from derive.errors import ParseError

INDEX_LETTERS = ("i", "j", "k", "m", "n", "ℓ")
MAX_INSTANCES = 27  # three free indices over three entries
_BRACED = re.compile(r"_\s*\{([^{}]*)\}")
_SINGLE = re.compile(r"_\s*(\\ell(?![A-Za-z])|ℓ|[a-z])(?![A-Za-z0-9'])")
_ENTRY = re.compile(r"_\s*(?:\{[^{}=]*[0-9][^{}]*\}|[0-9])|\\sum[^=]*?\^\s*\{?\s*[0-9]")


def _letters_in(inner: str) -> set:
    """The index letters of a subscript of indices (``Li`` → i, ``L\\ell`` → ℓ; not i')."""
    found = {x for x in INDEX_LETTERS[:-1] if re.search(re.escape(x) + "(?!')", inner)}
    return found | ({"ℓ"} if re.search(r"\\ell(?![A-Za-z])|ℓ", inner) else set())


def free_indices(lines: list[str], size: int) -> list[str]:
    """The index letters the lines use outside a sum over them (ℓ, i in ŷ_ℓ, a_{Li})."""
    found: dict = {}  # letter -> where it is first used
    for text in lines:
        try:
            text = Reader(size=size).sums(text)  # Σ_k y_k: k is bound, not free
        except ParseError:
            pass
        for m in _BRACED.finditer(text):
            if re.fullmatch(INDEX_TEXT, m.group(1)):
                for x in _letters_in(m.group(1)):
                    found.setdefault(x, (len(found), m.start()))
        for m in _SINGLE.finditer(text):
            for x in _letters_in(m.group(1)):
                found.setdefault(x, (len(found), m.start()))
    return sorted(found, key=found.get)


def symmetric(text: str) -> bool:
    """Whether no entry is singled out: no digit in a subscript, no sum up to a number."""
    return _ENTRY.search(text) is None


def assignments(letters: list[str], size: int, *, symmetric: bool) -> list[dict]:
    """The instances judged: every assignment of 1 … size, or (symmetric) one per pattern of
    equal indices. ParseError when there would be more than MAX_INSTANCES."""
    if symmetric:
        plans = [[1]]
        for _ in letters[1:]:
            plans = [[*p, v] for p in plans for v in range(1, min(max(p) + 1, size) + 1)]
    else:
        plans = [list(p) for p in itertools.product(range(1, size + 1), repeat=len(letters))]
    if len(plans) > MAX_INSTANCES:
        names = ", ".join(letters)
        raise ParseError(
            f"too many free indices ({names}): give some of them a value (e.g. a_{{L1}})"
        )
    return [dict(zip(letters, p, strict=True)) for p in plans]


def at(values: dict) -> str:
    """``ℓ = 1, i = 2``."""
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def combine(reports: list[StepsReport], plans: list[dict], *, size: int, sym: bool):
    """One report: each line valid if valid in every instance, wrong if wrong in one."""
    first = reports[0]
    if any(len(r.lines) != len(first.lines) for r in reports):
        raise ParseError("the instances of the free indices read different lines")
    names = ", ".join(plans[0])
    every = f"at every {names} in 1 … {size}"
    if sym and len(plans) < size ** len(plans[0]):
        every += f" (every entry is defined alike: {'; '.join(at(p) for p in plans)} stand for all)"
    lines = [
        _combined([r.lines[k] for r in reports], plans, every) for k in range(len(first.lines))
    ]
    finals = [r.final_correct for r in reports]
    final = False if False in finals else (True if all(finals) else None)
    if final:
        expected = first.lines[-1].source.strip() or first.lines[-1].text
    else:
        shown = [f"{r.expected} at {at(plan)}" for r, plan in zip(reports, plans, strict=True)]
        expected = "; ".join(shown[:3]) + ("; …" if len(shown) > 3 else "")
    readings = sorted(set().union(*(r.readings for r in reports)))
    readings.append(f"{names}: free indices; each line is checked {every}")
    assumptions = list(dict.fromkeys(a for r in reports for a in r.assumptions))
    report = StepsReport(
        first.start, lines, first.definitions, expected=expected, assumptions=assumptions,
        readings=readings,
    )  # fmt: skip
    report.final_correct = final
    return report


def _combined(lines: list, plans: list[dict], every: str):
    """One line's verdict over the instances (its text as written, not instantiated)."""
    wrong = next((k for k, line in enumerate(lines) if line.valid is False), None)
    if wrong is not None:
        line = lines[wrong]
        ce = line.counterexample and dict(line.counterexample)
        if ce:
            ce["at"] = {**plans[wrong], **ce.get("at", {})}
        return replace(line, method=f"{line.method}, at {at(plans[wrong])}", counterexample=ce)
    undecided = next((line for line in lines if line.valid is None), None)
    if undecided is not None:
        return undecided
    return replace(lines[0], method=f"{lines[0].method}; {every}")
