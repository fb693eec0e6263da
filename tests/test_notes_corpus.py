"""The lecture-notes corpus (tests/fixtures/notes/) through the real checker, entry by entry.

Hard rules, for every entry: no exception escapes (no traceback) and every refusal is one line
(always enforced), and no correct entry is called wrong. Entries the checker does not judge right
today are listed in tests/fixtures/notes/expected_failures.toml with the outcome they have today;
an entry not listed there must be judged right, and a listed one must not get worse (a wrong
verdict where it was refused before). A listed entry that has started to pass is
reported as a warning: promote it (`python tests/corpus_report.py --write-todo`).
``CORPUS_STRICT=1`` turns the known wrong verdicts into failures too.
The numbers: ``python tests/corpus_report.py``.
"""

from __future__ import annotations

import os
import warnings

import corpus_report as corpus
import pytest

ENTRIES = corpus.load_entries()
TODO = corpus.load_todo()
STRICT = os.environ.get("CORPUS_STRICT") == "1"
_NUMBERS_CACHE: dict = {}  # one check_numbers run per worked-example file


def test_corpus_is_large_and_covers_every_note_and_kind():
    assert len(ENTRIES) >= 200
    assert {e.note for e in ENTRIES} >= {"000"}
    assert {e.kind for e in ENTRIES} == set(corpus.KINDS)


def test_expected_failures_name_real_entries():
    by_id = {e.id: e for e in ENTRIES}
    stale = sorted(set(TODO) - set(by_id))
    assert not stale, f"expected_failures.toml lists entries the corpus does not have: {stale}"
    for entry_id, todo in TODO.items():
        entry = by_id[entry_id]
        shown = entry.answer if entry.kind != "steps" else "(derivation)"
        assert todo["answer"] == shown, f"{entry_id}: the entry changed; rerun --write-todo"
        assert todo["status"] == "todo" and todo["reason"] and todo["outcome"] in corpus.OUTCOMES


def test_every_diagnosis_name_is_known():
    unknown = {e.diagnosis for e in ENTRIES if e.diagnosis} - set(corpus.DIAGNOSES)
    assert not unknown


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry(entry):
    outcome = corpus.run_entry(entry, _NUMBERS_CACHE)
    todo = TODO.get(entry.id)
    known = todo["outcome"] if todo else None
    said = f"{entry.id}: {outcome.status}: {outcome.detail}"
    assert outcome.status != "crash", f"traceback or multi-line refusal: {said}"
    if outcome.status == "misjudged":
        what = "a correct entry is called wrong" if entry.expected_correct else "a wrong verdict"
        assert known == "misjudged" and not STRICT, f"{what}: {said}"
    if todo is None:
        assert outcome.status == "right", f"not in expected_failures.toml and not right: {said}"
    elif outcome.status == "right":
        warnings.warn(
            f"{entry.id} now passes: promote it (corpus_report.py --write-todo)", stacklevel=1
        )
