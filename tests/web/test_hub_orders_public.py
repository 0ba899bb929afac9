"""Completed cross-border orders as open data (hub on SQLite and PostgreSQL, the orders of
tests/web/hub_orders.py): the public page and the public OCDS endpoint show delivered orders only, with
the buyer by its kind and never the client's organisation id or name; the package validates against the
official OCDS 1.1.5 schema with its contract and implementation stages. In-flight orders stay with the
agency's export."""
from __future__ import annotations

import json

from tests.support.ocds import errors
from tests.support.tokens import bearer
from tests.web.hub_orders import orders

OPEN_PACKAGE = "/api/v1/ocds/completed/release-package"


def test_the_open_package_has_only_delivered_orders_and_no_client_organisation(network):
    made = orders(network)
    response = network["hub"].app.test_client().get(OPEN_PACKAGE)
    assert response.status_code == 200
    package = response.get_json()
    assert [r["ocid"].rsplit("-", 5)[1:] for r in package["releases"]] == [made["delivered"].split("-")]
    text = json.dumps(package, ensure_ascii=False)
    assert made["client_id"] not in text and made["client_name"] not in text
    assert made["running"] not in text and network["order_id"] not in text, "orders under way stay agency-only"
    [release] = package["releases"]
    buyer = [p for p in release["parties"] if "buyer" in p["roles"]]
    assert buyer == [{"id": "client", "roles": ["buyer", "payer"], "details": {"kind": "economic_enterprise"}}]


def test_the_open_package_validates_with_its_contract_and_implementation_stages(network):
    orders(network)
    package = network["hub"].app.test_client().get(OPEN_PACKAGE).get_json()
    assert errors(package) == []
    [release] = package["releases"]
    assert release["tag"] == ["tender", "award", "contract", "implementation"]
    contracts = {c["status"]: c for c in release["contracts"]}
    assert set(contracts) == {"terminated"} and len(release["contracts"]) == 2, "the two accepted parts"
    milestones = [m for c in release["contracts"] for m in c["implementation"]["milestones"]]
    assert sorted((m["status"], m.get("code")) for m in milestones if m["id"].endswith("-whole")) == [
        ("met", None), ("notMet", "delivered_short")]
    transactions = [t["value"] for c in release["contracts"] for t in c["implementation"]["transactions"]]
    assert sorted(t["amount"] for t in transactions) == [1500, 1600, 2250]  # 100 x 15, 100 x 16, 150 x 15 EUR


def test_the_agency_export_still_has_the_orders_under_way_and_needs_a_login(network):
    made = orders(network)
    hub = network["hub"]
    assert hub.app.test_client().get("/api/v1/ocds/release-package").status_code == 401
    agency = hub.app.test_client().get("/api/v1/ocds/release-package",
                                       headers=bearer(hub.runtime, ["agency_viewer"]))
    text = agency.get_data(as_text=True)
    assert made["running"] in text and made["delivered"] in text


def test_the_public_page_lists_completed_orders_in_the_pages_language_without_the_client(network):
    made = orders(network)
    browser = network["hub"].browser()  # nobody logged in
    assert browser.get("/orders/completed?lang=de").status_code == 200
    page = browser.page
    assert "AT12-E-DELIVERED" in page and "AT12-E-RUNNING" not in page
    assert network["enquiry"]["reference"] not in page
    assert made["client_name"] not in page and made["client_id"] not in page
    assert "Unternehmen" in page, "the client by its kind, in German"
    assert "Traisentaler Werkstatt" in page and "Mostviertler Metallwerk" in page
    assert "Győri Asztalosműhely" not in page, "it declined: no contract, not a supplier of the order"
    assert "3.750,00\xa0€" in page, "250 x 15 EUR, in German"
    assert "Nach der Annahme gescheitert" in page
    assert OPEN_PACKAGE in page
    browser.get("/orders/completed?lang=hu")
    assert "Teljesített határon átnyúló megrendelések" in browser.page and "Teljesítve" in browser.page
