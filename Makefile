# Two commands do all the set-up on a fresh machine with only Python 3.11+:
#   make chat   — talk to the bot in this terminal (SQLite under ./data, no token needed)
#   make test   — lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

.PHONY: install chat run test lint bench
install: $(STAMP)

chat: $(STAMP)
	$(BIN)/python -m bot chat

run: $(STAMP)
	$(BIN)/python -m bot run

lint: $(STAMP)
	$(BIN)/ruff check bot handlers messages storage scheduler tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.engine
