# The two commands of the README: `make demo` runs the service, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test faults install translations migrate bench clean

# Production is the default (GRIEVANCE_ENV unset); what make runs here is development.
DEV := GRIEVANCE_ENV=development

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

migrate: install
	$(DEV) $(BIN)/flask --app grievance db upgrade

# Links in the demo's printed mail and sign-in list point at the dev server.
demo: DEV += PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}
demo: migrate
	$(DEV) $(BIN)/flask --app grievance demo-data
	$(DEV) $(BIN)/flask --app grievance run --host $(HOST) --port $(PORT)

test: install
	$(DEV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The fault runs (faults/): the production configuration on a private PostgreSQL and Redis,
# each broken under load; prints what was sent, stored, processed, replied and duplicated.
faults: install
	$(BIN)/python -m pytest -p no:cacheprovider -s -q faults $(PYTEST_ARGS)

bench: install
	$(DEV) $(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) instance
