"""derive.parallel: verification in worker processes, records applied only when they match."""

import copy

import sympy as sp

from derive import parallel, registry


def test_worker_records_are_applied_to_matching_derivations():
    name, steps, checks = parallel._record("sigmoid")
    fresh = registry._REGISTRY["sigmoid"].build()
    assert not fresh.verified
    assert parallel._apply(fresh, steps, checks)
    assert fresh.verified and all(step.verified_by for step in fresh.steps)


def test_a_record_that_does_not_match_the_built_steps_is_rejected():
    name, steps, checks = parallel._record("softmax-ce")
    fresh = registry._REGISTRY["softmax-ce"].build()
    tampered = copy.deepcopy(steps)
    rhs, how = tampered[0][-1]
    tampered[0][-1] = (sp.srepr(sp.Symbol("p") + sp.Symbol("y")), how)
    assert not parallel._apply(fresh, tampered, checks)
    assert not fresh.verified and not any(step.verified_by for step in fresh.steps)


def test_a_failed_cross_check_in_a_record_leaves_the_derivation_unverified():
    name, steps, checks = parallel._record("tanh")
    fresh = registry._REGISTRY["tanh"].build()
    failed = copy.deepcopy(checks)
    for c in failed:
        c.passed = False
    assert not parallel._apply(fresh, steps, failed)
    assert not fresh.verified and not any(step.verified_by for step in fresh.steps)


def test_get_all_in_worker_processes_gives_verified_derivations(monkeypatch):
    names = ["relu", "identity", "softmax"]
    for n in names:
        registry._CACHE.pop(n, None)
    got = parallel.get_all(names, processes=2)
    assert [d.name for d in got] == names
    assert all(d.verified and all(s.verified_by for s in d.steps) for d in got)
