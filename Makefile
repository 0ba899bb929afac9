# Quick start: `make run` (the whole federation, embedded, with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-unit bench schemas translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sopro demo

test: $(STAMP)
	$(BIN)/pytest -q

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python -m bench

schemas: $(STAMP)
	$(BIN)/sopro schemas generate

# The gettext catalogs of the web pages (de, hu; English is the source). Extracts the messages of the
# kernel and the site services' pages (and the hub's, when it has its own catalog), merges them into
# the .po files and compiles the .mo files, which are committed so that a fresh clone works.
PYBABEL := $(BIN)/pybabel
BABEL_KEYWORDS := -k _l -k N_ -k lazy_gettext
translations: $(STAMP)
	$(PYBABEL) extract -F services/web/babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		-o services/web/translations/messages.pot services/web services/registry services/enquiries services/label
	$(PYBABEL) update --ignore-obsolete -i services/web/translations/messages.pot -d services/web/translations --no-fuzzy-matching
	$(PYBABEL) compile --statistics -d services/web/translations
	if [ -d services/hub/translations ]; then \
		$(PYBABEL) extract -F services/web/babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
			-o services/hub/translations/messages.pot services/hub && \
		$(PYBABEL) update --ignore-obsolete -i services/hub/translations/messages.pot -d services/hub/translations --no-fuzzy-matching && \
		$(PYBABEL) compile --statistics -d services/hub/translations; fi

clean:
	rm -rf $(VENV) var
