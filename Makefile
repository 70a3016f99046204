# assetmap: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app assetmap

.PHONY: install install-serve serve run demo-db notebook test postgis replica browser bench-tools lint bench migration translations catalogues clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed catalogues

# The translations pages are read in: each language's catalogue, compiled when it changes.
LANGUAGE_PO := $(wildcard assetmap/translations/*/LC_MESSAGES/messages.po)
catalogues: $(LANGUAGE_PO:.po=.mo)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(BIN)/activate
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Gather every word the app says into messages.pot, bring each language's catalogue up to it,
# and compile them. A new language: $(BIN)/pybabel init -i assetmap/translations/messages.pot
# -d assetmap/translations -l xx, then add it to LANGUAGES in assetmap/web/i18n.py.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy -k _l -k N_ --no-location --no-wrap --sort-output \
	  --project assetmap --copyright-holder "assetmap contributors" \
	  -o assetmap/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --no-wrap \
	  -i assetmap/translations/messages.pot -d assetmap/translations
	$(BIN)/pybabel compile --statistics -d assetmap/translations

# Production: the app and gunicorn alone, without the tools that test it.
$(VENV)/.serve: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[serve]'
	touch $@

install-serve: $(VENV)/.serve catalogues

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

# A streaming replica of the local server on port 5433, for the read replica tests.
replica: postgis
	bash scripts/setup-replica.sh

browser:
	bash scripts/setup-browser.sh

bench-tools:
	bash scripts/setup-bench.sh

test: install postgis replica browser
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
	$(BIN)/python bench/languages.py
	$(BIN)/python bench/api_cost.py
	$(BIN)/python bench/catchment.py
	$(BIN)/python bench/gazetteer.py
	$(BIN)/python bench/ballots.py
	$(BIN)/python bench/openreferral.py
	$(BIN)/python bench/map.py --cold
	$(BIN)/python bench/map_cells.py
	$(BIN)/python bench/bulk_import.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
