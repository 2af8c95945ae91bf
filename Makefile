# newsflow: `make run` runs the daily DAG on the bundled sample data; `make test` lints and tests.
# Every target sets itself up on a fresh machine (venv, locked dependencies, Airflow metadata DB).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

export AIRFLOW_HOME ?= $(CURDIR)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION := True
export AIRFLOW__LOGGING__LOGGING_LEVEL ?= INFO
export NEWSFLOW_LAKE_ROOT ?= $(CURDIR)/data/lake
SAMPLE_LANDING := $(CURDIR)/include/sample_data/landing
SAMPLE_DAYS = $(notdir $(wildcard $(SAMPLE_LANDING)/????-??-??))

.PHONY: help install run test test-faults lint airflow services stack bench train-cleaner fuzz audit lock clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(shell command -v $(PYTHON) || echo python3) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --python $(BIN)/python --require-hashes -r requirements.txt -r requirements-dev.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

install: $(VENV)/.installed ## create .venv and install the locked dependencies

$(AIRFLOW_HOME)/.migrated: $(VENV)/.installed
	mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (tail -50 $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	$(BIN)/airflow pools set newsflow_publish 1 "newsflow: one publish_day at a time" >> $(AIRFLOW_HOME)/db-migrate.log 2>&1
	touch $@

RUN_MODE ?= stack
run: $(AIRFLOW_HOME)/.migrated ## run the daily DAG for every sample day as a deployment does (RUN_MODE=dags-test: airflow dags test), summarise the lake
	@$(BIN)/python scripts/run_days.py --mode $(RUN_MODE) --landing $(SAMPLE_LANDING) $(SAMPLE_DAYS)
	@$(BIN)/python -m newsflow.summary --lake $(NEWSFLOW_LAKE_ROOT)

lint: $(VENV)/.installed ## ruff
	$(BIN)/ruff check .

test: $(VENV)/.installed ## lint and the test suite (all but the deployed-stack faults: make test-faults)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not faults"

test-faults: $(VENV)/.installed ## faults of the deployed Celery stack (7 min; needs PostgreSQL and Redis; CI runs it)
	$(BIN)/python -m pytest -q -m faults tests/services/test_stack_faults.py

airflow: $(AIRFLOW_HOME)/.migrated ## airflow standalone with this project's DAGs (UI on :8080, admin/admin)
	@echo '{"admin": "admin"}' > $(AIRFLOW_HOME)/passwords.json
	@echo "Airflow UI: http://127.0.0.1:8080   login: admin / admin (bound to 127.0.0.1; set your own for anything shared)"
	PATH=$(BIN):$$PATH \
	NEWSFLOW_LANDING_ROOT=$${NEWSFLOW_LANDING_ROOT:-$(SAMPLE_LANDING)} \
	AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin \
	AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=$(AIRFLOW_HOME)/passwords.json \
	AIRFLOW__API__HOST=$${AIRFLOW__API__HOST:-127.0.0.1} \
	AIRFLOW__CORE__PARALLELISM=2 AIRFLOW__API__WORKERS=1 AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=10 \
	PYTHONPATH=$(CURDIR)/include$${PYTHONPATH:+:$$PYTHONPATH} \
	AIRFLOW__CORE__EXECUTOR=$${AIRFLOW__CORE__EXECUTOR:-newsflow_local_executor.WarmLocalExecutor} \
	$(BIN)/airflow standalone

services: ## start the local PostgreSQL and Redis (as CI does)
	bash scripts/start_services.sh

stack: $(VENV)/.installed ## CeleryExecutor stack (api-server, scheduler, dag-processor, worker) on local Postgres/Redis
	PATH=$(BIN):$$PATH $(BIN)/python scripts/celery_stack.py up --port 8080

CORPUS ?= $(CURDIR)/../shared/corpus
BENCH_ARGS ?=
bench: $(VENV)/.installed ## benchmark on real corpora: CORPUS=dir BENCH_ARGS="--sizes 1000 --machine name --profile"
	$(BIN)/python -m bench.run $(CORPUS) $(BENCH_ARGS)

train-cleaner: $(VENV)/.installed ## rebuild the text-scrape line and headline models from CORPUS (about 8 min; provenance in include/newsflow/clean/models)
	$(BIN)/python scripts/train_cleaner.py --corpus $(CORPUS)

FUZZ_SECONDS ?= 120
fuzz: $(VENV)/.installed ## fuzz parse_article with atheris for FUZZ_SECONDS (crash-* files land in fuzz/out)
	mkdir -p fuzz/corpus fuzz/out && cp -n include/sample_data/landing/*/* fuzz/corpus/ 2>/dev/null || true
	cd fuzz/out && $(BIN)/python ../fuzz_parse_article.py -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=30 ../corpus

audit: $(VENV)/.installed ## advisories and yanked pins in the locks (pip-audit, else PyPI project JSON)
	$(BIN)/python scripts/audit_deps.py requirements.txt requirements-dev.txt

lock: ## regenerate the hashed locks from requirements*.in
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.txt
	$(BIN)/uv pip compile requirements-dev.in --python-version 3.11 --generate-hashes -o requirements-dev.txt

clean: ## remove the local lake, Airflow home and venv
	rm -rf data/lake $(AIRFLOW_HOME) $(VENV)
