# dealerflow — after-sales dealer-management core.
#   make run    start PostgreSQL, the broker and every service (installs what is missing)
#   make test   lint, then every test suite against a real PostgreSQL and broker
#   make suites the test suites alone;  make lint  ruff, the format check and mypy
#   make lock   the locked, hashed installs in locks/ (after changing a dependency)
#   make bench  the backbone benchmark (writes bench/results/backbone.md), then bench-rebuild, bench-load, bench-broker, bench-catalogue and bench-screens
#   make bench-rebuild  read models rebuilt from a year of one large site (writes bench/results/rebuild.md)
#   make bench-load  the whole system under the simulator's load (writes bench/results/load.md)
#   make bench-broker  the local broker's CPU for a steady workload as its log grows (writes bench/results/broker.md)
#   make bench-catalogue  a 100,000-part price file imported against a plain COPY (writes bench/results/catalogue-import.md)
#   make bench-screens  each desk screen's first paint and click time in Chromium (writes bench/results/screens.md)
#   make soak   the broker-restart test 30 runs in a row and the fault tests 10 (SOAK_RUNS=n for both)
#   make contract  the public event contract: contract/asyncapi.json and contract/schemas/ (checked in)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVICES := $(patsubst services/%/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
PACKAGES := -e libs/events $(foreach s,$(SERVICES),-e services/$(s))
# Locked, hashed installs (make lock writes them): locks/run.txt what running needs (with the
# local PostgreSQL and broker), locks/dev.txt that and the test and lint tools, locks/prod.txt
# what a production image needs (deploy/Dockerfile).
RUNNING := $(VENV)/.installed-run
TESTING := $(VENV)/.installed-dev
UV := uv==0.13.9
empty :=
space := $(empty) $(empty)

.PHONY: install install-run browser fonts run test suites lint format bench bench-rebuild bench-load bench-broker bench-catalogue bench-screens soak lock contract clean

$(RUNNING): locks/run.txt libs/events/pyproject.toml $(wildcard services/*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r locks/run.txt
	$(BIN)/python -m pip install --quiet --no-deps $(PACKAGES)
	touch $@

$(TESTING): locks/dev.txt $(RUNNING)
	$(BIN)/python -m pip install --quiet --require-hashes -r locks/dev.txt
	touch $@

# The desk's browser libraries (htmx, its SSE extension; axe-core for the browser tests) from npm,
# pinned by services/desk/package-lock.json and served by the desk itself, never from a CDN.
DESK_NPM := services/desk/node_modules/.package-lock.json

$(DESK_NPM): services/desk/package.json services/desk/package-lock.json
	npm ci --prefix services/desk --no-audit --no-fund --loglevel=error
	touch $@

install-run: $(RUNNING) $(DESK_NPM)

install: $(TESTING) $(DESK_NPM)

run: install-run fonts
	$(BIN)/python -m events.local.stack

# The lock files from libs/events/pyproject.toml (its `local` extra for run and dev), the
# services' pyproject.toml files and requirements-dev.txt, for every platform, with hashes: run
# after changing a dependency. Our own packages are never looked up (locks/own-packages.txt).
lock: LOCKED = $(wildcard services/*/pyproject.toml) --excludes locks/own-packages.txt
lock:
	test -x var/uv/bin/uv || { $(PYTHON) -m venv var/uv && var/uv/bin/pip install --quiet $(UV); }
	var/uv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header \
	  libs/events/pyproject.toml $(LOCKED) --extra local -o locks/run.txt
	var/uv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header \
	  libs/events/pyproject.toml $(LOCKED) -c locks/run.txt -o locks/prod.txt
	var/uv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header \
	  libs/events/pyproject.toml $(LOCKED) --extra local requirements-dev.txt -c locks/run.txt -o locks/dev.txt

# The board page's test drives a real headless Chromium: Debian's package (with CJK fonts for the
# screenshots), installed when missing and this user may install packages. tests/test_deploy.py
# checks the alert rules with promtool, which Debian ships in its prometheus package.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || \
	  { echo "chromium is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)"; exit 1; }
	@command -v promtool >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } || \
	  { echo "promtool is missing: install Debian's prometheus package (apt-get install prometheus)"; exit 1; }

# The printed documents' typeface (services/gateway/gateway/documents/fonts.py): Debian's
# WenQuanYi Micro Hei, installed when missing and this user may install packages. The gateway
# refuses to start without it rather than print blank boxes (docs/documents.md).
fonts:
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || \
	  { echo "the documents' font is missing: install Debian's fonts-wqy-microhei (apt-get install fonts-wqy-microhei)"; exit 1; }

# What CI runs (.ci/run calls make test): lint first (ruff, format, mypy), then every suite.
test: install browser fonts lint suites

suites: install browser fonts
	$(BIN)/python -m events.testing.suites

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/events/src libs/events/tests $(foreach s,$(SERVICES),services/$(s)/$(s)) bench simulator standins examples
	@# Test suites one at a time: each has its own conftest and helpers, found through pytest's path.
	for s in $(SERVICES); do MYPYPATH=services/$$s/tests:services/$$s $(BIN)/mypy --explicit-package-bases services/$$s/tests || exit 1; done
	MYPYPATH=tests:$(subst $(space),:,$(addprefix services/,$(SERVICES))) $(BIN)/mypy --explicit-package-bases tests

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install browser fonts
	$(BIN)/python -m bench.backbone
	$(BIN)/python -m bench.rebuild
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.broker
	$(BIN)/python -m bench.catalogue_import
	$(BIN)/python -m bench.screens

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

# A 100,000-part price file imported by the catalogue (read, checked, loaded with its event) against
# a plain COPY of the same file in the same run (BENCH_CATALOGUE_ARGS=--quick: 20,000 parts; ~1 min).
bench-catalogue: install
	$(BIN)/python -m bench.catalogue_import $(BENCH_CATALOGUE_ARGS)

# Each desk screen's first paint and click-to-updated time in Debian's Chromium against the running
# system, with a static page's as the baseline (BENCH_SCREENS_ARGS=--screens booking,parts --runs 3).
bench-screens: install browser fonts
	$(BIN)/python -m bench.screens $(BENCH_SCREENS_ARGS)

# Tests that once failed now and then, run until they fail: each loop stops at its first failure
# and leaves that run's service logs in var/test-logs/.
soak: install
	$(BIN)/python -m events.testing.soak --runs $(or $(SOAK_RUNS),30) tests/test_restarts.py -- -k broker
	$(BIN)/python -m events.testing.soak --runs $(or $(SOAK_RUNS),10) tests/test_faults.py

contract: install
	$(BIN)/python -m events.asyncapi contract

clean:
	rm -rf $(VENV) var
