PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# pip-tools lives in a venv of its own: refreshing the lock never touches the app's venv.
LOCKVENV := .venv-lock

.PHONY: test run lint typecheck bench clean lock docs

# What the lock was made from: a digest of pyproject.toml's requirements (not its other
# sections, and not file times, which a fresh clone does not keep). `make lock` writes it
# into the lock; a venv build stops if pyproject.toml's requirements changed since.
LOCK_INPUTS = $(PYTHON) -c 'import hashlib, json, tomllib; \
	p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	k = [p["requires-python"], p["dependencies"], p.get("optional-dependencies", {})]; \
	print(hashlib.sha256(json.dumps(k, sort_keys=True).encode()).hexdigest()[:16])'

# The venv holds exactly what the lock names (hashes checked), then the app itself without
# resolving again; it is rebuilt whenever the lock or pyproject.toml changes.
$(STAMP): $(LOCK) pyproject.toml
	@grep -qx "# inputs: $$($(LOCK_INPUTS))" $(LOCK) || { \
		echo "$(LOCK) is older than pyproject.toml's requirements: run 'make lock'" >&2; \
		exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# Refresh requirements.lock from pyproject.toml (its ranges, the dev extra included), with
# hashes: versions already locked stay where the ranges still allow them, new requirements
# get the newest version allowed. `make lock UPGRADE=--upgrade` moves everything to the
# newest allowed.
UPGRADE ?=
lock:
	test -x $(LOCKVENV)/bin/pip-compile || \
		{ $(PYTHON) -m venv $(LOCKVENV) && $(LOCKVENV)/bin/python -m pip install -q 'pip-tools>=7.4,<8'; }
	$(LOCKVENV)/bin/pip-compile -q $(UPGRADE) --generate-hashes --allow-unsafe --extra dev \
		--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		--output-file $(LOCK) pyproject.toml
	echo "# inputs: $$($(LOCK_INPUTS))" >> $(LOCK)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain bot handlers storage tests bench

test: lint
	$(BIN)/pytest

run: $(STAMP)
	$(BIN)/addons-bot run

# Rewrite the examples of README.md and docs/ from the app's real output (tests/docs/).
docs: $(STAMP)
	$(BIN)/python -m tests.docs.refresh

bench: $(STAMP)
	$(BIN)/python -m bench.interaction_latency
	$(BIN)/python -m bench.billing_run
	$(BIN)/python -m bench.booking_throughput

clean:
	rm -rf $(VENV) $(LOCKVENV) .pytest_cache .mypy_cache .ruff_cache
