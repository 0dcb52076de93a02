# The commands of the README. Everything runs from the project's own virtual environment.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help bench chaos prerequisites demo install up up-cluster down clean test test-unit lint schemas asyncapi

help:
	@echo "make demo        one month of a mid-sized force, on an accelerated clock, then the outcome report"
	@echo "make up          start Kafka (KRaft) and PostgreSQL, create the topics, print their settings"
	@echo "make up-cluster  the same with a 3-broker Kafka cluster (replication 3, min ISR 2)"
	@echo "make test        run every test (starts Kafka and PostgreSQL itself if they are not up)"
	@echo "make down        stop everything; make clean also deletes the data"
	@echo "make bench       cases end to end through the real stack, against Kafka's and a bare Python hop's ceiling"
	@echo "make chaos       10,000 cases on the 3-broker cluster while brokers, services and PostgreSQL are killed"
	@echo "make schemas     regenerate schemas/jsonschema from the event models"
	@echo "make asyncapi    regenerate docs/asyncapi from the services' FastStream apps"
	@echo "make lint        ruff, as make test runs it first"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

bench: $(STAMP) prerequisites
	@$(PY) -m benchmarks

chaos: $(STAMP) prerequisites
	@$(PY) -m chaos $(ARGS)

prerequisites:
	@bash deploy/install_prerequisites.sh

demo: $(STAMP) prerequisites
	@$(PY) -m services.operations.simulator $(ARGS)

up: $(STAMP) prerequisites
	@$(PY) -m deploy.local_stack up

up-cluster: $(STAMP) prerequisites
	@$(PY) -m deploy.local_stack up --cluster

down: $(STAMP)
	@$(PY) -m deploy.local_stack down
	@$(PY) -m deploy.local_stack down --cluster

clean: $(STAMP)
	@$(PY) -m deploy.local_stack clean
	@$(PY) -m deploy.local_stack clean --cluster

test: $(STAMP) lint
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test-unit: $(STAMP)
	$(VENV)/bin/pytest tests/unit

schemas: $(STAMP)
	$(PY) -m schemas.export

asyncapi: $(STAMP)
	$(PY) -m services.asyncapi_export
