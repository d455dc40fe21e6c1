# The two commands of the README, and the steps they are made of.
#   make run   – set everything up, create the SQLite database, load demo data, start the portal
#   make test  – set up what the tests need (incl. Chromium for browser tests) and run the whole suite

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

# The port `make run` serves on; letters and PDFs link to http://127.0.0.1:$(PORT) unless PORTAL_PUBLIC_URL
# is set (e.g. PORTAL_PUBLIC_URL=https://inburgering.gemeente.example behind a proxy).
PORT ?= 5000

.PHONY: run test fuzz setup vendor system-deps chromium lint translations compile-translations clean

run: setup vendor system-deps
	$(BIN)/portal init-db
	$(BIN)/portal seal dev-cert
	$(BIN)/portal demo
	PORTAL_SESSION_COOKIE_SECURE=0 PORTAL_TWO_FACTOR_ROLES= $(BIN)/portal run --port $(PORT)

test: setup vendor system-deps chromium
	$(BIN)/ruff check portal tests bench
	$(BIN)/lint-imports
	$(BIN)/portal bpmn lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fuzz test with a large budget (the normal suite runs it small); PORTAL_FUZZ_SEED picks another run.
PORTAL_FUZZ_EXAMPLES ?= 10000
fuzz: setup
	PORTAL_FUZZ_EXAMPLES=$(PORTAL_FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -q -s -p no:cacheprovider

setup: $(VENV)/.installed compile-translations

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

# After adding or changing texts: extract them (templates, Python, form schemas, BPMN names) and
# merge into every catalog; then translate the new entries.
translations: setup
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --sort-output -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel -q extract -F babel-newcomer.cfg -k _l -k lazy_gettext --sort-output -o translations/newcomer.pot .

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

vendor: portal/static/vendor/NOTICE

portal/static/vendor/NOTICE: package.json package-lock.json scripts/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py

# PDFs (WeasyPrint) need Pango, PangoFT2 and HarfBuzz-subset at run time (without the last it warns
# on import, which fails the tests) and Noto fonts for Arabic and Ethiopic (Tigrinya) script.
SYSTEM_PACKAGES := fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq
system-deps:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { $(APT_INSTALL) $(SYSTEM_PACKAGES) >/dev/null; }

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || { $(APT_INSTALL) chromium >/dev/null; }

lint: setup
	$(BIN)/ruff check portal tests bench
	$(BIN)/lint-imports
	$(BIN)/portal bpmn lint

clean:
	rm -rf $(VENV) node_modules portal/static/vendor instance
