"""A cross-border order from agreement to delivered impact, distributed: five sites and the hub as separate
`sopro serve` processes on PostgreSQL and RabbitMQ (issue 13, "What it must show").

1. Request -> allocation -> HU22 declines and its part is re-allocated -> acceptances -> agreements at the
   origin (one line per part, in EUR) and at the targets -> production -> partial and full deliveries ->
   the origin's enquiry agreed, in production, delivered -> impact at the hub equal to the sum of the
   parts the sites recorded -> closed -> one case study crediting every social enterprise.
2. The same with a target site (AT12) stopped between its partial and its last delivery.
3. An SE (AT12's) withdraws after accepting: the hub re-allocates its units and the order is delivered.
Every story checks that each part exists once at its own site and that nothing is counted twice.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support import crossborder_flow as flow
from tests.support.distributed import (  # noqa: F401 - running_federation is a fixture
    SITES, DistributedFederation, running_federation, staff_sessions,
)
from tests.support.polling import eventually

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def federation(running_federation) -> DistributedFederation:
    return running_federation

TIMEOUT = 60


def origin_snapshot(fed, sessions, story) -> dict:
    return flow.consortium(sessions["AT13"], fed.urls["AT13"], story["enquiry"]["id"])


def wait_for(fed, sessions, story, status: str) -> dict:
    found = eventually(lambda: (c := origin_snapshot(fed, sessions, story))["status"] == status and c,
                       TIMEOUT, interval=0.5)
    assert found, f"the consortium never became {status}: {origin_snapshot(fed, sessions, story)}"
    return found


def wait_for_state(fed, sessions, story, state: str) -> None:
    at13, url, enquiry_id = sessions["AT13"], fed.urls["AT13"], story["enquiry"]["id"]
    assert eventually(lambda: flow.enquiry_state(at13, url, enquiry_id) == state, TIMEOUT), \
        f"the origin's enquiry is {flow.enquiry_state(at13, url, enquiry_id)}, not {state}"


def check_agreements(fed, sessions, story, agreed: dict) -> None:
    """The origin's client-facing agreement has one line per live part, in the part's currency and in EUR;
    every target site holds its part, accepted, with the same quantity."""
    wait_for_state(fed, sessions, story, "agreed")
    r = sessions["AT13"].get(f"{fed.urls['AT13']}/api/v1/enquiries/{story['enquiry']['id']}/consortium/agreement")
    assert r.status_code == 200, r.text
    agreement = r.json()
    live = flow.live_parts(agreed)
    lines = {line["part_id"]: line for line in agreement["lines"]}
    assert set(lines) == {p["part_id"] for p in live}
    for part in live:
        line = lines[part["part_id"]]
        assert (line["site"], line["quantity"], line["currency"]) == (part["site"], part["quantity"], part["currency"])
        assert Decimal(line["price_eur"]) > 0 and line["organisation_name"], line
        at_site = flow.part_at(sessions[part["site"]], fed.urls[part["site"]], part["part_id"])
        assert (at_site["status"], at_site["quantity"]) == ("accepted", part["quantity"])
    assert sum(line["quantity"] for line in agreement["lines"]) == agreed["quantity"]


def deliver_everything(fed, sessions, agreed: dict, between=None) -> None:
    """Each target starts production, then delivers its part in two deliveries (the second with figures)."""
    for part in flow.live_parts(agreed):
        site, part_id = part["site"], part["part_id"]
        if flow.part_at(sessions[site], fed.urls[site], part_id)["status"] == "accepted":
            flow.act(sessions[site], fed.urls[site], part_id, "start")
        hook = (lambda: between(site)) if between else None
        flow.deliver_in_two(sessions[site], fed.urls[site], part_id, part["quantity"], hook)


def check_delivered_impact(fed, sessions, hub, story, delivered: dict) -> None:
    """Impact at the hub and at the origin is the sum of what each part's site recorded: nothing twice."""
    at_sites = [flow.part_at(sessions[p["site"]], fed.urls[p["site"]], p["part_id"])
                for p in flow.live_parts(delivered)]
    assert all(p["status"] == "delivered" and p["impact"] for p in at_sites), at_sites
    for p in at_sites:
        assert sum(d["quantity"] for d in p["deliveries"]) == p["quantity"] == p["delivered"]
    expected_eur = sum(Decimal(p["impact"]["value_paid_eur"]) for p in at_sites)
    expected_hours = sum(Decimal(p["impact"]["integration_hours"]) for p in at_sites)
    assert Decimal(delivered["impact"]["value_paid_eur"]) == expected_eur
    assert Decimal(delivered["impact"]["integration_hours"]) == expected_hours
    assert delivered["impact"]["parts"] == len(at_sites)
    order = hub.get(f"{fed.urls['EU']}/api/v1/cross-border/orders/{story['order_id']}").json()
    at_hub = {p["id"]: p for p in order["parts"]}
    for p in at_sites:
        mirrored = at_hub[p["id"]]
        assert mirrored["delivered"] == p["delivered"] and len(mirrored["deliveries"]) == len(p["deliveries"])
        assert Decimal(mirrored["impact"]["value_paid_eur"]) == Decimal(p["impact"]["value_paid_eur"])
    assert order["status"] == "delivered"


def check_each_part_once(fed, sessions, hub, story) -> None:
    order = hub.get(f"{fed.urls['EU']}/api/v1/cross-border/orders/{story['order_id']}").json()
    for site in SITES:
        ids = [p["id"] for p in flow.all_parts(sessions[site], fed.urls[site], story["order_id"])]
        assert len(ids) == len(set(ids)), f"{site} holds a part twice"
        assert set(ids) == {p["id"] for p in order["parts"] if p["site"] == site}, f"{site}'s parts differ"


def close_and_publish_case_study(fed, sessions, story, delivered: dict) -> None:
    at13, url, enquiry_id = sessions["AT13"], fed.urls["AT13"], story["enquiry"]["id"]
    r = at13.post(f"{url}/api/v1/enquiries/{enquiry_id}/transitions",
                  json={"to": "closed", "reason": "every part delivered"})
    assert r.status_code == 200, r.text
    first = at13.post(f"{url}/api/v1/enquiries/{enquiry_id}/case-study", json={})
    assert first.status_code == 201, first.text
    again = at13.post(f"{url}/api/v1/enquiries/{enquiry_id}/case-study", json={})
    assert again.status_code in (201, 200, 409), again.text
    case_study = first.json()
    credited = {(p["site"], p["organisation_id"]) for p in case_study["partners"]}
    assert credited == {(p["site"], p["organisation_id"]) for p in flow.live_parts(delivered)}
    listed = at13.get(f"{url}/api/v1/case-studies", params={"per_page": 200}).json()["items"]
    assert sum(1 for c in listed if c["id"] == case_study["case_study_id"]) == 1, "one case study"


def test_an_order_is_agreed_produced_delivered_in_parts_and_credited_to_every_se(federation):
    sessions, hub = staff_sessions(federation)
    story = flow.run_scenario(sessions, federation.urls, hub, timeout=45, cpv="18930000")
    agreed = story["final"]
    check_agreements(federation, sessions, story, agreed)

    first = flow.live_parts(agreed)[0]
    flow.act(sessions[first["site"]], federation.urls[first["site"]], first["part_id"], "start")
    wait_for_state(federation, sessions, story, "in_production")
    deliver_everything(federation, sessions, agreed)
    delivered = wait_for(federation, sessions, story, "delivered")
    wait_for_state(federation, sessions, story, "delivered")
    assert delivered["delivered"] == delivered["quantity"] == 5000 and not delivered["shortfalls"]
    check_delivered_impact(federation, sessions, hub, story, delivered)
    check_each_part_once(federation, sessions, hub, story)
    close_and_publish_case_study(federation, sessions, story, delivered)


def test_a_target_site_stopped_while_it_delivers_loses_and_repeats_nothing(federation):
    sessions, hub = staff_sessions(federation)
    story = flow.run_scenario(sessions, federation.urls, hub, timeout=45, cpv="18420000", decline=False)
    agreed = story["final"]
    stopped = []

    def between(site: str) -> None:
        if site == "AT12" and not stopped:  # its partial delivery is in its outbox; the process dies
            federation.stop("AT12")
            federation.start("AT12")
            stopped.append(site)

    deliver_everything(federation, sessions, agreed, between)
    assert stopped == ["AT12"]
    delivered = wait_for(federation, sessions, story, "delivered")
    check_delivered_impact(federation, sessions, hub, story, delivered)
    check_each_part_once(federation, sessions, hub, story)


def test_an_se_withdrawing_after_acceptance_is_replaced_and_the_order_still_delivered(federation):
    sessions, hub = staff_sessions(federation)
    story = flow.run_scenario(sessions, federation.urls, hub, timeout=45, cpv="39522000", decline=False)
    agreed = story["final"]
    quitter = next(p for p in flow.live_parts(agreed) if p["site"] == "AT12")
    failed = flow.act(sessions["AT12"], federation.urls["AT12"], quitter["part_id"], "withdraw",
                      {"note": "our sewing room flooded"})
    assert failed["status"] == "failed" and failed["failure"]["code"] == "se_withdrew"
    again = sessions["AT12"].post(f"{federation.urls['AT12']}/api/v1/forwarded-parts/{quitter['part_id']}/accept",
                                  json={})
    assert again.status_code == 409, again.text

    def replaced():
        snapshot = origin_snapshot(federation, sessions, story)
        new = [p for p in snapshot["parts"] if p["part_id"] not in {q["part_id"] for q in agreed["parts"]}]
        return sum(p["quantity"] for p in new) == quitter["quantity"] and new

    replacements = eventually(replaced, TIMEOUT, interval=0.5)
    assert replacements, origin_snapshot(federation, sessions, story)
    for part in replacements:
        site = part["site"]
        assert eventually(lambda: flow.part_at(sessions[site], federation.urls[site], part["part_id"]), TIMEOUT)
        flow.act(sessions[site], federation.urls[site], part["part_id"], "accept")
    agreed_again = eventually(
        lambda: (c := origin_snapshot(federation, sessions, story))["accepted"] == 5000 and c, TIMEOUT)
    assert agreed_again, origin_snapshot(federation, sessions, story)
    failed_part = next(p for p in agreed_again["parts"] if p["part_id"] == quitter["part_id"])
    assert failed_part["status"] == "failed" and failed_part["answer"]["code"] == "se_withdrew"
    deliver_everything(federation, sessions, agreed_again)
    delivered = wait_for(federation, sessions, story, "delivered")
    assert delivered["delivered"] == 5000
    check_delivered_impact(federation, sessions, hub, story, delivered)
    check_each_part_once(federation, sessions, hub, story)
