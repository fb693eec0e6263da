"""In-place forms: each is the plain line's expression, evaluated node by node into a buffer."""

import numpy as np
import pytest
import sympy as sp

from codegen.inplace import print_into
from codegen.plan import make_plan
from codegen.spec import load_spec
from codegen.stable import NUMPY_HELPERS

D, H, W, b, Y = (sp.IndexedBase(name) for name in ("D", "H", "W", "b", "Y"))
n, i, l, m = sp.symbols("n i l m", integer=True, positive=True)


@pytest.mark.parametrize(
    "expr, axes, expected",
    [
        (
            sp.Sum(H[n, l] * W[i, l], (l, 1, m)) + b[i],
            (n, i),
            ("np.matmul(H, W.T, out=O)", "O += b"),
        ),
        (sp.tanh(H[n, i]), (n, i), ("tanh(H, out=O)",)),
        ((H[n, i] - Y[n, i]) / m, (n, i), ("np.subtract(H, Y, out=O)", "O *= 1 / m")),
        (
            D[n, i] * (H[n, i] * (1 - H[n, i])),
            (n, i),
            ("np.subtract(1, H, out=O)", "O *= D * H"),
        ),
        (sp.Sum(D[n, i], (n, 1, m)), (i,), None),  # a reduction: printed plainly
        (sp.exp(H[i, n]), (n, i), None),  # a transposed read
    ],
)
def test_statements(expr, axes, expected):
    assert print_into(expr, axes, "O") == expected


@pytest.mark.parametrize("example", ["digits", "lecture", "mish", "logcosh", "breast_cancer"])
def test_in_place_forms_compute_what_the_plain_lines_compute(example):
    """Run each line both ways on random arrays; the buffer ends up equal to the plain value."""
    plan = make_plan(load_spec(f"examples/{example}.toml"))
    rng = np.random.default_rng(0)
    helpers = {"np": np}
    for name in NUMPY_HELPERS:
        exec(NUMPY_HELPERS[name], helpers)  # noqa: S102 - our own helper source
    arrays = {"m": 5, "scale": 0.01}
    sizes = plan.spec.sizes
    for layer in plan.layers:
        arrays[f"W{layer.number}"] = rng.normal(size=(layer.units, layer.fan_in))
        arrays[f"b{layer.number}"] = rng.normal(size=layer.units)
    arrays["X"] = rng.normal(size=(5, sizes[0]))
    arrays["Y"] = rng.uniform(size=(5, sizes[-1]))
    checked = 0
    for line in (*plan.forward, *plan.step):
        plain = eval(line.code, helpers, arrays)  # noqa: S307 - our own generated code
        if line.in_place is not None:
            arrays[line.target] = np.full_like(plain, np.nan)
            for statement in line.in_place:
                exec(statement, helpers, arrays)  # noqa: S102
            np.testing.assert_allclose(arrays[line.target], plain, rtol=1e-12, atol=1e-14)
            checked += 1
        arrays[line.target] = plain
    assert checked >= 2 * len(plan.layers)
