"""Cross-border large order, embedded (SQLite, in-memory bus): the whole story in one process, fast.

The same story runs distributed, on PostgreSQL and RabbitMQ, in test_crossborder_distributed.py.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from services.demo.data import DEMO_PASSWORD
from services.demo.federation import EmbeddedFederation
from tests.support import crossborder_flow as flow
from tests.support.ocds import errors
from tests.support.tokens import http_session


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("crossborder"), ephemeral_ports=True).start()
    yield fed
    fed.stop()


def test_an_order_no_site_can_fill_is_split_across_sites_reallocated_after_a_decline_and_agreed(federation):
    urls = {s.id: s.url for s in federation.federation.sites.values()}
    sessions = {s: http_session(u, "broker", DEMO_PASSWORD) for s, u in urls.items() if s != "EU"}
    hub = http_session(urls["EU"], "agency", DEMO_PASSWORD)

    story = flow.run_scenario(sessions, urls, hub)

    first, final = story["first"], story["final"]
    # Split across at least AT12, AT22 and HU22; HU22's forint offer (1,000 HUF = 2.54 EUR) came first.
    assert {"AT12", "AT22", "HU22"} <= story["first_sites"]
    cheapest = first["parts"][0]
    assert (cheapest["site"], cheapest["currency"], cheapest["quantity"]) == ("HU22", "HUF", 2400)
    assert sum(p["quantity"] for p in first["parts"]) == 5000
    # After the decline, the 2,400 units went to other social enterprises; the accepted parts make up the order.
    accepted = [p for p in final["parts"] if p["status"] == "accepted"]
    assert sum(p["quantity"] for p in accepted) == 5000 == final["accepted"]
    assert {p["part_id"] for p in final["parts"] if p["status"] == "declined"} == story["declined"]
    assert not story["declined"] & {p["part_id"] for p in accepted}
    assert final["missing"] == 0 and Decimal(final["total_cost_eur"]) > 0

    # Recorded at the hub too, with every part and the allocation's explanation.
    order = hub.get(f"{urls['EU']}/api/v1/cross-border/orders/{story['order_id']}")
    assert order.status_code == 200, order.text
    assert order.json()["status"] == "agreed"
    assert len(order.json()["allocation"]["rounds"]) == 2, "one allocation, one re-allocation after the decline"

    # The brokered order in the hub's OCDS export, valid against the official 1.1.5 schema.
    export = hub.get(f"{urls['EU']}/api/v1/ocds/release-package")
    assert export.status_code == 200, export.text
    package = export.json()
    assert errors(package) == []
    (release,) = [r for r in package["releases"] if r["ocid"].endswith(story["order_id"])]
    assert release["tender"]["status"] == "complete"
    suppliers = {p["id"] for p in release["parties"] if "supplier" in p["roles"]}
    assert len(suppliers) == 4 and len(release["relatedProcesses"]) == 5
    assert requests.get(f"{urls['EU']}/api/v1/ocds/release-package").status_code == 401
