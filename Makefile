# NoteStack: `make run` serves it, `make test` checks everything. Both set up what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PYTEST_ARGS ?=
PY_SOURCES = $(wildcard src tests bench deploy)

.PHONY: help install install-python run migrate test lint typecheck format pytest check-python

help:
	@echo "make run      set up (venv, deps, front-end build), migrate, serve at http://$(HOST):$(PORT)"
	@echo "make test     set up, then lint, type-check and run every test"
	@echo "make install  the idempotent set-up step both use"
	@echo "make stack    the production topology: nginx, 3 instances, Redis, PostgreSQL + replica"
	@echo "make bench    benchmarks; results in bench/results/"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "NoteStack needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'

$(VENV)/.installed: requirements/dev.lock pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

install-python: $(VENV)/.installed

install: install-python frontend-install

run: install
	$(VENV)/bin/notestack serve --migrate --host $(HOST) --port $(PORT) --workers $(WORKERS)

migrate: install-python
	$(VENV)/bin/notestack migrate

lint: install-python
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)

typecheck: install-python
	$(VENV)/bin/mypy

format: install-python
	$(VENV)/bin/ruff format $(PY_SOURCES)
	$(VENV)/bin/ruff check --fix $(PY_SOURCES)

pytest: install
	$(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)

# The browser tests run in a pytest process of their own: Playwright's sync API keeps an event
# loop running in the main thread, which the asyncio tests cannot share.
test: install system-deps e2e-deps lint typecheck frontend-check
	$(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

include $(wildcard mk/*.mk)
