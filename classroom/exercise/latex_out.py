"""A variant as LaTeX: the student's handout (the network, its numbers, the questions) and
the worked solution (every entry's line, the line with the numbers in, the result).

The templates (``classroom/exercise/templates/*.tex.j2``) use ``<< >>`` and ``<% %>`` so
LaTeX's braces need no escaping; every value they get is LaTeX already (names through
:func:`~classroom.exercise.latex_numbers.escape`, formulas through the notes' printer).
"""

from __future__ import annotations

import functools

import jinja2

from check.numbers_input import UNANSWERED, parse_claim
from classroom.exercise.latex_numbers import (
    ACTIVATION_TEX,
    ALPHA,
    NumbersLatexPrinter,
    escape,
    quantity_tex,
)
from classroom.exercise.pleasant import entry_key, rounded
from classroom.exercise.template import Template
from classroom.exercise.variants import Variant
from derive.render.templates import latex_environment

ENVIRONMENT = latex_environment(jinja2.PackageLoader("classroom.exercise", "templates"))
LOSS_NAMES = {
    "mse": "half the squared error",
    "cross-entropy": "the cross-entropy",
    "binary-cross-entropy": "the binary cross-entropy",
}
SECTIONS = ("Forward pass", "Loss", "Backward pass", "Update")


def matrix_tex(value) -> str:
    """Nested lists of numbers as a pmatrix (a vector as a column)."""
    rows = value if isinstance(value[0], list) else [[v] for v in value]
    body = r" \\ ".join(" & ".join(_number(v) for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def _number(value) -> str:
    return format(value, "f") if not isinstance(value, int) else str(value)


def _common(variant: Variant, template: Template) -> dict:
    """What both documents show: the title, the student, the network and its numbers."""
    solution = variant.candidate.solution
    givens = variant.candidate.givens
    sizes = template.sizes
    network = [
        r"Layers $" + r" \to ".join(str(n) for n in sizes) + r"$ (input first), with "
        r"$z^{(l)} = W^{(l)} h^{(l-1)} + b^{(l)}$, $h^{(l)} = g_l(z^{(l)})$, $h^{(0)} = x$ and "
        rf"$\hat{{y}} = h^{{({len(sizes) - 1})}}$;",
        "the activations "
        + ", ".join(
            f"$g_{{{n}}} = {ACTIVATION_TEX[name]}$"
            for n, name in enumerate(template.activations, start=1)
        )
        + f"; the loss is {LOSS_NAMES[solution.example.loss]}:",
    ]
    shown = [{"name": "x", "value": matrix_tex(givens.x)}]
    shown.append({"name": "y", "value": matrix_tex(givens.y)})
    for name, value in givens.parameters.items():
        shown.append({"name": quantity_tex(name), "value": matrix_tex(value)})
    rate = template.learning_rate
    return {
        "title": escape(template.title),
        "student": escape(variant.student.name),
        "id": escape(variant.student.id),
        "precision": template.precision,
        "network": network,
        "loss": NumbersLatexPrinter().doprint(solution.loss_definition),
        "givens": shown,
        "rate": format(rate, "f") if rate is not None else "",
    }


def exercise_tex(variant: Variant, template: Template) -> str:
    """The student's handout."""
    output = len(template.sizes) - 1
    questions = []
    for key in template.ask:
        claim = parse_claim(key, UNANSWERED, template.sizes)
        index = tuple(i + 1 for i in claim.index) if claim.index is not None else None
        shape = variant.candidate.solution.quantities[claim.quantity].shape
        count = 1 if index is not None or not shape else _size(shape)
        what = "(one number)" if count == 1 else f"({count} numbers)"
        if count > 1 and len(shape) == 2:
            what = f"({count} numbers, {_shape(shape)})"
        name = quantity_tex(claim.quantity, index, output)
        questions.append({"name": name, "what": what})
    return ENVIRONMENT.get_template("exercise.tex.j2").render(
        **_common(variant, template), questions=questions
    )


def _size(shape) -> int:
    count = 1
    for n in shape:
        count *= n
    return count


def _shape(shape) -> str:
    return r"$" + r" \times ".join(str(n) for n in shape) + r"$"


def solution_tex(variant: Variant, template: Template) -> str:
    """The worked solution: each computed entry's line, with its numbers, and the result."""
    solution = variant.candidate.solution
    values = dict(solution.known)
    if template.learning_rate is not None:
        values[("", ALPHA)] = solution.example.learning_rate
    numeric = NumbersLatexPrinter(values, template.precision)
    output = len(template.sizes) - 1
    sections = {title: [] for title in SECTIONS}
    for name, quantity in solution.quantities.items():
        if quantity.given:
            continue
        for index, line in quantity.lines.items():
            sections[_section(name)].append(
                {
                    "name": quantity_tex(name, tuple(i + 1 for i in index), output),
                    "formula": formula_tex(line),
                    "numbers": numeric.doprint(line),
                    "result": format(rounded(quantity.value(index), template.precision), "f"),
                    "asked": entry_key(name, index) in variant.candidate.asked,
                }
            )
    shown = [{"title": t, "rows": rows} for t, rows in sections.items() if rows]
    return ENVIRONMENT.get_template("solution.tex.j2").render(
        **_common(variant, template), sections=shown
    )


@functools.lru_cache(maxsize=4096)
def formula_tex(line) -> str:
    """A line in symbols; the same for every student of a template, so printed once."""
    return NumbersLatexPrinter().doprint(line)


def _section(name: str) -> str:
    if name.endswith("_new"):
        return "Update"
    if name == "loss":
        return "Loss"
    if name[0] in "zh" or name.startswith("g_prime"):
        return "Forward pass"
    return "Backward pass"
