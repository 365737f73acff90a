# xieshang — `make run` serves the demo, `make test` runs the whole suite; both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := web/static/vendor
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Test processes (pytest-xdist), one per core; a test file runs whole in one process so its set-up is shared.
JOBS   ?= auto

.PHONY: run test setup install vendor database bench bench-quick mutation clean

run: setup
	$(BIN)/xieshang serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

setup: install vendor database

install: $(BIN)/.installed
$(BIN)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Front-end libraries come from the npm registry into ignored folders; nothing is loaded from a CDN.
vendor: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bpmn-js
	cp -r node_modules/bpmn-js/dist/assets node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	      node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-js/
	mkdir -p $(VENDOR)/echarts
	cp node_modules/echarts/dist/echarts.common.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE \
	      $(VENDOR)/echarts/
	touch $@

# The process owners' modeler: bpmn-js + properties panel + this product's modules, bundled by esbuild (pinned).
vendor: $(VENDOR)/modeler/modeler.js
$(VENDOR)/modeler/modeler.js: $(VENDOR)/.installed $(wildcard web/static/modeler/src/*)
	mkdir -p $(VENDOR)/modeler
	cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css $(VENDOR)/modeler/
	node_modules/.bin/esbuild web/static/modeler/src/modeler.js --bundle --format=esm --minify --target=es2020 \
	      --log-level=error --outfile=$@

# Pickers, date picker and file inputs in the page's language (Tom Select, air-datepicker), bundled by esbuild.
vendor: $(VENDOR)/widgets/widgets.js
$(VENDOR)/widgets/widgets.js: $(VENDOR)/.installed $(wildcard web/static/widgets/src/*)
	mkdir -p $(VENDOR)/widgets
	node_modules/.bin/esbuild web/static/widgets/src/widgets.js --bundle --format=iife --minify --target=es2020 \
	      --log-level=error --outfile=$@

# The SQLite database under instance/, with the processes deployed and the demo people (idempotent).
database: install
	$(BIN)/xieshang init-db
	$(BIN)/xieshang deploy
	$(BIN)/xieshang demo

bench: setup
	$(BIN)/python -m bench

bench-quick: setup
	$(BIN)/python -m bench --quick

# Mutation testing of the guard modules, one module at a time with its covering tests (minutes; not part of `make test`).
# `make mutation MODULES="audit workdays"` runs only these; the figures go in README's Tests section.
mutation: install
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	$(BIN)/python -m bench.mutation $(MODULES)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance .pytest_cache .mutation
