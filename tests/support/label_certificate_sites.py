"""HU22 and AT12 with the web tests' members, offers and staff (tests/support/web.py), on PostgreSQL or
SQLite, for the label certificate's and badge's tests (issue 17): `sites` is a module fixture."""
from __future__ import annotations

import itertools

import pytest

from services.common.config import load_settings
from tests.support.databases import BACKENDS, pg_schemas
from tests.support.web import WebSite

NEW_USER = itertools.count()


@pytest.fixture(scope="module", params=BACKENDS)
def sites(request, federation, federation_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("label-sites")
    with pg_schemas("cert") as make_schema:
        def settings(site_id: str):
            url = make_schema(site_id) if request.param == "postgresql" else f"sqlite:///{root / site_id}.sqlite"
            return load_settings(site_id, env={}, federation=federation, db_url=url, bus_url="memory://",
                                 key_file=federation_files[1] / f"{site_id}.pem", var_dir=root,
                                 rate_limit="100000/minute", token_rate_limit="100000/minute",
                                 public_write_rate_limit="100000/minute")
        made = {site_id: WebSite(settings, site_id) for site_id in ("HU22", "AT12")}
        yield made
        for site in made.values():
            site.runtime.engine.dispose()


def member_of(site, organisation: str):
    """A browser logged in as a new member of `organisation` (by name)."""
    username = f"label-cert-member-{next(NEW_USER)}"
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    return browser
