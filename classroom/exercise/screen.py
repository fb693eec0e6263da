"""A fast first look at many draws: the exact solution's own lines, evaluated in float64 for
a batch of draws at once.

Most draws are rejected (a near-tie somewhere among a dozen values is likely), and an exact
:class:`check.worked.Solution` takes about 20 ms. The lines a Solution evaluates (the verified
recurrence, in derive's Indexed symbols) are the same for every draw of a template; only the
numbers change. So :class:`Screen` takes them once from a reference solution and evaluates
them with :func:`derive.numeric.evaluate` (the project's vectorised evaluator) for B draws
at a time, and the rules of
:mod:`classroom.exercise.pleasant` look at the float values with a slack (they reject only
what they would reject at every number that close). A draw that passes is then solved
exactly and judged again; the variant is the first draw the exact check accepts, the same one
a draw-by-draw exact search would choose.
"""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import sympy as sp

from check.worked import ALPHA
from classroom.exercise.draw import Givens, draw_givens, solve
from classroom.exercise.pleasant import Numbers, numbers_of
from classroom.exercise.template import Template
from derive.errors import BackpropError
from derive.numeric import EvaluationError, evaluate

SLACK = Decimal("1e-9")  # far above float64's error on these few operations, far below 10^-7


class Screen:
    """The template's lines, in the order a Solution computes them.

    ``numbers(batch)`` takes B draws (a list of :class:`Givens`) and returns B
    :class:`Numbers` with :data:`SLACK`.
    """

    def __init__(self, template: Template):
        self.template = template
        reference = solve(template, draw_givens(template, random.Random(0)))
        self.asked_keys = list(reference.asked)
        self.steps = []  # (quantity name, 0-based index, key it is known by, line)
        solution = reference.solution
        for name, quantity in solution.quantities.items():
            if quantity.given:
                continue
            base = _base(solution, name)
            for index, line in quantity.lines.items():
                self.steps.append((name, index, (base, tuple(i + 1 for i in index)), line))

    def numbers(self, batch: list[Givens]) -> list[Numbers]:
        """The float values of every computed entry of each draw, as screening Numbers."""
        known = _given_arrays(self.template, batch)
        values: dict[str, dict] = {}
        with np.errstate(all="ignore"):
            for name, index, (base, where), line in self.steps:
                result = evaluate(line, known, memo={})
                array = np.broadcast_to(np.asarray(result, dtype=float), (len(batch),))
                if where:  # the loss (a scalar) is no line's input
                    known[sp.IndexedBase(base)[where]] = array
                values.setdefault(name, {})[index] = array
        out = []
        for b in range(len(batch)):
            if not all(np.isfinite(v[b]) for q in values.values() for v in q.values()):
                out.append(None)  # the exact check will say why
                continue
            quantities = {n: {i: float(v[b]) for i, v in q.items()} for n, q in values.items()}
            asked = {key: _entry(quantities, key) for key in self.asked_keys}
            out.append(numbers_of(asked, quantities, SLACK))
        return out


def _entry(quantities: dict, key: str) -> float:
    name, _, rest = key.partition("[")
    index = tuple(int(i) - 1 for i in rest.rstrip("]").split(",")) if rest else ()
    return quantities[name][index]


def _base(solution, name: str) -> str:
    """The name a Solution files a quantity's entries under (h of the last layer is p)."""
    if name == "loss":
        return "L"
    if name[0] == "h" and name[1:].isdigit():
        return solution.output_base(int(name[1:]))
    return name


def _given_arrays(template: Template, batch: list[Givens]) -> dict:
    """{Indexed entry (1-based, as in the lines): (B,) array} of every given number, and α."""
    known = {}

    def put(base, nested):
        array = np.array([[float(v) for v in _flat(n)] for n in nested])
        shape = np.shape(nested[0])
        for column, index in enumerate(np.ndindex(*shape)):
            known[sp.IndexedBase(base)[tuple(i + 1 for i in index)]] = array[:, column]

    for name in batch[0].parameters:
        put(name, [g.parameters[name] for g in batch])
    put("x", [g.x for g in batch])
    put("y", [g.y for g in batch])
    if template.learning_rate is not None:
        known[ALPHA] = np.full(len(batch), float(template.learning_rate))
    return known


def _flat(nested):
    if isinstance(nested, list):
        for item in nested:
            yield from _flat(item)
    else:
        yield nested


def compile_screen(template: Template) -> Screen | None:
    """A Screen, or None when a line cannot be evaluated in NumPy (every draw is then solved
    exactly)."""
    try:
        return Screen(template)
    except (BackpropError, EvaluationError):
        return None
