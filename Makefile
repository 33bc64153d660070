# Kitchen Simulator: the commands a user runs. `make help` lists them, with what each costs and removes.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8050
TEST_PROCESSES ?= 2
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo "docker-compose")

.PHONY: help run test check lint format chromium unittest bench bench-quick data docs clean clean-db

help:
	@echo "make run          set up, then run the simulator and the dashboard (http://localhost:$(PORT)); PORT=8051 for another port"
	@echo "make test         set up, then run every test, two at a time (about 6 minutes; installs Debian's chromium if it is missing)"
	@echo "make check        set up, then the fast tests: no browser, no containers, no services started (under a minute)"
	@echo "make lint         ruff (format and lint) and mypy, as CI runs them (seconds)"
	@echo "make format       rewrite the code as ruff formats it, and fix what its lint rules can (seconds)"
	@echo "make unittest     each service's tests in its container (Docker; the first build takes a few minutes)"
	@echo "make bench        every benchmark, written to bench/RESULTS.md (about an hour: it replays 1M orders many times)"
	@echo "make bench-quick  every benchmark on tiny inputs, to see that they run (about 3 minutes; results not saved)"
	@echo "make data         make data/items.json and data/orders.json again (seconds)"
	@echo "make docs         serve the documentation on http://127.0.0.1:8000, rebuilt as you edit (starts in seconds)"
	@echo "make clean        remove what set-up, tests and studies made: .venv, caches, sweep/, plan/, bench/.work/, test-artifacts/, site/"
	@echo "make clean-db     remove db/, the recorded runs (the dashboard's history): asks nothing, keeps nothing"
	@echo ""
	@echo "By hand, from this folder: .venv/bin/python -m simulator ... (or first: . .venv/bin/activate); see docs/ (make docs)."

# A virtual environment with the project's dependencies, the test, docs and lint extras (the code runs
# from this folder), rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) tools/requirements.py test docs lint > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .  # the project itself, for the kitchen command: .venv/bin/kitchen
	touch $(STAMP)

run: $(STAMP)
	@PYTHON=$(PY) PORT=$(PORT) bash scripts/run.sh

test: $(STAMP) chromium
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadscope

# The tests beside the code that need no browser and start no service: what to run between two edits.
check: $(STAMP)
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadscope -q -m "not browser and not e2e" common/tests simulator/tests simulator/feed/tests simulator/experiment/tests simulator/stations/tests dashboard/tests

# Style and types, as CI checks them (their settings are in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The browser test drives Debian's chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

unittest:
	$(COMPOSE) -f docker-compose.test.yml build
	$(COMPOSE) -f docker-compose.test.yml run --rm simulator-tests
	$(COMPOSE) -f docker-compose.test.yml run --rm dashboard-tests

bench: $(STAMP)
	@echo "All the benchmarks: about an hour. make bench-quick runs them on tiny inputs in minutes."
	$(PY) -m bench all

bench-quick: $(STAMP)
	$(PY) -m bench all --quick --output $(VENV)/bench-quick.md

data: $(STAMP)
	$(PY) -m simulator.generate

# The site, served from memory: no files written. Material's notice about its successor is left out.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

clean:
	@echo "Removing .venv, caches, sweep/, plan/, bench/.work/, test-artifacts/ and site/ (db/ stays: make clean-db removes it)"
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info sweep plan bench/.work test-artifacts site
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

clean-db:
	@echo "Removing db/: every run recorded there"
	rm -rf db
