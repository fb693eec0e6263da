"""derive mlp on realistic networks: the whole-network check runs on the smallest network with
the same layer kinds, so the time grows with the number of kinds, not with width or depth."""

import time

import derive
from derive.builtins.mlp import Network, proxy


def test_proxy_keeps_each_kind_once_and_two_units_per_layer():
    net = Network((4, 16, 16, 8, 3), ("relu", "relu", "tanh"), "softmax", "cross-entropy")
    assert proxy(net) == Network((2, 2, 2, 2), ("relu", "tanh"), "softmax", "cross-entropy")


def test_a_4_16_16_8_3_network_of_three_kinds_derives_and_verifies_quickly():
    start = time.perf_counter()
    derivation = derive.mlp_from_options("4,16,16,8,3", "relu,leaky_relu,tanh", None, None)
    elapsed = time.perf_counter() - start
    assert derivation.verified
    (check,) = [c for c in derivation.checks if "direct differentiation" in c.name]
    assert check.passed and "2-2-2-2-2 network" in check.detail
    assert elapsed < 20  # ~2 s on a quiet machine; generous for a shared CI runner
