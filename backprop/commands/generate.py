"""``backprop generate``: a standalone NumPy training module from a network spec."""

from __future__ import annotations

import argparse
import sys

from backprop import rules_option


def register(sub) -> None:
    p = sub.add_parser(
        "generate",
        parents=[rules_option.parent()],
        help="generate a NumPy training module from a network spec (TOML)",
        description=(
            "Generate a standalone NumPy module (init_params, forward, loss, backward, "
            "gradients, predict, train) whose math lines are printed from verified derivations."
        ),
    )
    p.add_argument("spec", metavar="SPEC.toml", help="the network spec, e.g. examples/digits.toml")
    p.add_argument("-o", "--out", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from backprop.output import write_text
    from codegen.generate import generate  # SymPy: only when generating
    from codegen.spec import load_spec

    spec = load_spec(args.spec)
    source, warnings = generate(spec, args.spec, args.out, rules=args.rules or ())
    write_text(args.out, source)
    for warning in warnings:  # what the stability check could not make accurate
        print(f"backprop: warning: {warning}", file=sys.stderr)
    return 0
