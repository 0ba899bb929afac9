"""The demo has a user for every role at every site and the hub (issue 14, "What to build" 6), listed in
federation.json; each logs in at its site with the demo password and lands on its role's first office
page; each member's organisation is registered at its site, of its kind, and has history there."""
from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
import requests

from services.common.tokens import ROLES
from services.demo.data import DEMO_PASSWORD
from services.demo.federation import EmbeddedFederation
from tests.support.tokens import http_logged_in

HTML = {"Accept": "text/html"}
SITE_ROLES = {"site_admin", "broker", "assessor", "approver", "member"}
HUB_ROLES = {"agency_viewer", "agency_admin"}
MEMBER_KINDS = {"social_enterprise", "economic_enterprise", "public_institution"}


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("demo-users"), ephemeral_ports=True).start()
    fed.seed()
    yield fed
    fed.stop()


@pytest.fixture(scope="module")
def described(federation):
    return json.loads(federation.write_description().read_text(encoding="utf-8"))


def every_user(described):
    return [(site_id, user) for site_id, site in described["sites"].items() for user in site["users"]]


def test_every_role_is_listed_at_every_site_with_its_language(described):
    # The hub and the sites share the token roles; "federation" is the sites' and hub's own.
    assert SITE_ROLES | HUB_ROLES == set(ROLES) - {"federation"}
    for site_id, site in described["sites"].items():
        roles = {role for user in site["users"] for role in user["roles"]}
        assert roles == (HUB_ROLES if site["hub"] else SITE_ROLES), site_id
        assert {user["language"] for user in site["users"]} == {"hu" if site_id == "HU22" else
                                                                "en" if site["hub"] else "de"}
        assert all(user["password"] == DEMO_PASSWORD for user in site["users"])


def office_landing(site_url: str, username: str) -> requests.Response:
    """Log in on the site's page as a browser would, and follow to where the login sends the user (its
    first back-office page, else the site's home page)."""
    browser = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{site_url}/login", headers=HTML).text)
    answer = browser.post(f"{site_url}/login", headers=HTML, allow_redirects=False,
                          data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 302, answer.text[:300]
    return browser.get(requests.compat.urljoin(site_url, answer.headers["Location"]), headers=HTML)


def test_each_user_logs_in_and_reaches_its_first_office_page(described):
    for site_id, user in every_user(described):
        landing = office_landing(described["sites"][site_id]["url"], user["username"])
        assert landing.status_code == 200, (site_id, user["username"])
        # home_of() sends a user with no back-office page to the site's home page
        path = urlparse(landing.url).path
        assert path.startswith("/agency/" if described["sites"][site_id]["hub"] else "/office/"), (site_id, path)


def parties_to_proposals(site_url: str, broker: dict) -> set[str]:
    """The organisations at the site that proposed, or whose enquiries got a proposal."""
    enquiries = requests.get(f"{site_url}/api/v1/enquiries", headers=broker, params={"per_page": 100}).json()
    parties = set()
    for enquiry in enquiries["items"]:
        proposals = requests.get(f"{site_url}/api/v1/enquiries/{enquiry['id']}/proposals", headers=broker).json()
        if proposals:
            parties |= {enquiry["client_organisation_id"]} | {p["organisation_id"] for p in proposals}
    return parties


def test_each_site_has_three_kinds_of_members_each_with_history(described):
    for site_id, site in described["sites"].items():
        if site["hub"]:
            continue
        broker = http_logged_in(site["url"], "broker", DEMO_PASSWORD)
        registered = {o["name"]: o for o in requests.get(f"{site['url']}/api/v1/organisations", headers=broker,
                                                         params={"per_page": 100}).json()["items"]}
        members = [user for user in site["users"] if user["roles"] == ["member"]]
        assert {registered[user["organisation"]]["kind"] for user in members} == MEMBER_KINDS, site_id
        parties = parties_to_proposals(site["url"], broker)
        for user in members:
            assert registered[user["organisation"]]["id"] in parties, (site_id, user["username"])
