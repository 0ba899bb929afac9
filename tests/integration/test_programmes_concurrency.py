"""Concurrency of consultation programmes on PostgreSQL: places and allowances hold under racing requests.

Every request runs in its own thread, through the HTTP API, on its own pooled database connection.
A barrier releases them together. The programme row lock (store.py) serialises them; arrival numbers
follow commit order, so "first come" means "first to commit".
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from services.enquiries.programmes import store, tables
from services.enquiries.programmes.hours import Usage
from tests.support.programmes import ORG_A, ProgrammesSite, apply_call, consultant_body
from tests.support.sites import race

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_url):
    s = ProgrammesSite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


def test_fifty_concurrent_applications_for_ten_places_accept_exactly_ten(site):
    p = site.programme(places=10)
    responses = race(site, [apply_call(site, p["id"], n) for n in range(50)])

    assert [r.status_code for r in responses] == [201] * 50
    applications = sorted((r.json for r in responses), key=lambda a: a["arrival"])
    assert [a["arrival"] for a in applications] == list(range(1, 51))
    # First come, first served: the first ten to arrive (commit) hold the places, the rest wait in order.
    assert [a["status"] for a in applications] == ["accepted"] * 10 + ["waiting"] * 40
    assert [a["waiting_position"] for a in applications[10:]] == list(range(1, 41))
    with site.runtime.engine.connect() as conn:
        assert store.count_by_status(conn, p["id"]) == {"accepted": 10, "waiting": 40}
    shown = site.call("GET", f"/programmes/{p['id']}", expect=200).json
    assert (shown["accepted"], shown["places_left"], shown["waiting_list_length"]) == (10, 0, 40)

    # Freed places and new applications racing: the freed places go to the head of the waiting list,
    # the newcomers join its end, and there are never more than ten places taken.
    leaving = applications[:5]
    withdrawals = [lambda client, a=a: site.call("POST", f"/programmes/{p['id']}/applications/{a['id']}/withdraw",
                                                 client=client) for a in leaving]
    newcomers = [apply_call(site, p["id"], n) for n in range(50, 60)]
    responses = race(site, withdrawals + newcomers)
    assert [r.status_code for r in responses[:5]] == [200] * 5
    assert {r.json["status"] for r in responses[5:]} == {"waiting"}
    accepted = site.call("GET", f"/programmes/{p['id']}/applications?status=accepted", expect=200).json["items"]
    assert [a["arrival"] for a in accepted] == list(range(6, 16))
    waiting = site.call("GET", f"/programmes/{p['id']}/applications?status=waiting&per_page=100", expect=200).json
    assert waiting["total"] == 45 and [a["arrival"] for a in waiting["items"]] == list(range(16, 61))


def test_concurrent_bookings_never_exceed_the_allowance(site):
    p = site.programme(places=2, first_consultation_hours="4", further_hours="10")
    firm_a = site.apply(p["id"], "Bau AG", ORG_A)
    firm_b = site.apply(p["id"], "Neue Bäckerei")
    eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    jan = site.call("POST", "/consultants", json=consultant_body(name="Jan Novák"), expect=201).json

    def book(application, consultant, hours, kind):
        return lambda client: site.call("POST", f"/programmes/{p['id']}/bookings", client=client, json={
            "application_id": application["id"], "consultant_id": consultant["id"], "hours": hours, "kind": kind,
            "date": date.today().isoformat()})

    calls = ([book(firm_a, eva if n % 2 else jan, "0.5", "further") for n in range(30)]        # 15 h for 10 h
             + [book(firm_a, eva, "1", "first_consultation") for _ in range(8)]                # 8 h for 4 h
             + [book(firm_b, jan, "0.75", "further") for _ in range(16)])                      # 12 h for 10 h
    responses = race(site, calls)

    codes = [r.status_code for r in responses]
    assert set(codes) <= {201, 409}
    assert codes[:30].count(201) == 20 and codes[30:38].count(201) == 4 and codes[38:].count(201) == 13
    for r in responses:
        if r.status_code == 409:
            assert "hours left" in r.json["message"] and set(r.json["errors"]["remaining"]) == {
                "first_consultation", "further"}
    with site.runtime.engine.connect() as conn:
        usage = store.usage_of(conn, p["id"])
        quarters = conn.execute(select(func.sum(tables.booking.c.quarters))).scalar_one()
    assert usage[firm_a["id"]] == Usage(first_consultation=Decimal(4), further=Decimal(10))
    assert usage[firm_b["id"]].further == Decimal("9.75")
    assert quarters == (4 + 10 + Decimal("9.75")) * 4
    report = site.call("GET", f"/programmes/{p['id']}/report", expect=200).json
    assert report["hours_total"] == "23.75"
    assert sum(Decimal(r["hours"]) for r in report["hours_by_consultant"]) == Decimal("23.75")
