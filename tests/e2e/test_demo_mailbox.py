"""The embedded demo's mail: its SMTP server on loopback receives what the sites send; federation.json
lists its address and each site's mailbox page; a broker sees a filed enquiry's mail there in the site's
first language, with the link to the enquiry, and only the mails of the own site."""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from services.demo import data
from services.demo.federation import EmbeddedFederation
from tests.support.lifecycle import enquiry_body
from tests.support.page_audit import nu_errors
from tests.support.web import Browser


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("mailbox"), ephemeral_ports=True).start()
    yield fed
    fed.stop()


def file_enquiry(site, title: str) -> str:
    token = requests.post(f"{site.url}/api/v1/auth/token", json={"username": "broker", "password": data.DEMO_PASSWORD},
                          timeout=10).json()["access_token"]
    body = {**enquiry_body(title=title, submit=True), "client_kind": "economic_enterprise",
            "client_organisation_id": str(uuid.uuid4())}
    if site.id == "HU22":
        body["delivery"] = {"nuts3": "HU221"}
    response = requests.post(f"{site.url}/api/v1/enquiries", json=body, headers={"Authorization": f"Bearer {token}"},
                             timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("nothing arrived in time")


def test_a_filed_enquiry_reaches_the_demo_mailbox_once_and_its_page_shows_it(federation):
    described = json.loads(federation.write_description().read_text(encoding="utf-8"))
    assert described["smtp"] == {"host": "127.0.0.1", "port": federation.mail_server.port}
    at12, hu22 = federation.federation.site("AT12"), federation.federation.site("HU22")
    assert described["sites"]["AT12"]["mailbox"] == f"{at12.url}/demo/mailbox"
    assert "mailbox" not in described["sites"][federation.federation.hub.id]
    broker = next(u for u in described["sites"]["AT12"]["users"] if u["username"] == "broker")
    assert broker["email"] == "broker@at12.sopro.example"

    de_id = file_enquiry(at12, "Gartenbänke für den Kindergarten")
    hu_id = file_enquiry(hu22, "Kerti padok az óvodának")
    mailbox = federation.mail_server.mailbox
    wait_for(lambda: len(mailbox.received) >= 2)
    time.sleep(1)  # a second copy would have come by now
    assert len(mailbox.received) == 2
    de = next(m for m in mailbox.received if m.recipients == ("broker@at12.sopro.example",))
    hu = next(m for m in mailbox.received if m.recipients == ("broker@hu22.sopro.example",))
    assert de.language == "de" and de.subject.startswith("Neue Anfrage AT12-E-")
    assert hu.language == "hu" and hu.subject.startswith("Új megkeresés HU22-E-")
    assert f"{at12.url}/office/enquiries/{de_id}?lang=de" in de.text
    assert f"{hu22.url}/office/enquiries/{hu_id}?lang=hu" in hu.text

    browser = Browser(federation.servers["AT12"].server.app.app)
    assert browser.get("/demo/mailbox").status_code in (302, 401, 403)  # the brokers' mail: not for anyone
    browser.login("broker", data.DEMO_PASSWORD)
    assert browser.get("/demo/mailbox?lang=de").status_code == 200
    page = browser.page
    assert "Demo-Postfach" in page and "Gartenbänke für den Kindergarten" in page
    assert f'href="{at12.url}/office/enquiries/{de_id}?lang=de"' in page
    assert "Kerti padok" not in page  # HU22's mail is on HU22's page
    assert nu_errors(page) == []
