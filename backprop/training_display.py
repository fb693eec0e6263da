"""A training result as Jupyter shows it: a summary table and the loss curves as inline SVG.

The SVG is drawn here from the curves (a polyline per curve, no plotting library needed), so
the notebook output is small, the same on every machine, and never lists the weights:

>>> svg = loss_curve_svg({"train_loss": [1.0, 0.5, 0.25], "test_loss": [1.1, 0.6, 0.4]})
>>> svg.count("<polyline"), svg.startswith("<svg")
(2, True)
"""

from __future__ import annotations

from check.report_display import Code, Fields, Heading, Svg, Table

WIDTH, HEIGHT, MARGIN = 480, 200, 40
MAX_POINTS = 400  # a longer curve is drawn through every k-th epoch (and the last)
COLOURS = {"train_loss": "#1f77b4", "test_loss": "#ff7f0e", "validation_loss": "#2ca02c"}
LABELS = {"train_loss": "train", "test_loss": "test", "validation_loss": "validation"}


def loss_curve_svg(curves: dict[str, list[float]]) -> str:
    """The loss curves (one value per epoch each) in one box, epochs across, loss up; a curve
    with one value is a dot, one longer than ``MAX_POINTS`` is drawn through every k-th epoch.
    Only the curves named in ``COLOURS`` are drawn."""
    drawn = {name: curves[name] for name in COLOURS if curves.get(name)}
    values = [v for curve in drawn.values() for v in curve]
    low, high = min(values), max(values)
    span = high - low or 1.0
    epochs = max(len(curve) for curve in drawn.values())
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def point(n: int, value: float) -> str:
        x = MARGIN + (inner_w * n / (epochs - 1) if epochs > 1 else inner_w / 2)
        y = MARGIN + inner_h * (high - value) / span
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect x="{MARGIN}" y="{MARGIN}" width="{inner_w}" height="{inner_h}" '
        'fill="none" stroke="#999"/>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" text-anchor="end">{high:.3g}</text>',
        f'<text x="{MARGIN - 4}" y="{HEIGHT - MARGIN}" text-anchor="end">{low:.3g}</text>',
        f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT - 8}" text-anchor="middle">epoch (1–{epochs})</text>',
        f'<text x="{MARGIN}" y="{MARGIN - 8}">mean loss</text>',
    ]
    for n, (name, curve) in enumerate(drawn.items()):
        colour = COLOURS[name]
        step = -(-len(curve) // MAX_POINTS)
        shown = sorted({*range(0, len(curve), step), len(curve) - 1})
        points = " ".join(point(i, curve[i]) for i in shown)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        )
        x = WIDTH - MARGIN - 90 * (len(drawn) - n)
        parts.append(f'<text x="{x + 14}" y="{MARGIN - 8}" fill="{colour}">— {LABELS[name]}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def result_blocks(result) -> list:
    """The display blocks of a :class:`backprop.training.Result`: a heading with the test
    figure, a table of the final loss and accuracy (or R²) on the train and test rows, the
    epochs, time and early stopping, the parameters' shapes, and the loss curves."""
    accuracy = result.metric_name == "accuracy"
    label = "accuracy" if accuracy else "R²"

    def shown(metric: float) -> str:
        return f"{100 * metric:.2f}%" if accuracy else f"{metric:.4f}"

    heading = Heading(
        f"trained {result.epochs} epochs: test {label} {shown(result.test_metric)}", True
    )
    table = Table(
        ("rows", "examples", "loss", label),
        (
            ("train", str(result.n_train), f"{result.train_loss:.4f}", shown(result.train_metric)),
            ("test", str(result.n_test), f"{result.test_loss:.4f}", shown(result.test_metric)),
        ),
    )
    fields = [("epochs", f"{result.epochs} in {result.seconds:.1f} s")]
    if result.stopped:
        best, stopped = result.stopped["best_epoch"], result.stopped["stopped_epoch"]
        fields.append(("early stopping", f"stopped at epoch {stopped}, kept epoch {best}"))
    fields.append(("parameters", Code(parameter_shapes(result.params))))
    blocks = [heading, table, Fields(tuple(fields))]
    if any(result.curves.get(name) for name in COLOURS):
        blocks.append(Svg(loss_curve_svg(result.curves), "mean loss per epoch"))
    return blocks


def parameter_shapes(params: dict) -> str:
    """ "W1 (32, 64), b1 (32,), …": names and shapes, never the values."""
    return ", ".join(f"{name} {tuple(value.shape)}" for name, value in params.items())
