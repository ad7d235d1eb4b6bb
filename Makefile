PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two locks, both with hashes: requirements.lock is what production installs (the app's
# own dependencies only); requirements-dev.lock is that plus the dev extra (tests, linters,
# type checker), at the same versions. The venv here is built from the dev lock.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
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

# The venv holds exactly what the dev lock names (hashes checked; every pin of the runtime
# lock is in it, the same), then the app itself without resolving again; it is rebuilt
# whenever a lock or pyproject.toml changes.
$(STAMP): $(LOCK) $(DEV_LOCK) pyproject.toml
	@for f in $(LOCK) $(DEV_LOCK); do grep -qx "# inputs: $$($(LOCK_INPUTS))" $$f || { \
		echo "$$f is older than pyproject.toml's requirements: run 'make lock'" >&2; \
		exit 1; }; done
	@grep -E '^[A-Za-z0-9_.-]+==' $(LOCK) | while read -r pin rest; do \
		grep -qxF -- "$$pin$${rest:+ $$rest}" $(DEV_LOCK) || { \
		echo "$(DEV_LOCK) does not pin $$pin as $(LOCK) does: run 'make lock'" >&2; exit 1; }; \
		done
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# Refresh both locks from pyproject.toml's ranges, with hashes: versions already locked
# stay where the ranges still allow them, new requirements get the newest version allowed.
# requirements.lock: the runtime dependencies only; requirements-dev.lock: the dev extra
# too, seeded with the runtime lock's pins so both name the same versions.
# `make lock UPGRADE=--upgrade` moves everything to the newest allowed.
UPGRADE ?=
PIP_COMPILE = $(LOCKVENV)/bin/pip-compile -q --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock:
	test -x $(LOCKVENV)/bin/pip-compile || \
		{ $(PYTHON) -m venv $(LOCKVENV) && $(LOCKVENV)/bin/python -m pip install -q 'pip-tools>=7.4,<8'; }
	$(PIP_COMPILE) $(UPGRADE) --output-file $(LOCK) pyproject.toml
	echo "# inputs: $$($(LOCK_INPUTS))" >> $(LOCK)
	cp $(LOCK) $(DEV_LOCK)
	$(PIP_COMPILE) --extra dev --output-file $(DEV_LOCK) pyproject.toml
	echo "# inputs: $$($(LOCK_INPUTS))" >> $(DEV_LOCK)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain bot handlers storage tests bench

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

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
