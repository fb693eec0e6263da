"""``backprop demo``: the whole path on the embedded default, in one command.

Derive and verify every built-in derivation (printing softmax-ce), write the lecture notes,
generate the digits module from examples/digits.toml, train it on scikit-learn's digits with
that spec's settings, and say where the LaTeX, the module and the curves were written.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import derive
from backprop import rules_option
from backprop.output import write_text
from derive.errors import BackpropError

DIGITS_SPEC = Path(__file__).resolve().parents[2] / "examples" / "digits.toml"


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        parents=[rules_option.parent()],
        help="derive, verify, generate and train: the whole path (the README's main job)",
        description="Run the main job on the embedded default: derive and verify the gradients, "
        "write the lecture notes, generate the digits module, train it, and say where "
        "everything was written.",
    )
    p.add_argument("--out-dir", default="out", metavar="DIR", help="where to write (default: out/)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # NumPy, SymPy and the trainer: imported only when the demo runs (fast --help)
    from backprop.commands.train import describe, format_result, plot_title, train_settings
    from backprop.datasets import load_dataset
    from backprop.plotting import plot_curves
    from backprop.training import train_on

    out = Path(args.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackpropError(f"cannot create {out}: {exc.strerror or exc}") from None
    tex, md = write_notes(out)
    module_path = out / "digits.py"
    module = generate(module_path)
    dataset = load_dataset("digits")
    settings = train_settings(module)
    print(f"\n{describe(module, dataset.name)}")
    result = train_on(module, dataset, **settings, progress=not args.quiet)
    print(format_result(result, settings))
    plot = out / "digits.png"
    plot_curves(result, plot, title=plot_title(module, dataset.name))
    print(
        f"\nLaTeX:    {tex}  (pdflatex {tex})\nMarkdown: {md}\n"
        f"module:   {module_path}\ncurves:   {plot}"
    )
    return 0


def write_notes(out: Path) -> tuple[Path, Path]:
    """Derive and verify every built-in, print softmax-ce, write the LaTeX and Markdown notes."""
    from derive.render import render, render_many

    start = time.perf_counter()
    derivations = [derive.get(name) for name in derive.names()]
    seconds = time.perf_counter() - start
    print(render(derive.get("softmax-ce"), "text"))
    steps = sum(len(d.all_steps()) for d in derivations)
    checks = sum(len(d.checks) for d in derivations)
    print(
        f"\nderived and verified {len(derivations)} derivations ({steps} steps, "
        f"{checks} independent cross-checks) in {seconds:.1f} s"
    )
    tex, md = out / "derivations.tex", out / "derivations.md"
    write_text(tex, render_many(derivations, "latex", standalone=True))
    write_text(md, render_many(derivations, "markdown"))
    return tex, md


def generate(module_path: Path):
    """Write the digits module generated from examples/digits.toml, and import that file."""
    from codegen.generate import load_module, write_module

    if not DIGITS_SPEC.is_file():
        raise BackpropError(f"the demo's spec {DIGITS_SPEC} is missing: run it from a checkout")
    start = time.perf_counter()
    write_module(os.path.relpath(DIGITS_SPEC), module_path)
    print(
        f"\ngenerated {module_path} from {os.path.relpath(DIGITS_SPEC)} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return load_module(module_path)
