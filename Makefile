# wirewatch — `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install build system-deps kafka-jars run test unit integration lint format clean \
	prometheus report eval bench-nlp bench soak

help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) and installing wirewatch with its dev tools"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP) build ## create the virtualenv and install wirewatch (editable) with dev tools

# The NLP hot path compiled with mypyc (build_mypyc.py), rebuilt when a source changes.
# Optional: with no C compiler, or NATIVE=0, the pure-Python modules run (slower NLP).
NATIVE   ?= 1
NATIVE_STAMP := streams/_native.json
NATIVE_SOURCES := $(shell grep -o '"streams/[a-z_/]*\.py"' build_mypyc.py | tr -d '"')
$(NATIVE_STAMP): build_mypyc.py $(NATIVE_SOURCES) | $(STAMP)
	$(BIN)/python build_mypyc.py

ifeq ($(NATIVE),1)
build: $(STAMP) $(NATIVE_STAMP) ## compile the NLP modules with mypyc (in place; NATIVE=0: skip)
else
build: $(STAMP)
endif

system-deps: ## install kcat and prometheus (Debian) when missing; check java and mvn for the test broker
	@command -v kcat >/dev/null || { echo "==> installing kcat"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null; }
	@# Prometheus and promtool: tests/integration/test_observability.py runs a real server.
	@command -v promtool >/dev/null || test -x /usr/bin/promtool || { echo "==> installing prometheus"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }
	@command -v java >/dev/null || { echo "java 17+ is needed for the Apache Kafka test broker"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven (mvn) is needed to fetch the Apache Kafka jars"; exit 1; }

kafka-jars: $(STAMP) ## resolve the Apache Kafka broker jars from Maven Central into .cache/
	@$(BIN)/python -c "from streams.brokers.kafka import resolve_jars; print('==> Kafka jars in', resolve_jars())"

run: $(STAMP) build ## embedded broker (unless WIREWATCH_BROKER is set), worker, seeds, alerts
	$(BIN)/wirewatch run

test: $(STAMP) build system-deps kafka-jars ## the whole suite: unit + integration on real Kafka and Tansu
	$(BIN)/pytest $(PYTEST_ARGS)

unit: $(STAMP) build ## unit tests only (no broker)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

integration: $(STAMP) build system-deps kafka-jars ## integration tests only
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, ruff format --check, mypy
	$(BIN)/ruff check streams tests build_mypyc.py
	$(BIN)/ruff format --check streams tests build_mypyc.py
	$(BIN)/mypy
	$(BIN)/mypy build_mypyc.py

format: $(STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix streams tests build_mypyc.py
	$(BIN)/ruff format streams tests build_mypyc.py

# Observability: a local Prometheus and PNG charts from it.
PROMETHEUS_URL ?= http://127.0.0.1:9090
REPORT_DIR     ?= .wirewatch/report
MINUTES        ?= 15

prometheus: ## Prometheus on 127.0.0.1:9090 scraping a local worker (127.0.0.1:9464)
	mkdir -p .wirewatch/prometheus
	prometheus --config.file=deploy/prometheus/prometheus.local.yml \
	  --web.listen-address=127.0.0.1:9090 --storage.tsdb.path=.wirewatch/prometheus

report: $(STAMP) ## PNG charts (throughput, latency) of the last MINUTES from PROMETHEUS_URL
	$(BIN)/wirewatch report --prometheus $(PROMETHEUS_URL) --out $(REPORT_DIR) --minutes $(MINUTES)

# NLP quality on the labelled set, and NLP speed.
eval: $(STAMP) build ## score classification/tagging on tests/eval/*.jsonl (all, dev, test)
	$(BIN)/wirewatch eval tests/eval/*.jsonl

bench-nlp: $(STAMP) build ## clean + classify + tag articles/s on one core, offline (seed articles)
	$(BIN)/python -m streams.bench.nlp

clean: ## remove the virtualenv, caches, local state and compiled modules
	$(PYTHON) build_mypyc.py --clean
	rm -rf $(VENV) .cache .wirewatch .pytest_cache .mypy_cache .ruff_cache build

# The pipeline benchmark (R/P/F).
BENCH_ARTICLES ?= 20000
bench: $(STAMP) build kafka-jars ## R/P/F throughput, latency, RSS on Tansu and Apache Kafka → bench/results/
	$(BIN)/wirewatch bench --articles $(BENCH_ARTICLES) --broker both --out bench/results

SOAK_MINUTES ?= 10
# On Apache Kafka: the embedded broker stalls after ~4 min at 50/s (README, soak).
soak: $(STAMP) build kafka-jars ## the full pipeline at 50 articles/s for 10 min on Apache Kafka, RSS sampled → bench/results/
	$(BIN)/wirewatch soak --minutes $(SOAK_MINUTES) --broker kafka --out bench/results
