"""``backprop exercise make``: per-student variants of a worked example, with solutions.

From a template (:mod:`classroom.exercise.template`) and a roster
(:mod:`classroom.exercise.roster`), :func:`make_files` returns every file of the class as
{relative path: text}::

    <id>/exercise.tex        the handout: the network, its numbers, the questions
    <id>/answers.toml        a ``check numbers`` file, every asked claim "?"
    solutions/<id>.toml      the same file with every claim filled in (the model solution)
    solutions/<id>.tex       the worked solution, each step's numbers

(the caller adds ``exercise.pdf`` and ``solutions/<id>.pdf`` with :mod:`classroom.exercise.pdf`).
The same seed and roster give the same files, byte for byte; each student's numbers come from
a stream seeded by the class seed and the student's id (:mod:`classroom.exercise.draw`), and
are redrawn until pleasant (:mod:`classroom.exercise.pleasant`).
"""

from __future__ import annotations

from classroom.exercise.latex_out import exercise_tex, solution_tex
from classroom.exercise.roster import Student, load_roster
from classroom.exercise.template import Template, load_template
from classroom.exercise.toml_out import numbers_file
from classroom.exercise.variants import Variant, make_variants

__all__ = ["Student", "Template", "Variant", "load_roster", "load_template", "make_files"]


def make_files(template: Template, students: list[Student], seed: int) -> tuple[list, dict]:
    """(the variants in roster order, {relative path: text} of every file)."""
    variants = make_variants(template, students, seed)
    files = {}
    for variant in variants:
        sid = variant.student.id
        title = f"{template.title}: exercise for {variant.student.name} ({sid})"
        # the seed only in the teacher's files: with it and the template, anyone could
        # make the solutions
        blank = [title, f'replace every "?" by your answer, with {template.precision} decimals']
        files[f"{sid}/exercise.tex"] = exercise_tex(variant, template)
        files[f"{sid}/answers.toml"] = numbers_file(variant, template, blank, filled=False)
        solved = [
            title,
            f"the model solution, rounded to {template.precision} decimals; made by "
            f"backprop exercise make (seed {seed}); check numbers judges every claim correct",
        ]
        files[f"solutions/{sid}.toml"] = numbers_file(variant, template, solved, filled=True)
        files[f"solutions/{sid}.tex"] = solution_tex(variant, template)
    return variants, files
