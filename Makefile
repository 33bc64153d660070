# Kitchen Simulator: the commands a user runs. `make help` lists them.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo "docker-compose")

.PHONY: help run test chromium unittest bench data clean

help:
	@echo "make run       set up, then run the simulator and the dashboard natively (http://localhost:8050)"
	@echo "make test      set up, then run the whole test suite (installs Debian's chromium if missing)"
	@echo "make unittest  run each service's tests in its container"
	@echo "make bench     run the benchmarks and write bench/RESULTS.md"
	@echo "make data      regenerate data/items.json and data/orders.json"

# A virtual environment with the project installed, rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	@PYTHON=$(PY) bash scripts/run.sh

test: $(STAMP) chromium
	$(PY) -m pytest

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
	$(PY) -m bench all

data: $(STAMP)
	$(PY) -m simulator.generate

clean:
	rm -rf $(VENV) db/ .pytest_cache .hypothesis
