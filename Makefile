# distillguard: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DG := $(VENV)/bin/distillguard
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
KAFKA := broker/kafka.sh
DURATION ?= 180
SEED ?= 1
HOURS ?= 8
ACCOUNTS ?= 100000,1000000
STORES ?= memory,rocksdb

.DEFAULT_GOAL := help
.PHONY: help setup kafka-up kafka-down kafka-status worker demo test test-unit lint eval tune eval-independent eval-outsider bench bench-restart clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP) ## create .venv with every dependency, fetch the Kafka jars, install NGINX, Chromium and docker-compose if absent
	@$(KAFKA) fetch
	@bash deploy/install-debian.sh nginx "the NGINX test" "command -v nginx || test -x /usr/sbin/nginx" nginx-light
	@bash deploy/install-debian.sh chromium "the console's browser test" "test -x /usr/bin/chromium" chromium chromium-driver
	@bash deploy/install-debian.sh docker-compose "the compose file test" "docker compose version || command -v docker-compose" docker-compose

kafka-up: setup ## start the local Kafka broker (KRaft, 127.0.0.1:9092); reuses a running one
	@$(KAFKA) up

kafka-down: ## stop the local Kafka broker
	@$(KAFKA) down

kafka-status: ## is the local broker up and answering?
	@$(KAFKA) status

worker: kafka-up ## run the distillguard worker in the foreground
	$(DG) worker

demo: setup ## the whole loop live: broker, worker, gateway, console, clients, live view (DURATION=s)
	@trap 'true' INT; started=0; if ! $(KAFKA) status >/dev/null 2>&1; then $(KAFKA) up && started=1; fi; \
	$(PY) -m distillguard.streams.tools.demo --duration $(DURATION); rc=$$?; \
	if [ $$started = 1 ]; then $(KAFKA) down; fi; exit $$rc

test: setup ## the test suite, against a real local broker (started and stopped if not running)
	@trap 'true' INT; started=0; if ! $(KAFKA) status >/dev/null 2>&1; then $(KAFKA) up && started=1; fi; \
	$(PY) -m pytest; rc=$$?; \
	if [ $$started = 1 ]; then $(KAFKA) down; fi; exit $$rc

test-unit: setup ## the tests that need no broker
	$(PY) -m pytest -m "not kafka"

lint: setup ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

eval: setup ## report: seeds 1001-1010 (random variant, 6 h), median + worst seed, targets, 30 simulated verdicts -> out/eval; ablation on 1001-1004 -> out/eval-ablation
	$(DG) eval-seeds --variant random --seeds 1001-1010 --hours 6 --out out/eval --analyst 30
	$(DG) eval-seeds --variant random --seeds 1001-1004 --hours 6 --out out/eval-ablation --ablation --no-plot

tune: setup ## tuning set: seeds 1-10 (random variant, 6 h), median + worst seed, targets -> out/tune
	$(DG) eval-seeds --variant random --seeds 1-10 --hours 6 --out out/tune

eval-independent: setup ## second exam: the generator written apart from the detector, seeds 101-110 (6 h) -> out/eval-independent
	$(DG) eval-seeds --variant independent --seeds 101-110 --hours 6 --out out/eval-independent

eval-outsider: setup ## third exam: a generator written apart from the detector and the other two, seeds 201-210 (6 h) -> out/eval-outsider
	$(DG) eval-seeds --variant outsider --seeds 201-210 --hours 6 --out out/eval-outsider

bench: kafka-up ## throughput, latency, memory, scale-out, restart -> bench/results.json, bench/summary.md (BENCH_ARGS=--no-million)
	$(PY) -m bench.run $(BENCH_ARGS)

bench-restart: kafka-up ## restart time (SIGKILL to first decision) per table store -> out/bench/restart.json (ACCOUNTS=, STORES=)
	$(PY) -m bench.restart --accounts $(ACCOUNTS) --stores $(STORES)

clean: ## remove generated output (keeps .venv and the jar cache)
	rm -rf out .pytest_cache .ruff_cache .mypy_cache
