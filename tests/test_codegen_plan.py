"""Plans: what forward caches, what backward reads, and cost that grows with layer kinds."""

import pytest

from codegen import derivations
from codegen.plan import make_plan
from codegen.spec import load_spec, spec_from_dict
from derive.errors import SpecError


def deep_spec(activation: str, depth: int) -> dict:
    return {
        "inputs": 3,
        "layers": [{"units": 4, "activation": activation}] * depth,
        "output": {"units": 2, "activation": "softmax", "loss": "cross-entropy"},
    }


def test_derivations_are_built_once_per_layer_kind(monkeypatch):
    derivations.activation_rule.cache_clear()
    calls = []
    original = derivations.activation_derivation
    monkeypatch.setattr(
        derivations, "activation_derivation", lambda act: calls.append(act) or original(act)
    )
    make_plan(spec_from_dict(deep_spec("z * sigmoid(z)", 8)))
    make_plan(spec_from_dict(deep_spec("z * sigmoid(z)", 2)))
    assert [str(act.expr) for act in calls] == ["z*sigmoid(z)"]
    derivations.activation_rule.cache_clear()


def test_forward_caches_exactly_what_backward_and_the_loss_read():
    plan = make_plan(load_spec("examples/digits.toml"))
    # Z1 is not needed (tanh′ = 1 − h²); the loss reads Z2 and lse2 = logsumexp(Z2)
    assert plan.cache == ("X", "A1", "Z2", "lse2", "A2")
    assert plan.backward_reads == (
        ("X", "cache"),
        ("A1", "cache"),
        ("A2", "cache"),
        ("W2", "params"),
    )
    assert plan.loss_reads == ("Z2", "lse2")  # the loss is computed from the logits


def test_activations_without_an_output_form_cache_their_pre_activations():
    plan = make_plan(load_spec("examples/mish.toml"))
    assert {"Z1", "Z2"} <= set(plan.cache)


def test_identity_layers_add_no_line():
    plan = make_plan(load_spec("examples/diabetes.toml"))
    assert plan.output == "Z2"
    assert [line.target for line in plan.layers[-1].forward] == ["Z2"]


def test_relu_like_layers_get_he_initialisation():
    spec = spec_from_dict(
        {
            "inputs": 3,
            "layers": [{"units": 4, "activation": "relu"}, {"units": 4, "activation": "tanh"}],
            "output": {"units": 1, "activation": "identity", "loss": "mse"},
        }
    )
    assert [layer.init for layer in make_plan(spec).layers] == ["he", "glorot", "glorot"]


def test_expressions_codegen_cannot_handle_are_spec_errors_naming_the_key(monkeypatch):
    from codegen.printer import IndexPrintingError
    from codegen.printer_functions import FunctionPrinting

    def unprintable(self, expr):
        raise IndexPrintingError(f"no NumPy form for {expr}")

    monkeypatch.setattr(FunctionPrinting, "_print_erf", unprintable)  # as if NumPy had none
    spec = spec_from_dict(deep_spec("erf(z)", 1))
    with pytest.raises(SpecError, match=r"^layers\[0\]\.activation: cannot .*erf"):
        make_plan(spec)


def test_buffers_logits_column_major_and_gradients_shaped_like_their_weights():
    plan = make_plan(spec_from_dict(deep_spec("tanh", 2)))
    assert plan.column_major == ("Z3",)  # logsumexp reduces its rows
    buffers = {name: (allocation, rows) for name, allocation, rows in plan.buffers}
    assert buffers["Z3"] == ('np.empty((rows, 2), dtype=DTYPE, order="F")', True)
    assert buffers["Z1"] == ("np.empty((rows, 4), dtype=DTYPE)", True)
    assert buffers["dW2"] == ('np.empty_like(params["W2"], dtype=DTYPE)', False)
    sigmoid = deep_spec("tanh", 1)
    sigmoid["output"] = {"units": 1, "activation": "sigmoid", "loss": "bce"}
    assert make_plan(spec_from_dict(sigmoid)).column_major == ()  # no row reduction


def test_a_loss_linear_in_p_has_one_delta_per_entry():
    """ℓ = p − y has Δ = 1: generated as an array like the logits (it was the number 1/m, and
    backward's Δ̄ᵀ H failed); gradients match torch.autograd, training runs."""
    import numpy as np
    import pytest
    from codegen_checks import batch, random_params, small_spec, torch_gradients, worst_error

    from codegen.generate import load_module

    pytest.importorskip("torch")
    spec = small_spec(hidden=("tanh",), output="identity", loss="p - y", units=2)
    module = load_module(spec)
    X, Y = batch(module)
    params = random_params(module)
    loss, grads = module.gradients(params, X, Y)
    torch_loss, torch_grads = torch_gradients(spec, params, X, Y)
    assert loss == pytest.approx(torch_loss, rel=1e-12)
    assert worst_error(grads, torch_grads) < 1e-12
    module.train(params, X, Y, epochs=2, batch_size=4, learning_rate=0.1)
    assert all(np.isfinite(v).all() for v in params.values())
