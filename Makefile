# Two commands on a fresh machine: `make run` (the monthly refresh) and `make test`.
# Both create .venv and install the project when it is missing or pyproject.toml changed.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/exposure refresh

test: $(STAMP)
	$(BIN)/pytest -q

# The quick tier while editing: every test that needs no full ingest, refresh or forecast.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow and not flow and not dask"

bench: $(STAMP)
	for script in bench/[!_]*.py; do $(BIN)/python $$script || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check exposure flows tests bench

clean:
	rm -rf $(VENV) .prefect reports/validation reports/runs.jsonl
