# Two commands: `make run` starts the portal, `make test` runs the whole suite.
# `make dev` starts it with Django's reloading debug server instead of gunicorn.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run dev test install lint clean-data bench load

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m crm.stack run

dev: $(STAMP)
	$(BIN)/python -m crm.stack dev

test: $(STAMP)
	@bash scripts/ensure-chromium
	@bash scripts/ensure-gettext
	$(BIN)/python -m crm.stack test $(PYTEST_ARGS)

# Bank-scale benchmark (not part of `make test`): 1M customers, then page timings into
# bench/results.md. BENCH_DATABASE_URL picks a server; see bench/README.md.
bench: $(STAMP)
	$(BIN)/python -m bench.customers $(BENCH_ARGS)

# Load (not part of `make test`): 50 users for five minutes against gunicorn as `make run`
# serves it, figures into bench/load-results.md; see bench/README.md.
load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Style and the layers (import-linter contracts in pyproject.toml); both run, either fails it.
lint: $(STAMP)
	@status=0; $(BIN)/ruff check . || status=1; $(BIN)/lint-imports --no-cache || status=1; exit $$status

clean-data:
	rm -rf .data
