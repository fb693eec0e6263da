"""A training Result in Jupyter and at the prompt: a summary and curves, never the weights."""

import re

import numpy as np

from backprop.training import Result
from backprop.training_display import loss_curve_svg, parameter_shapes


def _result(**changes) -> Result:
    values = dict(
        task="classification", epochs=3, seconds=1.25, n_train=80, n_test=20,
        train_loss=0.25, test_loss=0.375, train_metric=0.9, test_metric=0.85,
        params={"W1": np.full((4, 2), 7.123456789), "b1": np.zeros(4)},
        scaling={"x_mean": np.zeros(2), "x_scale": np.ones(2)},
        curves={"train_loss": [1.0, 0.5, 0.25], "test_loss": [1.1, 0.6, 0.375],
                "test_accuracy": [0.5, 0.8, 0.85]},
    )  # fmt: skip
    return Result(**(values | changes))


def test_repr_is_one_short_line_without_the_arrays():
    text = repr(_result())
    assert text == (
        "Result(task='classification', epochs=3, train_loss=0.25, test_loss=0.375, "
        "train_accuracy=0.9, test_accuracy=0.85, params=<W1 (4, 2), b1 (4,)>)"
    )
    assert "7.12" not in text and "\n" not in text


def test_html_summary():
    html = _result()._repr_html_()
    assert html.startswith(
        '<div class="backprop-report"><h4 class="backprop-ok">✓ trained 3 epochs: test '
        "accuracy 85.00%</h4>\n<table><thead><tr><th>rows</th><th>examples</th><th>loss</th>"
        "<th>accuracy</th></tr></thead><tbody><tr><td>train</td><td>80</td><td>0.2500</td>"
        "<td>90.00%</td></tr><tr><td>test</td><td>20</td><td>0.3750</td><td>85.00%</td></tr>"
        "</tbody></table>\n<table><tr><th>epochs</th><td>3 in 1.2 s</td></tr><tr><th>parameters"
        "</th><td><code>W1 (4, 2), b1 (4,)</code></td></tr></table>\n<figure><svg "
    )
    assert html.endswith("</svg><figcaption>mean loss per epoch</figcaption></figure></div>")
    assert "7.12" not in html


def test_regression_and_early_stopping_summary():
    result = _result(
        task="regression", test_metric=0.4567, stopped={"best_epoch": 2, "stopped_epoch": 3}
    )
    markdown = result._repr_markdown_()
    assert markdown.startswith("**✓ trained 3 epochs: test R² 0.4567**")
    assert "- early stopping: stopped at epoch 3, kept epoch 2" in markdown
    assert "stopped={'best_epoch': 2, 'stopped_epoch': 3}" in repr(result)


def test_svg_draws_a_polyline_per_loss_curve_with_a_point_per_epoch():
    svg = loss_curve_svg({"train_loss": [1.0, 0.5, 0.25], "test_loss": [1.0, 0.75, 0.5]})
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert [len(points.split()) for points in lines] == [3, 3]
    assert lines[0] == "40.0,40.0 240.0,120.0 440.0,160.0"  # highest value at the top
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200"')
    assert svg.endswith("</svg>")


def test_svg_of_one_epoch_and_a_flat_curve():
    svg = loss_curve_svg({"train_loss": [0.5]})
    assert re.findall(r'points="([^"]+)"', svg) == ["240.0,40.0"]


def test_a_result_without_curves_has_no_picture():
    assert "<svg" not in _result(curves={})._repr_html_()


def test_parameter_shapes():
    assert parameter_shapes({"W1": np.zeros((3, 2)), "b1": np.zeros(3)}) == "W1 (3, 2), b1 (3,)"


def test_a_long_curve_is_drawn_through_at_most_max_points_and_its_last_epoch():
    svg = loss_curve_svg({"train_loss": [1 / (n + 1) for n in range(2000)]})
    points = re.findall(r'points="([^"]+)"', svg)[0].split()
    assert len(points) == 401 and points[0] == "40.0,40.0" and points[-1].startswith("440.0,")
