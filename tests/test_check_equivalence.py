"""Equality by random evaluation inside the domain, symbolic proof, and the time limit."""

import time

import sympy as sp

from check.equivalence import Outcome, Timeout, decide, run_limited
from check.quantities import get
from derive.symbols import p, y, z


def test_equal_and_unequal():
    q = get("sigmoid-bce")
    outcome, _ = decide(p - y, q.expected, q.domain)
    assert outcome.equal and "symbolic: identical" in outcome.method
    assert decide(p + 0 * y - y + sp.Integer(0), q.expected, q.domain)[0].equal
    outcome, _ = decide(y - p, q.expected, q.domain)
    assert outcome.equal is False
    ce = outcome.counterexample
    assert set(ce) == {"at", "answer", "expected"} and ce["answer"] == -ce["expected"]


def test_log_of_prediction_sampled_inside_domain():
    # p in (0, 1) through p = σ(z): log(p) + log(1 - p) never hits a branch cut
    q = get("sigmoid-bce")
    expr = sp.log(p) - sp.log(p) + p - y
    assert decide(expr, q.expected, q.domain)[0].equal


def test_run_limited_stops_a_hang():
    start = time.monotonic()
    try:
        run_limited(time.sleep, 30, timeout=0.5)
    except Timeout as exc:
        assert "within 0.5 s" in str(exc)
    else:
        raise AssertionError("no timeout")
    assert time.monotonic() - start < 5


def test_decide_reports_undecided_on_timeout():
    q = get("sigmoid")
    outcome, _ = decide(sp.sin(z), q.expected, q.domain, timeout=0.0001)
    assert isinstance(outcome, Outcome) and outcome.equal is None
    assert "could not decide within" in outcome.method
