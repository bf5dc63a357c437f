# The two commands of the README:
#   make demo   builds the demo from the shipped policy/ and incidents/
#   make test   runs the whole test suite
#   make docs   builds the manual (manual/, mkdocs.docs.yml) into ./manual-site/
# Both set everything up on a fresh machine with Python 3.11: a virtual
# environment in .venv with every package pinned by constraints.txt, and
# (for the browser tests, when run as root) Debian's chromium.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lint demo serve serve-internal docs test check-env bench clean chromium alertmanager yaml-language-server npm-fixtures

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[all,test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/incidents validate --root .
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet -f mkdocs.yml -d site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet -f mkdocs.internal.yml -d site-internal
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet -f mkdocs.de.yml -d site-de
	@echo ""
	@echo "Two sites are built from the same records:"
	@echo "  the public status site (mkdocs.yml, for customers):  file://$(CURDIR)/site/index.html"
	@echo "    the same in German (mkdocs.de.yml, language: de):  file://$(CURDIR)/site-de/index.html"
	@echo "  the internal incident site (mkdocs.internal.yml, behind your login):"
	@echo "                                                      file://$(CURDIR)/site-internal/index.html"
	@echo "    (with every field, every postmortem, metrics, policy and the action items page:"
	@echo "     file://$(CURDIR)/site-internal/action-items/index.html)"
	@echo "  to browse every page (links are folder URLs), run 'make serve' (public) or"
	@echo "  'make serve-internal' and open http://127.0.0.1:8000/"
	@echo "  (serving also rebuilds when a file under incidents/ or policy/ changes)"

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet -f mkdocs.docs.yml -d manual-site
	@echo "The manual is built in ./manual-site/ (open manual-site/index.html)"

serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -f mkdocs.yml -a 127.0.0.1:8000

serve-internal: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -f mkdocs.internal.yml -a 127.0.0.1:8000

# Test fixtures from npm (tests/npm/package.json, pinned by its package-lock.json): axe-core,
# injected into Chromium by the accessibility tests, and the Nu HTML Checker (vnu-jar), run
# with a Java runtime. Installed once into the git-ignored tests/npm/node_modules; root-only
# apt installs as for chromium. Without them those tests are skipped, saying why.
npm-fixtures:
	@if [ ! -f tests/npm/node_modules/axe-core/axe.min.js ] || [ ! -f tests/npm/node_modules/vnu-jar/build/dist/vnu.jar ]; then \
	  command -v npm >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) || true; fi; }; \
	  (cd tests/npm && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) \
	    || echo "warning: could not install the npm test fixtures; the axe-core and Nu checker tests will be skipped"; \
	fi
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) \
	      || echo "warning: could not install a Java runtime; the Nu HTML Checker test will be skipped"; \
	  else echo "warning: java is missing and we are not root; the Nu HTML Checker test will be skipped"; fi; }

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser tests will be skipped"; \
	  else echo "warning: chromium is missing and we are not root; the browser tests will be skipped"; fi; }

# Debian's Prometheus Alertmanager for the detection tests (tests/test_ingest_serve.py starts it on
# 127.0.0.1 and routes it to `incidents ingest serve`); root-only apt install as for chromium.
alertmanager:
	@command -v prometheus-alertmanager >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null) \
	      || echo "warning: could not install prometheus-alertmanager; the Alertmanager test will be skipped"; \
	  else echo "warning: prometheus-alertmanager is missing and we are not root; the Alertmanager test will be skipped"; fi; }

# yaml-language-server for the editor test (tests/test_init.py), into ./node_modules (ignored by
# git); npm comes from Debian when we are root. Without it the editor test is skipped, saying why.
YLS := node_modules/.bin/yaml-language-server
yaml-language-server:
	@test -x $(YLS) || { \
	  if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) \
	      || echo "warning: could not install npm; the editor test will be skipped"; fi; \
	  if command -v npm >/dev/null 2>&1; then \
	    npm install --no-save --no-package-lock --no-audit --no-fund --silent yaml-language-server@2.0.0 \
	      || echo "warning: could not install yaml-language-server; the editor test will be skipped"; \
	  else echo "warning: npm is missing; the editor test will be skipped"; fi; }

# The checks the project runs on itself (lint, format, types), then the suite.
lint: $(STAMP)
	$(BIN)/ruff check generator tests tools benchmarks
	$(BIN)/ruff format --check --quiet generator tests tools benchmarks
	$(BIN)/mypy

test: $(STAMP) lint chromium alertmanager yaml-language-server npm-fixtures
	@$(BIN)/python -m pytest -n auto -q $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) site site-internal site-de manual-site node_modules tests/npm/node_modules build *.egg-info .pytest_cache test-output
