# Quick start: `make run` (the whole federation, embedded, with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-fast test-newest lint lock bench schemas translations vendor-axe clean

# The exact versions that were tested (requirements/test.lock, with hashes); the project itself
# without dependencies, so nothing outside the lock is resolved. `make lock` updates the lock.
$(STAMP): pyproject.toml requirements/test.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sopro demo

# One pytest-xdist worker per core: each module on one worker in its order, the browser tests and the fault suite
# each on one worker (ONE_WORKER_EACH in tests/conftest.py). `.venv/bin/pytest -q` runs it in one process.
test: $(STAMP)
	$(BIN)/pytest -q -n auto

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

# The fast tier: the unit tests and the use cases on SQLite (tests/usecases), without PostgreSQL or RabbitMQ.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not services" tests/unit tests/usecases

# The architecture's rules ([tool.importlinter] in pyproject.toml): the kernel's layers, services that
# import neither each other nor the composition root, a hub without site services.
lint: $(STAMP)
	$(BIN)/lint-imports

# Updates both locks to the newest releases pyproject.toml allows: runtime.lock (the image's) first,
# then test.lock (the tests' and the benchmarks' extras) constrained by it, so the image and the tests run
# the same versions.
UV_VERSION := 0.13.9
LOCK := $(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --upgrade --quiet
lock: $(STAMP)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(LOCK) -o requirements/runtime.lock
	$(LOCK) --extra test --extra bench -c requirements/runtime.lock -o requirements/test.lock

# The unit and web tests against the newest releases, without the lock: reports what would break
# (test-artifacts/newest-releases.txt). CI runs it after the suite; it never blocks a landing.
test-newest:
	bash .ci/test-newest

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
		-o services/web/translations/messages.pot services/web services/registry services/enquiries services/label services/community \
		services/contracts services/demo
	$(PYBABEL) update --ignore-obsolete -i services/web/translations/messages.pot -d services/web/translations --no-fuzzy-matching
	$(PYBABEL) compile --statistics -d services/web/translations
	if [ -d services/hub/translations ]; then \
		$(PYBABEL) extract -F services/web/babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
			-o services/hub/translations/messages.pot services/hub services/sync services/contracts && \
		$(PYBABEL) update --ignore-obsolete -i services/hub/translations/messages.pot -d services/hub/translations --no-fuzzy-matching && \
		$(PYBABEL) compile --statistics -d services/hub/translations; fi

# axe-core for the browser tests' accessibility audits (tests/browser/vendor/README.md): the npm
# package's axe.min.js and licences, vendored so that the tests need no network.
AXE ?= 4
vendor-axe:
	rm -rf $(VENV)/axe-pack && mkdir -p $(VENV)/axe-pack
	cd $(VENV)/axe-pack && npm pack --silent axe-core@$(AXE) >/dev/null && tar xzf axe-core-*.tgz
	cp $(VENV)/axe-pack/package/axe.min.js tests/browser/vendor/axe.min.js
	cp $(VENV)/axe-pack/package/LICENSE tests/browser/vendor/axe-core.LICENSE
	cp $(VENV)/axe-pack/package/LICENSE-3RD-PARTY.txt tests/browser/vendor/axe-core.LICENSE-3RD-PARTY.txt
	head -1 tests/browser/vendor/axe.min.js
	rm -rf $(VENV)/axe-pack

clean:
	rm -rf $(VENV) .venv-newest var

# The whole compose stack brought up for real with Podman (as root; Debian's podman, podman-compose,
# debootstrap), the smoke scenario run through the proxy, then torn down; logs in
# test-artifacts/deploy-check/. Takes minutes, not for CI (deploy/README.md, "Bring the stack up with Podman").
.PHONY: deploy-check
deploy-check:
	deploy/podman/check.sh
