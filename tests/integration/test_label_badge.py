"""The label's live badge at a site (issue 17): an SVG (well-formed XML, no script) with the state of the day
in the language asked for, the number, and a link to the verification page; asked again at every fetch
(no-cache, ETag: 304 while unchanged), so that it changes at once when the label is suspended. Another site's
label is the hub's answer; a hub that does not answer is "cannot be checked now", never a 500. Hostile numbers
are escaped. The same at the hub and across processes: tests/e2e/test_label_badge_live.py."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
import requests

from services.common.config import load_settings
from tests.support.hub_pages import Hub
from tests.support.label_certificate_sites import sites  # noqa: F401 - fixture

SVG = "{http://www.w3.org/2000/svg}"


def fetch(site, path: str, **headers):
    response = site.app.test_client().get(path, headers=headers)
    assert response.status_code in (200, 304), response.get_data(as_text=True)[:500]
    return response


def parsed(response) -> tuple[str, str, str]:
    """(state, its words, the link) of a badge."""
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}style"))
    [link] = list(root.iter(f"{SVG}a"))
    [state] = [t for t in root.iter(f"{SVG}text") if t.get("data-state")]
    return state.get("data-state"), state.text, link.get("href")


def test_the_badge_of_a_label_of_this_site_changes_when_it_is_suspended(sites):
    site = sites["HU22"]
    number = site.granted_label()
    url = site.runtime.settings.site.url.rstrip("/")
    first = fetch(site, f"/labels/{number}/badge.svg")
    assert first.headers["Content-Type"].startswith("image/svg+xml")
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    assert parsed(first) == ("valid", "Érvényes", f"{url}/labels/verify?number={number}")  # HU22's language
    body = first.get_data(as_text=True)
    assert number in body and "<script" not in body and "társadalmilag" in body
    german = fetch(site, f"/labels/{number}/badge.svg?lang=de")
    assert parsed(german)[:2] == ("valid", "Gültig") and german.headers["Content-Language"] == "de"
    assert "Set-Cookie" not in german.headers  # an image on others' pages: no session, no language choice
    assert parsed(fetch(site, f"/labels/{number}/badge.svg?lang=en"))[:2] == ("valid", "Valid")
    unchanged = fetch(site, f"/labels/{number}/badge.svg", **{"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304

    until = (date.today() + timedelta(days=30)).isoformat()
    site.ok("POST", f"/labels/{number}/suspend", "approver", json={"until": until, "reason": "complaint"})
    changed = fetch(site, f"/labels/{number}/badge.svg", **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and parsed(changed)[:2] == ("suspended", "Felfüggesztve")
    site.ok("POST", f"/labels/{number}/revoke", "approver", json={"reason": "confirmed"})
    assert parsed(fetch(site, f"/labels/{number}/badge.svg?lang=de"))[:2] == ("revoked", "Entzogen")


def test_unknown_and_hostile_numbers_are_unknown_and_escaped(sites):
    site = sites["AT12"]
    assert parsed(fetch(site, "/labels/SOPRO-AT12-2026-9999/badge.svg"))[:2] == ("unknown", "Unbekannte Gütesiegel-Nummer")
    hostile = fetch(site, "/labels/%3Csvg%20onload%3Dalert(1)%3E%26%22/badge.svg")
    state, _, link = parsed(hostile)  # well-formed: every character of the number escaped
    body = hostile.get_data(as_text=True)
    assert state == "unknown" and "<svg onload" not in body and "&lt;svg onload=alert(1)&gt;&amp;&#34;" in body
    assert link.endswith("number=%3Csvg%20onload%3Dalert%281%29%3E%26%22")


def test_another_sites_label_is_the_hubs_answer(sites, monkeypatch):
    site = sites["AT12"]
    answers = {"status": "valid", "valid_until": (date.today() + timedelta(days=300)).isoformat()}

    def hub(url, timeout):
        if answers["status"] == "down":
            raise requests.ConnectionError("the hub is down")
        return FakeResponse(200, {"number": url.rsplit("/", 1)[1], **answers})

    monkeypatch.setattr("services.label.network.requests.get", hub)
    number = "SOPRO-HU22-2026-0042"
    assert parsed(fetch(site, f"/labels/{number}/badge.svg"))[:2] == ("valid", "Gültig")
    answers["status"] = "suspended"
    assert parsed(fetch(site, f"/labels/{number}/badge.svg"))[:2] == ("suspended", "Ausgesetzt")
    # the hub answers the status of its day (past the last day and the renewal grace: expired)
    answers.update(status="expired", valid_until=(date.today() - timedelta(days=100)).isoformat())
    assert parsed(fetch(site, f"/labels/{number}/badge.svg"))[:2] == ("expired", "Abgelaufen")
    answers["status"] = "down"
    assert parsed(fetch(site, f"/labels/{number}/badge.svg?lang=en"))[:2] == ("unavailable", "Cannot be checked now")


def test_the_hubs_badge_is_its_register_of_the_day(sites, federation, federation_files, tmp_path):
    """The hub's register, fed with the site's events as the hub's consumer applies them."""
    site = sites["HU22"]
    hub = Hub(load_settings("EU", env={}, federation=federation, db_url=f"sqlite:///{tmp_path / 'hub.sqlite'}",
                            bus_url="memory://", key_file=federation_files[1] / "EU.pem", var_dir=tmp_path))
    number = site.granted_label()
    hub_url = hub.runtime.settings.site.url.rstrip("/")
    assert parsed(fetch(hub, f"/labels/{number}/badge.svg"))[:2] == ("unknown", "Unknown label number")  # not yet
    hub.ingest(site)
    first = fetch(hub, f"/labels/{number}/badge.svg")
    assert parsed(first) == ("valid", "Valid", f"{hub_url}/labels/verify?number={number}")  # the hub's English
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["Content-Type"].startswith("image/svg+xml")
    assert parsed(fetch(hub, f"/labels/{number}/badge.svg?lang=hu"))[:2] == ("valid", "Érvényes")

    until = (date.today() + timedelta(days=30)).isoformat()
    site.ok("POST", f"/labels/{number}/suspend", "approver", json={"until": until, "reason": "complaint"})
    hub.ingest(site)
    changed = fetch(hub, f"/labels/{number}/badge.svg", **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and parsed(changed)[:2] == ("suspended", "Suspended")
    assert parsed(fetch(hub, "/labels/not-a-number/badge.svg?lang=de"))[:2] == ("unknown", "Unbekannte Gütesiegel-Nummer")
    hub.runtime.engine.dispose()


class FakeResponse:
    def __init__(self, status_code: int, body: dict):
        self.status_code, self.body = status_code, body

    def json(self):
        return self.body


@pytest.fixture(autouse=True)
def _no_real_hub(monkeypatch):
    """No hub runs here: a test that needs one says what it answers."""
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("no hub in this test")
    monkeypatch.setattr("services.label.network.requests.get", refuse)
