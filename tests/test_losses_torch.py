"""Every loss of the registry against torch.autograd in float64 (issue 11): ∂ℓ/∂z through the
loss's output activation, from the derived derivative (evaluated exactly) and from a generated
module, at logits |z| ≤ 3, |z| ≈ 30 and |z| ≈ 1000 and the targets the record names,
relative error ≤ 1e-8 away from kinks (tests/torch_oracles.py)."""

import functools

import numpy as np
import pytest
import sympy as sp

pytest.importorskip("torch")

import torch_oracles as oracles  # noqa: E402

import derive  # noqa: E402
from codegen import exact  # noqa: E402
from derive import rulebook  # noqa: E402
from derive.custom import custom_loss  # noqa: E402
from derive.symbols import K, p  # noqa: E402

NAMES = [name for name, loss in rulebook.losses().items() if loss.output != "softmax"]


def test_the_registry_has_at_least_fifteen_losses():
    assert len(rulebook.losses()) >= 15


def grid(name, scale):
    """(z, y) pairs: every logit of the scale with every target the record draws."""
    loss = rulebook.losses()[name]
    targets = oracles.TARGETS[loss.targets]
    zs, ys = np.meshgrid(oracles.SCALES[scale], targets, indexing="ij")
    return zs.ravel(), ys.ravel()


def scalar_loss(name):
    """(the record, ℓ in z and y through the output activation, its output's name)."""
    loss = rulebook.losses()[name]
    output = rulebook.activations()[loss.output]
    return loss, loss.scalar.xreplace({p: output.expr}), loss.output


@functools.cache
def references(name, scale):
    """(torch's ∂ℓ/∂z, the high-precision one from the definition, where smooth)."""
    loss, in_z, _ = scalar_loss(name)
    zs, ys = grid(name, scale)
    function = oracles.loss_reference(loss)
    _, slopes = oracles.torch_values_and_slopes(function, zs, ys)
    smooth = oracles.smooth(function, zs, ys)
    return slopes, oracles.exact_slopes(in_z, zs, ys), smooth


@pytest.mark.parametrize("scale", list(oracles.SCALES))
@pytest.mark.parametrize("name", NAMES)
def test_derived_gradient_matches_torch(name, scale):
    loss, _, output = scalar_loss(name)
    derivation = custom_loss(name, output)
    result = derivation.chains[-1].result.xreplace({p: rulebook.activations()[output].expr})
    zs, ys = grid(name, scale)
    slopes, exact, smooth = references(name, scale)
    derived = oracles.exact_values(result, zs[smooth], ys[smooth])
    problems = oracles.mismatches(derived, slopes[smooth], exact[smooth])
    assert not problems, f"{name} at |z| {scale}: derived ∂ℓ/∂z: " + "; ".join(problems[:4])


@pytest.mark.parametrize("scale", list(oracles.SCALES))
@pytest.mark.parametrize("name", NAMES)
def test_generated_gradient_matches_torch(name, scale):
    _, _, output = scalar_loss(name)
    zs, ys = grid(name, scale)
    slopes, exact, smooth = references(name, scale)
    got = oracles.generated_loss_slopes(name, output, zs, ys)
    problems = oracles.mismatches(got[smooth], slopes[smooth], exact[smooth])
    assert not problems, f"{name} at |z| {scale}: generated ∂ℓ/∂z: " + "; ".join(problems[:4])


# -- cross-entropy on a softmax output: a row of K = 3 logits per point ------------------------

K_UNITS = 3


def logit_rows(scale):
    """(Z, Y): rows of three logits led by each point of the scale, one-hot targets cycling."""
    lead = oracles.SCALES[scale]
    rows = np.stack([lead, -0.4 * lead + 0.1, 0.3 * lead - 0.2], axis=1)
    return rows, np.eye(K_UNITS)[np.arange(len(lead)) % K_UNITS]


def cross_entropy_in_logits():
    """(L, the derived ∂L/∂z_i for each i, the logit symbols, the target symbols), K = 3:
    the record's definition with p = softmax(z) written out."""
    loss = rulebook.losses()["cross-entropy"]
    zs = sp.symbols("z1:4", real=True)
    ys = sp.symbols("y1:4", real=True)
    softmax = [sp.exp(v) / sum(sp.exp(w) for w in zs) for v in zs]
    probabilities, targets = loss.variables
    at = {probabilities[k + 1]: softmax[k] for k in range(K_UNITS)}
    at |= {targets[k + 1]: ys[k] for k in range(K_UNITS)}
    definition = loss.expr.subs(K, K_UNITS).doit().xreplace(at)
    derivation = derive.get("softmax-ce")
    result = derivation.chains[-1].result  # p_i − y_i in IndexedBase entries
    unit = next(iter(result.atoms(sp.Indexed))).indices[0]
    derived = []
    for i in range(K_UNITS):
        entry = result.xreplace({unit: i + 1})
        derived.append(entry.xreplace({a: _entry(a, softmax, ys) for a in entry.atoms(sp.Indexed)}))
    return definition, derived, zs, ys


def _entry(atom, softmax, ys):
    k = int(atom.indices[0]) - 1
    return softmax[k] if atom.base.label.name == "p" else ys[k]


def _mp(expr, values):
    return exact.evaluate(expr, values, digits=oracles.DIGITS)


CROSS_ENTROPY_CASES = [
    (scale, what) for scale in oracles.SCALES for what in ("derived", "generated")
]


@pytest.mark.parametrize(("scale", "what"), CROSS_ENTROPY_CASES)
def test_cross_entropy_matches_torch(scale, what):
    import mpmath
    import torch
    import torch.nn.functional as F

    Z, Y = logit_rows(scale)
    logits = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(logits, torch.tensor(Y), reduction="sum").backward()
    want = logits.grad.numpy()
    definition, derived, zs, ys = cross_entropy_in_logits()
    module = oracles.loss_module("cross-entropy", "softmax", K_UNITS)
    for row, (z_row, y_row) in enumerate(zip(Z, Y, strict=True)):
        at = {**dict(zip(zs, z_row, strict=True)), **dict(zip(ys, y_row, strict=True))}
        exact_row, derived_row = [], []
        for i in range(K_UNITS):

            def f(v, i=i, at=at):
                return _mp(definition, {**at, zs[i]: v})

            with mpmath.workdps(oracles.DIGITS // 2):
                x = mpmath.mpf(float(z_row[i]))
                exact_row.append(float(mpmath.diff(f, x, h=mpmath.mpf("1e-30") * (1 + abs(x)))))
            derived_row.append(float(_mp(derived[i], at)))
        params = {"W1": z_row.reshape(K_UNITS, 1).copy(), "b1": np.zeros(K_UNITS)}
        with np.errstate(all="ignore"):
            _, grads = module.gradients(params, np.ones((1, 1)), y_row.reshape(1, K_UNITS))
        got = derived_row if what == "derived" else grads["b1"]
        problems = oracles.mismatches(got, want[row], exact_row)
        assert not problems, f"cross-entropy row {row} at |z| {scale}: {what}: {problems}"
