PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test run lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain bot handlers storage tests bench

test: lint
	$(BIN)/pytest

run: $(STAMP)
	$(BIN)/addons-bot run

bench: $(STAMP)
	$(BIN)/python -m bench.interaction_latency
	$(BIN)/python -m bench.billing_run
	$(BIN)/python -m bench.booking_throughput

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
