# One command to set up and load the sample plans, one to run the tests.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench

$(BIN)/plans: pyproject.toml scripts/setup.sh
	scripts/setup.sh
	touch $(BIN)/plans

setup: $(BIN)/plans          ## install system packages and the Python package (.venv)

demo: setup                  ## load the sample plans into data/processed/plans.db and list them
	$(BIN)/plans ingest data/raw/docx data/raw/pdf data/raw/txt
	$(BIN)/plans list

test: setup                  ## the whole test suite (SQLite and the local PostgreSQL)
	$(BIN)/python -m pytest -q

bench: setup                 ## speed figures: extraction, Prefect overhead, scale (N = 10, 100 plans)
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/flows.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/scale.py
