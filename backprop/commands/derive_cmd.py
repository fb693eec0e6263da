"""``backprop derive``: list, render, and write verified derivations."""

from __future__ import annotations

import argparse

from backprop import rules_option
from derive.errors import BackpropError

FORMATS = ("text", "latex", "markdown", "json", "html", "beamer")
VERIFICATION = ("appendix", "inline", "none")  # derive.render.verification.VERIFICATION_MODES
# output file suffix -> format
SUFFIXES = {".tex": "latex", ".md": "markdown", ".json": "json", ".html": "html", ".htm": "html"}


def register(sub) -> None:
    p = sub.add_parser(
        "derive",
        parents=[rules_option.parent()],
        help="derive gradients step by step, every step verified",
        description="Derive backpropagation gradients step by step; every step is verified.",
    )
    p.add_argument("name", nargs="?", help="a built-in derivation (see --list)")
    p.add_argument("--list", action="store_true", help="list the built-in derivations")
    p.add_argument("--all", action="store_true", help="every built-in derivation")
    p.add_argument(
        "--activation", metavar="EXPR", help='a custom activation in z, e.g. "log(1 + exp(z))"'
    )
    p.add_argument("--loss", metavar="EXPR", help='a custom loss in p and y, e.g. "(p - y)**2"')
    p.add_argument(
        "--output-activation",
        metavar="NAME",
        help="output activation p = g(z) for --loss (default sigmoid)",
    )
    p.add_argument(
        "--layers", metavar="N,N,...", help="mlp: layer sizes, input first (e.g. 2,2,2,3)"
    )
    p.add_argument(
        "--hidden", metavar="ACT,...", help="mlp: hidden activations (e.g. sigmoid,sigmoid)"
    )
    p.add_argument("--output", dest="out_layer", metavar="ACT", help="mlp: output activation")
    p.add_argument(
        "--loss-name", metavar="LOSS", help="mlp: cross-entropy | binary-cross-entropy | mse"
    )
    p.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        help="output format (default: text, or latex for .tex files)",
    )
    p.add_argument("--standalone", action="store_true", help="LaTeX: a whole document for pdflatex")
    p.add_argument(
        "--verification",
        choices=VERIFICATION,
        default="appendix",
        help="documents (latex, html, beamer): a ✓ per chain and the record in an appendix "
        "(default), the record under each chain, or none",
    )
    p.add_argument(
        "--notation",
        metavar="PROFILE",
        help="write the formulas in a notation profile's symbols (see backprop check answer "
        "--notations); default: the tool's own notation",
    )
    p.add_argument("-o", "--out", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run, limits=True)


def _format(args) -> str:
    if args.format:
        return args.format
    for suffix, fmt in SUFFIXES.items():
        if args.out and args.out.endswith(suffix):
            return fmt
    return "text"


def run(args: argparse.Namespace) -> int:
    from backprop.startup import importing

    with importing():
        import derive  # SymPy: imported only when a derivation is asked for
        from backprop.output import write_text
        from derive.render import render, render_many

    if args.list:
        for entry in derive.entries():
            print(f"{entry.name:<12} {entry.summary}")
        return 0
    fmt = _format(args)
    standalone = args.standalone or (fmt == "latex" and bool(args.out) and args.all)
    options = {
        "standalone": standalone,
        "verification": args.verification,
        "notation": _notation(args.notation),
    }
    if args.all:
        text = render_many([derive.get(n) for n in derive.names()], fmt, **options)
    else:
        text = render(_one(args), fmt, **options)
    write_text(args.out, text)
    return 0


def _notation(name: str | None) -> str | None:
    """The profile name, checked before anything is derived (UnknownNameError lists them)."""
    if name is not None:
        from derive.language import profiles

        profiles.get(name)
    return name


def _one(args):
    import derive

    if args.activation is not None:
        return derive.custom_activation(args.activation)
    if args.loss is not None:
        if args.out_layer and args.output_activation and args.out_layer != args.output_activation:
            raise BackpropError("--output and --output-activation name two output activations")
        # --output names the output activation of a network; with --loss it means the same
        output = args.output_activation or args.out_layer or "sigmoid"
        return derive.custom_loss(args.loss, output=output)
    if not args.name:
        raise BackpropError("name a derivation, or use --list, --all, --activation or --loss")
    if args.name == "mlp" and (args.layers or args.hidden or args.out_layer or args.loss_name):
        return derive.mlp_from_options(
            args.layers, args.hidden, args.out_layer, args.loss_name, progress=_progress_bar()
        )
    return derive.get_in_notation(args.name, args.notation)


def _progress_bar():
    """A tqdm bar on stderr for the lines of a network being verified, shown only once it has
    taken a second, and only on a terminal; None without tqdm (an optional dependency)."""
    import sys

    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return lambda chains: tqdm(
        chains, desc="verifying", unit="line", delay=1.0, leave=False, file=sys.stderr
    )
