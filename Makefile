# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export OMS_DATABASE_URL ?= sqlite:///./oms.db

.PHONY: run test check lint format bench bench-place bench-sourcing bench-pages screenshots install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## run: migrate, load demo data (once), serve on http://127.0.0.1:8000 with the worker
# The worker (e-mails, webhooks) runs in the background beside the server; the trap stops
# it when the server stops (Ctrl-C, kill, or a server that fails to start).
run: $(STAMP)
	$(BIN)/oms db upgrade
	$(BIN)/oms demo
	@echo "Back office: http://127.0.0.1:8000/login as admin / admin-demo (one demo user per"
	@echo "role, password <name>-demo; API tokens printed above): see docs/access-control.md"
	@echo "Notifications: oms worker runs beside the server (e-mails land in ./mailbox)"
	$(BIN)/oms worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/oms serve --host 127.0.0.1 --port 8000

## test: the whole suite (PostgreSQL cases too when OMS_TEST_DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

## check: lint, format, types, layer contract, migrations match the models
check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	rm -f .check.db && OMS_DATABASE_URL=sqlite:///./.check.db $(BIN)/oms db upgrade >/dev/null \
	  && OMS_DATABASE_URL=sqlite:///./.check.db $(BIN)/alembic check; \
	  status=$$?; rm -f .check.db .check.db-*; exit $$status

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## bench: order intake over HTTP against the raw-SQL ceiling (not a test)
bench: $(STAMP)
	$(BIN)/python bench/intake.py

## bench-place: the order-intake use case alone, in process (CPU per order; --compare SRC)
bench-place: $(STAMP)
	$(BIN)/python bench/place_order.py $(BENCH_ARGS)

## screenshots: the browser tests, saving each page at 1280 and 820 px into docs/screenshots
screenshots: $(STAMP)
	OMS_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser

## bench-pages: server time of the orders list and an order page over the demo data
bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

## bench-sourcing: backlog re-planning, greedy against the exact optimiser (not a test)
bench-sourcing: $(STAMP)
	$(BIN)/python bench/sourcing.py

clean:
	rm -rf $(VENV) oms.db oms.db-* .pytest_cache .mypy_cache .ruff_cache
