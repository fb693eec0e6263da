"""Write examples/backprop.ipynb, the example notebook (cells only; tests/test_notebook.py runs it).

    python tools/make_notebook.py            # rewrite examples/backprop.ipynb
    python tools/make_notebook.py --check    # exit 1 if the committed notebook differs

The notebook runs in examples/ (its paths are relative to it): the lecture's derivations, a
module generated from xor.toml and trained on the built-in XOR truth table with a plot of its
loss, and a student's answers checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "backprop.ipynb"

CELLS = [
    (
        "markdown",
        """# backprop in a notebook

Verified derivations of the gradients backpropagation needs, NumPy code generated from them,
and a checker for students' hand-worked answers. Every object below displays itself: a
derivation as typeset math, a check as a verdict, a training run as a summary with its loss
curve. Run it from `examples/` (its paths are relative to that folder).""",
    ),
    (
        "code",
        """import backprop

backprop.derive.names()""",
    ),
    (
        "markdown",
        """## The lecture's derivations

Softmax with the cross-entropy loss: every step is verified (symbolically and at random
points) before it is shown.""",
    ),
    (
        "code",
        """softmax_ce = backprop.derive.get("softmax-ce")
softmax_ce""",
    ),
    ("code", """softmax_ce.result"""),
    ("markdown", """The dense layer z = W h + b: the gradients with respect to W, b and h."""),
    ("code", """backprop.derive.get("dense")"""),
    (
        "markdown",
        """## A generated module, trained

`generate` prints a standalone NumPy module from a network spec (here a 2-2-1 sigmoid network
for XOR); every math line in it is printed from a verified derivation.""",
    ),
    (
        "code",
        """source = backprop.generate("xor.toml")
backward = source[source.index("def backward") :]
print(backward[: backward.index("return")])""",
    ),
    (
        "markdown",
        """Trained on the built-in XOR truth table with the spec's settings (2000 epochs of
mini-batch SGD); the result shows the final figures and the loss curve.""",
    ),
    (
        "code",
        """result = backprop.train("xor.toml", "xor")
result""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt

figure, axes = plt.subplots(figsize=(6, 3))
axes.plot(range(1, result.epochs + 1), result.curves["train_loss"], label="train")
axes.set(xlabel="epoch", ylabel="mean binary cross-entropy", yscale="log", title="XOR")
axes.legend()
plt.show()""",
    ),
    (
        "markdown",
        """## A student's answer, checked

∂L/∂z_i for softmax with cross-entropy. The first answer has its sign flipped; the checker
says so and shows a point where it differs from the verified result.""",
    ),
    ("code", """backprop.check_answer("softmax-ce", "y_i - p_i")"""),
    ("code", """backprop.check_answer("softmax-ce", "p_i - y_i")"""),
    ("markdown", """A derivation checked line by line:"""),
    (
        "code",
        """backprop.check_steps(\"\"\"
p = sigma(z)
d/dz (-y*log(p) - (1-y)*log(1-p))
= (-y/p + (1-y)/(1-p)) * p*(1-p)
= y - p
\"\"\")""",
    ),
]


def build() -> nbformat.NotebookNode:
    """The notebook: markdown and code cells, no outputs, a python3 kernel."""
    make = {"markdown": new_markdown_cell, "code": new_code_cell}
    cells = [make[kind](text) for kind, text in CELLS]
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n:02d}"  # stable ids: the file is the same on every run
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def main(argv: list[str]) -> int:
    text = nbformat.writes(build()) + "\n"
    if "--check" in argv:
        same = NOTEBOOK.is_file() and NOTEBOOK.read_text(encoding="utf-8") == text
        print(f"{NOTEBOOK}: {'up to date' if same else 'differs; run tools/make_notebook.py'}")
        return 0 if same else 1
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
