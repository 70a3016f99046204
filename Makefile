# assetmap: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app assetmap

.PHONY: install install-serve serve run demo-db notebook test postgis browser bench-tools lint bench migration clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Production: the app and gunicorn alone, without the tools that test it.
$(VENV)/.serve: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[serve]'
	touch $@

install-serve: $(VENV)/.serve

# gunicorn on 127.0.0.1:8000 with deploy/gunicorn.conf.py, for a reverse proxy to reach.
serve: install-serve
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py

demo-db: install
	$(FLASK) init-db
	$(FLASK) seed-demo

run: demo-db
	$(FLASK) run --host 127.0.0.1 --port 5000

# The planner's notebook, opened in JupyterLab on an export of the demo register made just now.
NOTEBOOK_EXPORT := instance/notebook/assetmap.geojson

$(VENV)/.notebook: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook]'
	touch $@

notebook: demo-db $(VENV)/.notebook
	mkdir -p $(dir $(NOTEBOOK_EXPORT))
	$(FLASK) export --format geojson --output $(NOTEBOOK_EXPORT)
	ASSETMAP_EXPORT="$(abspath $(NOTEBOOK_EXPORT))" $(BIN)/jupyter lab --ServerApp.root_dir=notebooks

postgis:
	bash scripts/setup-postgis.sh

browser:
	bash scripts/setup-browser.sh

bench-tools:
	bash scripts/setup-bench.sh

test: install postgis browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check assetmap tests bench
	$(BIN)/mypy assetmap
	$(BIN)/lint-imports
	bash scripts/lint-js.sh

# The next migration, written by Alembic's autogenerate from the models and checked on scratch
# SQLite and PostGIS databases: make migration MESSAGE="give strengths a website"
migration: install postgis
	$(BIN)/python -m assetmap.storage.new_migration "$(MESSAGE)"

bench: install postgis browser bench-tools
	$(BIN)/python bench/nearby.py
	$(BIN)/python bench/map.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/whatson.py
	$(BIN)/python bench/api_cost.py
	$(BIN)/python bench/catchment.py
	$(BIN)/python bench/gazetteer.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
