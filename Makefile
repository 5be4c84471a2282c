# dealerflow — after-sales dealer-management core.
#   make run    start PostgreSQL, the broker and every service (installs what is missing)
#   make test   run every test suite against a real PostgreSQL and broker
#   make lint   ruff and mypy
#   make bench  the backbone benchmark (writes bench/results/backbone.md), then bench-rebuild, bench-load and bench-broker
#   make bench-rebuild  read models rebuilt from a year of one large site (writes bench/results/rebuild.md)
#   make bench-load  the whole system under the simulator's load (writes bench/results/load.md)
#   make bench-broker  the local broker's CPU for a steady workload as its log grows (writes bench/results/broker.md)
#   make soak   the broker-restart test 30 runs in a row and the fault tests 10 (SOAK_RUNS=n for both)
#   make contract  the public event contract: contract/asyncapi.json and contract/schemas/ (checked in)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVICES := $(patsubst services/%/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
INSTALLED := $(VENV)/.installed
empty :=
space := $(empty) $(empty)

.PHONY: install browser run test lint format bench bench-rebuild bench-load bench-broker soak contract clean

$(INSTALLED): requirements-dev.txt libs/events/pyproject.toml $(wildcard services/*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e libs/events $(foreach s,$(SERVICES),-e services/$(s))
	touch $@

install: $(INSTALLED)

run: install
	$(BIN)/python -m events.local.stack

# The board page's test drives a real headless Chromium: Debian's package (with CJK fonts for the
# screenshots), installed when missing and this user may install packages.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || \
	  { echo "chromium is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)"; exit 1; }

test: install browser
	$(BIN)/python -m events.testing.suites

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/events/src libs/events/tests $(foreach s,$(SERVICES),services/$(s)/$(s)) bench simulator examples
	@# Test suites one at a time: each has its own conftest and helpers, found through pytest's path.
	for s in $(SERVICES); do MYPYPATH=services/$$s/tests:services/$$s $(BIN)/mypy --explicit-package-bases services/$$s/tests || exit 1; done
	MYPYPATH=tests:$(subst $(space),:,$(addprefix services/,$(SERVICES))) $(BIN)/mypy --explicit-package-bases tests

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench.backbone
	$(BIN)/python -m bench.rebuild
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.broker

# The advisor board, callback queue and CSI/VOC read models rebuilt from a generated year of one
# large site (~2 million events), against decoding the same records alone (BENCH_REBUILD_ARGS=--quick: 30 days).
bench-rebuild: install
	$(BIN)/python -m bench.rebuild $(BENCH_REBUILD_ARGS)

# The whole system (every service and the gateway) driven by the simulator through the gateway:
# 110 commands/s for 5 minutes, then steps up to find the knee (BENCH_LOAD_ARGS=--quick: ~3 min).
bench-load: install
	$(BIN)/python -m bench.load $(BENCH_LOAD_ARGS)

# The local broker alone: a steady produce-and-tail workload timed on the broker's CPU while its
# log grows (why the load benchmark's broker costs more the longer a run goes; ~5 min).
bench-broker: install
	$(BIN)/python -m bench.broker $(BENCH_BROKER_ARGS)

# Tests that once failed now and then, run until they fail: each loop stops at its first failure
# and leaves that run's service logs in var/test-logs/.
soak: install
	$(BIN)/python -m events.testing.soak --runs $(or $(SOAK_RUNS),30) tests/test_restarts.py -- -k broker
	$(BIN)/python -m events.testing.soak --runs $(or $(SOAK_RUNS),10) tests/test_faults.py

contract: install
	$(BIN)/python -m events.asyncapi contract

clean:
	rm -rf $(VENV) var
