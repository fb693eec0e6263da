# Quickstart: `make demo` runs the main job, `make test` runs the test suite.
# Both create their own virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench generate clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,train]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/backprop demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

generate: $(STAMP)
	for name in xor lecture digits breast_cancer diabetes; do \
		$(BIN)/backprop generate examples/$$name.toml -o generated/$$name.py; done

bench: $(STAMP)
	$(BIN)/pip install --quiet 'torch==2.13.0' -e '.[bench]'  # torch: the pinned CPU build
	$(BIN)/python bench/bench_derive.py
	$(BIN)/python bench/bench_train.py

clean:
	rm -rf $(VENV) build *.egg-info
