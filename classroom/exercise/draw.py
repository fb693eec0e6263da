"""Drawing one candidate variant: the given numbers of a student's exercise and its exact
solution (by :class:`check.worked.Solution`, the same computation ``check numbers`` judges with).

Each student has an own random stream seeded from the class seed and the student's id
(:func:`student_seed`), so a variant does not depend on the roster's order or on the other
students; candidate k of a student is the k-th draw of that stream.

>>> student_seed(7, "s001") == student_seed(7, "s001") != student_seed(7, "s002")
True
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

from check.numbers_input import example_from_dict, parse_claim
from check.worked import Solution
from classroom.exercise.pleasant import Numbers, entry_key, numbers_of
from classroom.exercise.template import Range, Template, blank_document


def student_seed(seed: int, student_id: str) -> int:
    """A 64-bit seed from the class seed and the id (SHA-256: stable across Python versions)."""
    digest = hashlib.sha256(f"backprop-exercise:{seed}:{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Givens:
    """The numbers of one variant as exact Decimals with the template's decimals.

    parameters: {"W1": (n_1, n_0) nested lists, "b1": (n_1,), ...}; x: (n_0,); y: (n_L,).
    """

    parameters: dict
    x: list
    y: list


@dataclass
class Candidate:
    """A drawn variant and its exact solution.

    asked: {entry key such as "dW1[1,2]" (canonical, counted from 1): exact value}, in the
    order of the template's ``ask``.
    """

    givens: Givens
    solution: Solution
    asked: dict

    @property
    def numbers(self) -> Numbers:
        """The exact numbers the rules of :mod:`classroom.exercise.pleasant` look at."""
        quantities = {n: q.values for n, q in self.solution.quantities.items()}
        return numbers_of(self.asked, quantities)


def draw_givens(template: Template, rng: random.Random) -> Givens:
    """One draw of every given number; weights are never 0 (a 0 weight hides a path)."""
    sizes = template.sizes
    parameters = {}
    for layer in range(1, len(sizes)):
        rows, columns = sizes[layer], sizes[layer - 1]
        parameters[f"W{layer}"] = [
            [_value(template.weights, rng, nonzero=True) for _ in range(columns)]
            for _ in range(rows)
        ]
        parameters[f"b{layer}"] = [_value(template.biases, rng) for _ in range(rows)]
    x = [_value(template.inputs, rng) for _ in range(sizes[0])]
    if template.targets is None:  # one-hot
        hot = rng.randrange(sizes[-1])
        y = [int(i == hot) for i in range(sizes[-1])]
    else:
        y = [_value(template.targets, rng) for _ in range(sizes[-1])]
    return Givens(parameters, x, y)


def _value(span: Range, rng: random.Random, nonzero: bool = False) -> Decimal:
    low, high = span.steps
    while True:
        step = rng.randint(low, high)
        if step or not nonzero or low == high == 0:
            return Decimal(step).scaleb(-span.decimals)


def document(template: Template, givens: Givens, claims: dict | None = None) -> dict:
    """The check numbers document of a variant: its givens and ``claims`` (default all "?")."""
    doc = blank_document(template, givens.parameters, givens.x, givens.y)
    if claims is not None:
        doc["claims"] = claims
    return doc


def solve(template: Template, givens: Givens) -> Candidate:
    """The exact solution of a drawn variant and the value of every asked entry."""
    example = example_from_dict(document(template, givens))
    solution = Solution(example)
    asked = {}
    for key in template.ask:
        claim = parse_claim(key, "?", template.sizes)
        quantity = solution.quantities[claim.quantity]
        indices = [claim.index] if claim.index is not None else list(quantity.values)
        for index in indices:
            asked[entry_key(claim.quantity, index)] = quantity.value(index)
    return Candidate(givens, solution, asked)
