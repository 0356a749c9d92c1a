# resmeta: every target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED_DUMP := $(wildcard ../shared/data/ror/v2.9-subset-ror-data.zip)
# `make run` works offline here: default to the shared subset dump when it exists.
export RESMETA_DUMP ?= $(if $(SHARED_DUMP),$(abspath $(SHARED_DUMP)),)
HOST ?= 127.0.0.1
PORT ?= 9292

.PHONY: install run test lint bench chooser clean

$(BIN)/resmeta: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/resmeta

install: $(BIN)/resmeta

run: install
	$(BIN)/resmeta serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check src tests bench
	@# pytest exits 5 when it collected no test: that is a failure here.
	$(BIN)/pytest -q $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest ran no test" >&2; exit 1; fi; exit $$status

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/run_all.py

# Retrain the shipped affiliation chooser on the labelled sets beside the project.
chooser: install
	$(BIN)/resmeta train-chooser ../shared/data/affiliations/*.jsonl \
	  --dump ../shared/data/ror/v2.9-subset-ror-data.zip \
	  -o src/resmeta/services/affiliations/chooser.pickle

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
