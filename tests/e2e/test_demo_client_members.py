"""The demo seeds a member of a client company and one of a public institution at AT12 and AT13, each with
some history (issue 14, "What to build" 6): their enquiries, an agreement delivered or an open proposal
to accept on their pages, and federation.json lists them."""
from __future__ import annotations

import json
import re

import pytest
import requests

from services.demo.data import DEMO_PASSWORD
from services.demo.federation import EmbeddedFederation
from tests.support.tokens import http_logged_in

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("demo-clients"), ephemeral_ports=True).start()
    fed.seed()
    yield fed
    fed.stop()


def own_enquiries(site_url: str, username: str) -> dict[str, str]:
    """The member's enquiries by title, with their state (the API shows a client's member its own
    organisation's)."""
    headers = http_logged_in(site_url, username, DEMO_PASSWORD)
    items = requests.get(f"{site_url}/api/v1/enquiries", headers=headers, params={"per_page": 100}).json()["items"]
    return {e["title"]: e["state"] for e in items}


def logged_in_page(site_url: str, username: str) -> requests.Session:
    browser = requests.Session()
    login = browser.get(f"{site_url}/login", headers=HTML).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    answer = browser.post(f"{site_url}/login", headers=HTML, allow_redirects=False,
                          data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.text[:500]
    return browser


@pytest.mark.parametrize(("site_id", "username", "title", "state"), [
    ("AT12", "client-member", "Verpackung der Frühjahrskataloge", "negotiating"),
    ("AT12", "public-member", "Parkbänke aus Altholz für den Stadtpark", "delivered"),
    ("AT13", "client-member", "5.000 Tote Bags aus Upcycling-Material", "in_consultation"),
    ("AT13", "public-member", "Reinigung des Amtshauses", "negotiating"),
])
def test_each_client_member_has_history(federation, site_id, username, title, state):
    site_url = federation.federation.site(site_id).url
    assert own_enquiries(site_url, username)[title] == state
    page = logged_in_page(site_url, username).get(f"{site_url}/office/our-enquiries", headers=HTML)
    assert page.status_code == 200 and title in page.text


def test_the_open_proposal_waits_on_the_clients_page_and_the_description_lists_the_members(federation):
    site_url = federation.federation.site("AT13").url
    headers = http_logged_in(site_url, "public-member", DEMO_PASSWORD)
    items = requests.get(f"{site_url}/api/v1/enquiries", headers=headers).json()["items"]
    enquiry_id = next(e["id"] for e in items if e["title"] == "Reinigung des Amtshauses")
    page = logged_in_page(site_url, "public-member").get(f"{site_url}/office/our-enquiries/{enquiry_id}",
                                                         headers=HTML).text
    assert "Sauber &amp; Sozial Reinigung" in page and "/accept" in page
    described = json.loads(federation.write_description().read_text())
    for site_id in ("AT12", "AT13"):
        users = {u["username"]: u["roles"] for u in described["sites"][site_id]["users"]}
        assert users["client-member"] == ["member"] and users["public-member"] == ["member"]
