"""Browser tests: Debian's chromium, driven by Playwright, against `sopro demo` in a subprocess.

- The demo runs with its own var directory and ports the system picks (`--free-ports`); the URLs come
  from its federation.json. One demo (and one chromium) serves the whole package, its test_journey_*
  modules in turn; it is stopped (SIGTERM, then SIGKILL) when the package's last test has run.
- The browser is the system's /usr/bin/chromium: browser downloads are impossible here. Without it
  these tests skip, unless SOPRO_REQUIRE_SERVICES=1 (CI), where a missing chromium is a failure.
- Every page a test visits fails the test if it answers 5xx; `shoot(page, name)`
  (tests/support/browser_flows.py) saves a screenshot under test-artifacts/screenshots/ (gitignored).
- Every page a test visits is audited (tests/support/page_audit.py): axe-core at each `shoot` (and on the
  GET pages never shot, opened again at the end), the Nu HTML validator on every HTML document received.
  A serious or critical axe violation or a Nu error fails the test (after its own assertions passed).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from contextlib import contextmanager

import pytest

from tests.support import page_audit
from tests.support.browser_flows import deliver_with_impact
from tests.support.browser_pages import url
from tests.support.polling import started
from tests.support.services import REQUIRE

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DEMO_START_SECONDS = 90


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium against the demo federation")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _need_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)"
    if REQUIRE:
        pytest.fail(message + " and SOPRO_REQUIRE_SERVICES=1")
    pytest.skip(message)


# Package scope (tests/browser is a package for it): one federation for all the journeys' modules, and it
# and chromium stop with the journeys, not at the end of the whole suite (the demo's workers would
# otherwise take a third of a core from every test after them).
@pytest.fixture(scope="package")
def demo(tmp_path_factory):
    """The demo federation's description (federation.json): {"hub": url, "sites": {id: {url, users...}}}."""
    _need_chromium()  # no point starting the federation without a browser
    var_dir = tmp_path_factory.mktemp("browser-demo")
    log_path = var_dir.parent / "browser-demo.log"
    log = log_path.open("wb")
    # Every person of every journey comes from 127.0.0.1: the per-address allowances of password checks and
    # anonymous writes are for one visitor, not for a whole package of people (they have their own tests).
    env = {**os.environ, "SOPRO_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
           "SOPRO_TOKEN_RATE_LIMIT": "600/minute", "SOPRO_PUBLIC_WRITE_RATE_LIMIT": "600/hour;100/minute"}
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "demo", "--var-dir", str(var_dir), "--free-ports"],
                            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    described = var_dir / "federation.json"
    try:
        started(proc, described.exists, "sopro demo (writing federation.json)", DEMO_START_SECONDS, log=log_path)
        time.sleep(0.1)  # written in one call, but let it land
        # The var directory too: a test may read a site's database there (test_journey_statements: its outbox).
        yield {**json.loads(described.read_text(encoding="utf-8")), "var_dir": str(var_dir)}
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(5)  # its databases are thrown away with the var directory: no need to wait long
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.fixture(scope="package")
def browser(demo):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        (pytest.fail if REQUIRE else pytest.skip)("Playwright for Python is not installed (pip install -e '.[test]')")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield AuditedBrowser(chromium)
        chromium.close()
    page_audit.stop_validator()


class AuditedBrowser:
    """The package's chromium, each of whose contexts has its pages audited (tests/support/page_audit.py)."""

    def __init__(self, chromium):
        self._chromium = chromium

    def __getattr__(self, name):
        return getattr(self._chromium, name)

    def new_context(self, **options):
        context = self._chromium.new_context(**options)
        left = []  # the cookies the person had when the test closed its context
        close = context.close

        def close_keeping_cookies(**kwargs):
            if not left:
                left.append(context.storage_state())
            return close(**kwargs)

        context.close = close_keeping_cookies

        @contextmanager
        def person():
            copy = self._chromium.new_context(**options, storage_state=left[0] if left else context.storage_state())
            try:
                yield copy
            finally:
                copy.close()

        page_audit.watch(context, person)
        return context


@pytest.fixture(autouse=True)
def audit(request):
    """The page audit of this test (its verdict comes in pytest_runtest_call below)."""
    yield page_audit.begin(request.node.nodeid)
    page_audit.end()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # A failure of the test itself comes first: the audit of the pages it saw is then only reported
    # (test-artifacts/page-audit/); the audit fails a passing test.
    audit = page_audit.current()
    try:
        outcome = yield
    except Exception:
        if audit is not None:
            try:
                audit.conclude()
            except Exception:  # noqa: BLE001 - the test's own failure is the one to see
                pass
        raise
    if audit is not None:
        problems = audit.conclude()
        if problems:
            pytest.fail(problems, pytrace=False)
    return outcome


@pytest.fixture(scope="package")
def delivered(demo):
    """Impact for the charts, once for the package (test 5 and the main pages): an agreement delivered at
    AT12 and one at HU22 (paid in forints)."""
    at12 = deliver_with_impact(
        url(demo, "AT12"), "Donauland Handels AG", "Grünraum Wiener Neustadt", "77310000", "300", "hours", "11400",
        "EUR", {"nuts3": "AT127", "lat": 48.085, "lon": 16.283},
        {"material_diverted_kg": "850", "regional_share": "0.8", "production_nuts3": "AT122",
         "production_lat": 47.813, "production_lon": 16.233, "integration_hours": "300"})
    hu22 = deliver_with_impact(
        url(demo, "HU22"), "Zalai Ajándéktárgy Kft.", "Soproni Textil-Újrahasznosító Szövetkezet", "18930000",
        "800", "bags", "3200000", "HUF", {"nuts3": "HU223", "lat": 46.842, "lon": 16.844},
        {"material_diverted_kg": "420", "regional_share": "0.7", "production_nuts3": "HU221",
         "production_lat": 47.685, "production_lon": 16.590, "integration_hours": "640"})
    return at12, hu22


class ServerErrors(list):
    """The 5xx answers a page received (documents and sub-requests alike)."""

    def watch(self, page) -> None:
        page.on("response", self._seen)

    def _seen(self, response) -> None:
        if response.status >= 500:
            self.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def server_errors():
    errors = ServerErrors()
    yield errors
    assert not errors, f"server errors: {errors}"


@pytest.fixture
def new_page(browser, server_errors):
    """A factory of pages, each in its own context (its own cookies: one person each). `locale` is the
    browser's (Accept-Language, and how date inputs show dates): the person's, e.g. "de-AT" or "hu-HU"."""
    contexts = []

    def make(viewport=(1280, 900), locale="en-GB"):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        server_errors.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
