"""``backprop exercise make``: one exercise per student, with the answers file and the solution.

The work is :mod:`classroom.exercise`'s (imported only when a command runs, so ``--help``
stays SymPy-free); this module parses the command line, writes the files and prints what it
wrote.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

MAX_SEED = 2**63 - 1
NAME_WIDTH = 24  # characters of a name in the listing


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_SEED}, got {value}")
    return value


def register(sub) -> None:
    p = sub.add_parser(
        "exercise",
        help="make per-student exercises with their solutions",
        description="Randomised worked examples for a class: a handout, a blank answers file "
        "and a worked solution per student.",
    )
    p.set_defaults(run=lambda args: p.print_help() or 2)  # no action: say which there are
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    make = actions.add_parser(
        "make",
        help="one exercise per student of a roster",
        description="Write OUTDIR/<id>/exercise.tex (.pdf), OUTDIR/<id>/answers.toml (every "
        'asked claim "?") and OUTDIR/solutions/<id>.toml, .tex (.pdf). The same seed and '
        "roster give the same files.",
    )
    make.add_argument("template", metavar="TEMPLATE.toml", help="the exercise template")
    make.add_argument(
        "--students", required=True, metavar="ROSTER.csv", help="CSV with id and name columns"
    )
    make.add_argument("--seed", required=True, type=_seed, help="the class seed (0 or more)")
    make.add_argument("-o", "--out", required=True, metavar="OUTDIR", help="output folder")
    make.add_argument("--no-pdf", action="store_true", help="write the .tex files only")
    make.set_defaults(run=run_make)


def run_make(args: argparse.Namespace) -> int:
    from classroom.exercise import load_roster, load_template, make_files
    from classroom.exercise.pdf import pdflatex

    template = load_template(args.template)
    students = load_roster(args.students)
    out = _out_folder(args.out)
    variants, files = make_files(template, students, args.seed)
    pdf = not args.no_pdf and pdflatex() is not None
    written = _write(out, files, pdf)
    print(f"{len(variants)} exercises from {args.template} (seed {args.seed}) in {out}/")
    width = max(len(v.student.id) for v in variants)
    names = max(len(v.student.name[:NAME_WIDTH]) for v in variants)
    for variant in variants:
        sid, name = variant.student.id, variant.student.name[:NAME_WIDTH]
        handout = f"{sid}/exercise.{'pdf' if pdf else 'tex'}"
        print(
            f"  {sid:<{width}}  {name:<{names}}  {handout}  {sid}/answers.toml  solutions/{sid}.toml"
        )
    print(f"{written} files written; the solutions also as solutions/<id>.tex" + (", .pdf" * pdf))
    rejected = sum((v.rejected for v in variants), start=Counter())
    if rejected:
        counts = ", ".join(f"{count} {rule}" for rule, count in sorted(rejected.items()))
        print(f"redrawn: {counts}")
    if not args.no_pdf and not pdf:
        print("pdflatex is not installed: the handouts are LaTeX only")
    return 0


def _out_folder(path: str) -> Path:
    from derive.errors import BackpropError

    out = Path(path)
    if out.exists() and not out.is_dir():
        raise BackpropError(f"cannot write into {out}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackpropError(f"cannot make {out}: {exc.strerror or exc}") from None
    return out


def _write(out: Path, files: dict, pdf: bool) -> int:
    """Write every file (and the PDFs of the .tex files); how many were written. A document
    pdflatex cannot typeset (a name in a script its fonts lack) keeps its .tex, with a warning."""
    from backprop.output import write_bytes, write_text
    from classroom.exercise.pdf import compile_pdf
    from derive.errors import BackpropError

    count = 0
    for relative, text in files.items():
        target = out / relative
        try:
            target.parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise BackpropError(f"cannot make {target.parent}: {exc.strerror or exc}") from None
        write_text(target, text)
        count += 1
        if pdf and relative.endswith(".tex"):
            try:
                document = compile_pdf(text, relative)
            except BackpropError as exc:
                print(f"backprop: warning: {exc} (the .tex is written)", file=sys.stderr)
                continue
            write_bytes(target.with_suffix(".pdf"), document)
            count += 1
    return count
