# The README's two commands: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/shiftsim demo

lint: $(STAMP)
	$(BIN)/ruff check shiftsim tests benchmarks examples
	$(BIN)/ruff format --check shiftsim tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy shiftsim

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py

# The documentation site in site/ (strict: warnings and broken links fail; runs the notebooks).
# JUPYTER_PATH: the notebooks run in this environment's kernel, whatever other kernels exist.
docs: $(STAMP)
	JUPYTER_PATH=$(VENV)/share/jupyter $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site .cache
