"""A site's public criteria page: the version in force today, those published to apply later (with their
date), the older ones, each criterion in the page's language; a site has no way to write a version."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.bootstrap import create_app
from services.common.clock import utc_today
from services.contracts.events.criteria import CatalogueData
from services.label import catalogues
from tests.support.criteria_governance import next_version
from tests.support.migrated import bootstrap
from tests.support.web import Browser

NOW = datetime.now(timezone.utc)


@pytest.fixture
def site(make_settings):
    runtime = bootstrap(make_settings("HU22"))
    yield runtime
    runtime.engine.dispose()


def published(runtime, version: int, applies_from, minimum: str) -> None:
    body = CatalogueData().dump(CatalogueData().load(next_version(applies_from, version, minimum)))
    with runtime.engine.begin() as conn:
        catalogues.store_published(conn, body, applies_from, NOW, None)


def section(page: str, version: int) -> str:
    start = page.index(f'id="criteria-v{version}"')
    return page[start:page.index("</section>", start)]


def test_the_page_shows_the_version_in_force_the_later_ones_and_the_older_ones(site):
    published(site, 2, utc_today() - timedelta(days=5), "40")
    later = utc_today() + timedelta(days=20)
    published(site, 3, later, "50")
    browser = Browser(create_app(site))

    browser.get("/labels/criteria?lang=hu")
    page = browser.page
    in_force, coming, old = page.index("criteria-v2"), page.index("criteria-v3"), page.index("criteria-v1")
    assert in_force < coming < old, "in force first, then the one applying later, then the older"
    assert "A szociális vállalkozás által teljesített termelési órák aránya" in section(page, 2)
    assert "Anteil der Produktionsstunden" not in page
    assert "40" in section(page, 2) and "50" in section(page, 3) and "30" in section(page, 1)
    assert str(later.year) in page[page.index("criteria-v3") - 400:page.index("criteria-v3")]

    browser.get("/labels?lang=de")
    assert 'href="/labels/criteria"' in browser.page
    browser.get("/labels/criteria")
    assert "Anteil der Produktionsstunden" in browser.page


def test_a_site_has_no_way_to_write_a_version(site):
    app = create_app(site)
    client = app.test_client()
    writes = [(rule.rule, sorted(rule.methods)) for rule in app.url_map.iter_rules()
              if "criteria" in rule.rule and rule.methods - {"GET", "HEAD", "OPTIONS"}]
    assert writes == [], "no page or endpoint that writes criteria"
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert not [p for p in paths if "criteria" in p], "no API of criteria at a site"
