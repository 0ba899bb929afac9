"""The web tests' sites: AT12 (German) and HU22 (Hungarian) on SQLite, one each for the session
(tests/support/web.py builds them).

The pages are the UI over guarantees tested elsewhere, so the embedded SQLite mode is enough here.
The hub's pages are the exception: their `network` (tests/support/hub_pages.py) runs the hub on SQLite
and on PostgreSQL, built once per database for this package (registered here, so the test_hub_pages_*
modules share it).
"""
from __future__ import annotations

import pytest
import requests

from services.common.config import load_settings
from tests.support.hub_pages import hub_db, network  # noqa: F401 - fixture
from tests.support.web import WebSite


@pytest.fixture(scope="session")
def module_settings(tmp_path_factory, federation, federation_files):
    root = tmp_path_factory.mktemp("web")

    def make(site_id: str):
        # The tests click and log in far faster than a person would: the rate limits are lifted here
        # (the login's is tested on its own in test_kernel, the rest in tests/integration).
        return load_settings(site_id, env={}, federation=federation, db_url=f"sqlite:///{root / site_id}.sqlite",
                             bus_url="memory://", key_file=federation_files[1] / f"{site_id}.pem", var_dir=root,
                             rate_limit="100000/minute;10000/second", token_rate_limit="10000/minute",
                             public_write_rate_limit="10000/minute")
    return make


@pytest.fixture(scope="session")
def at12(module_settings):
    return WebSite(module_settings, "AT12")


@pytest.fixture(scope="session")
def hu22(module_settings):
    return WebSite(module_settings, "HU22")


@pytest.fixture
def broker(at12):
    """A browser logged in to AT12 as its broker."""
    browser = at12.browser()
    browser.login("broker")
    return browser


@pytest.fixture
def no_hub(monkeypatch):
    """No hub runs in these tests: asking it fails at once instead of waiting for a timeout."""
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("no hub in the web tests")

    monkeypatch.setattr("services.label.network.requests.get", refuse)
