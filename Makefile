# The two commands a newcomer needs: `make build` and `make test`. Both create their own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: build test lint typecheck venv clean bench

$(BIN)/civicgraph: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

venv: $(BIN)/civicgraph

build: venv  ## load data/, validate, write dist/
	$(BIN)/civicgraph build --data data --out dist

test: venv lint typecheck  ## lint, type-check and run the whole test suite
	$(BIN)/python -m pytest

lint: venv  ## ruff, and the import contracts of pyproject.toml (imports flow one way: docs/ARCHITECTURE.md)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

bench: venv  ## benchmarks (not part of the tests); prints tables of medians
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache
