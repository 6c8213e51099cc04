# Two commands on a fresh machine: `make run` (the monthly refresh) and `make test`.
# Both create .venv and install the project when it is missing or pyproject.toml changed.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast bench lint clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/exposure refresh

test: $(STAMP) chromium
	$(BIN)/pytest -q

# The web page's browser test drives Debian's chromium (tests/test_web_page.py). CI runs as
# root on a machine without it: install it there; nothing to do where it is installed. If it
# cannot be installed, the test is skipped and says why.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; } \
		|| echo "chromium could not be installed: the browser test will be skipped"

# The quick tier while editing: every test that needs no full ingest, refresh or forecast.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow and not flow and not dask"

bench: $(STAMP)
	for script in bench/[!_]*.py; do $(BIN)/python $$script || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check exposure flows tests bench

clean:
	rm -rf $(VENV) .prefect reports/validation reports/runs.jsonl
