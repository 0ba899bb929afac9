"""Consultation programmes and the consultant directory through the HTTP API, on PostgreSQL (the same API
on SQLite, the embedded mode, in tests/usecases/test_programmes.py)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.common.outbox import outbox
from tests.support.programmes import ORG_A, ORG_B, TODAY, ProgrammesSite, consultant_body, programme_body

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_url):
    s = ProgrammesSite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


def test_programme_lifecycle_places_and_waiting_list(site):
    p = site.programme(places=2)
    assert (p["status"], p["places"], p["places_left"], p["waiting_list_length"]) == ("open", 2, 2, 0)
    assert (p["first_consultation_hours"], p["further_hours"]) == ("4", "10")

    first = site.apply(p["id"], "Bau AG", ORG_A, as_="member_a")
    second = site.apply(p["id"], "Neue Bäckerei")  # a first contact, by name only
    third = site.apply(p["id"], "Tischlerei Holz", str(uuid.uuid4()))
    fourth = site.apply(p["id"], "Druckerei Blatt", ORG_B, as_="member_b")
    assert [a["status"] for a in (first, second, third, fourth)] == ["accepted", "accepted", "waiting", "waiting"]
    assert [a["arrival"] for a in (first, second, third, fourth)] == [1, 2, 3, 4]
    assert (third["waiting_position"], fourth["waiting_position"]) == (1, 2)
    shown = site.call("GET", f"/programmes/{p['id']}", as_="member_a", expect=200).json
    assert (shown["places_left"], shown["waiting_list_length"], shown["accepted"]) == (0, 2, 2)

    withdrawn = site.call("POST", f"/programmes/{p['id']}/applications/{first['id']}/withdraw", "member_a",
                          200, json={"reason": "keine Zeit"}).json
    assert withdrawn["status"] == "withdrawn" and withdrawn["reason"] == "keine Zeit"
    moved = site.call("GET", f"/programmes/{p['id']}/applications/{third['id']}", expect=200).json
    assert moved["status"] == "accepted" and moved["waiting_position"] is None
    assert site.call("GET", f"/programmes/{p['id']}/applications/{fourth['id']}", "member_b",
                     200).json["waiting_position"] == 1
    site.call("POST", f"/programmes/{p['id']}/applications/{first['id']}/withdraw", expect=409)

    cancelled = site.call("POST", f"/programmes/{p['id']}/applications/{second['id']}/cancel", expect=200,
                          json={}).json
    assert cancelled["status"] == "cancelled"
    listing = site.call("GET", f"/programmes/{p['id']}/applications?status=accepted", expect=200).json
    assert [a["firm_name"] for a in listing["items"]] == ["Tischlerei Holz", "Druckerei Blatt"]

    # More places would move waiting firms up; fewer than the accepted ones is a conflict.
    conflict = site.call("PATCH", f"/programmes/{p['id']}", json={"places": 1}, expect=409).json
    assert conflict["errors"] == {"places": ["at least 2"]}
    patched = site.call("PATCH", f"/programmes/{p['id']}", json={"places": 3, "name": "Neu"}, expect=200).json
    assert (patched["places_left"], patched["version"], patched["name"]) == (1, 2, "Neu")

    closed = site.call("POST", f"/programmes/{p['id']}/close", "admin", 200).json
    assert closed["status"] == "closed"
    assert "closed" in site.apply(p["id"], "Spät GmbH", expect=409)["message"]
    site.call("POST", f"/programmes/{p['id']}/close", expect=409)
    site.call("PATCH", f"/programmes/{p['id']}", json={"places": 5}, expect=409)
    assert site.call("GET", "/programmes?status=closed", as_="member_a", expect=200).json["total"] == 1


def test_duplicate_applications_are_conflicts_and_a_withdrawn_firm_may_reapply(site):
    p = site.programme()
    first = site.apply(p["id"], "Bau AG", ORG_A)
    dup = site.apply(p["id"], "Bau AG (again)", ORG_A, as_="member_a", expect=409)
    assert dup["errors"] == {"organisation_id": ["already applied to this programme"]}
    site.apply(p["id"], "Neue Bäckerei")
    assert site.apply(p["id"], " neue  BÄCKEREI ", expect=409)["errors"] == {
        "firm_name": ["already applied to this programme"]}
    site.call("POST", f"/programmes/{p['id']}/applications/{first['id']}/withdraw", expect=200)
    again = site.apply(p["id"], "Bau AG", ORG_A, as_="member_a")
    assert again["arrival"] == 3 and again["status"] == "accepted"


def test_members_act_for_their_own_organisation_only(site):
    p = site.programme()
    own = site.apply(p["id"], "Bau AG", as_="member_a")  # organisation from the token
    assert own["organisation_id"] == ORG_A
    site.apply(p["id"], "Druckerei Blatt", ORG_B, as_="member_a", expect=403)
    other = site.apply(p["id"], "Druckerei Blatt", ORG_B)
    site.call("GET", f"/programmes/{p['id']}/applications/{other['id']}", "member_a", 403)
    site.call("POST", f"/programmes/{p['id']}/applications/{other['id']}/withdraw", "member_a", 403)
    site.call("POST", f"/programmes/{p['id']}/applications/{other['id']}/cancel", "member_a", 403)
    mine = site.call("GET", f"/programmes/{p['id']}/applications", "member_a", 200).json
    assert [a["id"] for a in mine["items"]] == [own["id"]]
    for path in ("/consultants", f"/programmes/{p['id']}/report", f"/programmes/{p['id']}/bookings"):
        site.call("GET", path, "member_a", 403)
        site.call("GET", path, "assessor", 403)
        site.call("GET", path, None, 401)
    site.call("POST", "/programmes", "member_a", 403, json=programme_body())
    site.call("GET", "/programmes", None, 401)


def test_bookings_respect_the_allowance_and_reports_add_up(site):
    p = site.programme(places=2, first_consultation_hours="4", further_hours="10")
    a = site.apply(p["id"], "Bau AG", ORG_A)
    b = site.apply(p["id"], "Neue Bäckerei")
    waiting = site.apply(p["id"], "Druckerei Blatt", ORG_B)
    eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    jan = site.call("POST", "/consultants", json=consultant_body(name="Jan Novák", languages=["hu"]), expect=201).json

    site.book(p["id"], a["id"], eva["id"], "4", kind="first_consultation")
    site.book(p["id"], a["id"], jan["id"], "8.5")
    booking = site.book(p["id"], b["id"], eva["id"], "2.25")
    assert booking["hours"] == "2.25" and booking["status"] == "active" and booking["booked_by"] == "broker"

    too_much = site.book(p["id"], a["id"], eva["id"], "2", expect=409)
    assert "1.5 hours left" in too_much["message"]
    assert too_much["errors"]["remaining"] == {"first_consultation": "0", "further": "1.5"}
    assert site.book(p["id"], a["id"], eva["id"], "0.25", kind="first_consultation", expect=409)["errors"][
        "remaining"]["first_consultation"] == "0"
    assert "waiting list" in site.book(p["id"], waiting["id"], eva["id"], "1", expect=409)["message"]

    cancelled = site.call("POST", f"/programmes/{p['id']}/bookings/{booking['id']}/cancel", expect=200).json
    assert cancelled["status"] == "cancelled"
    site.call("POST", f"/programmes/{p['id']}/bookings/{booking['id']}/cancel", expect=409)
    site.book(p["id"], b["id"], eva["id"], "1")

    report = site.call("GET", f"/programmes/{p['id']}/report", expect=200).json
    assert (report["places"], report["accepted"], report["places_left"], report["waiting_list_length"]) == (2, 2, 0, 1)
    assert report["hours_total"] == "13.5" and report["allowance_hours"] == "14"
    by_firm = {row["firm_name"]: row for row in report["hours_by_firm"]}
    assert (by_firm["Bau AG"]["first_consultation_hours"], by_firm["Bau AG"]["further_hours"],
            by_firm["Bau AG"]["remaining_hours"]) == ("4", "8.5", "1.5")
    assert by_firm["Neue Bäckerei"]["total_hours"] == "1" and "Druckerei Blatt" not in by_firm
    assert {r["name"]: r["hours"] for r in report["hours_by_consultant"]} == {"Dr. Eva Kern": "5", "Jan Novák": "8.5"}

    listed = site.call("GET", f"/programmes/{p['id']}/bookings?consultant_id={eva['id']}&status=active",
                       expect=200).json
    assert [x["hours"] for x in listed["items"]] == ["4", "1"]
    assert site.call("GET", f"/consultants/{jan['id']}", expect=200).json["hours_delivered"] == "8.5"

    # Allowances cannot drop below what a firm has used; places freed keep the hours delivered.
    assert site.call("PATCH", f"/programmes/{p['id']}", json={"further_hours": "8"}, expect=409).json[
        "errors"] == {"further_hours": ["at least 8.5"]}
    site.call("POST", f"/programmes/{p['id']}/applications/{a['id']}/withdraw", expect=200)
    report = site.call("GET", f"/programmes/{p['id']}/report", expect=200).json
    assert report["hours_total"] == "13.5" and report["waiting_list_length"] == 0
    assert site.book(p["id"], a["id"], eva["id"], "1", expect=409)["code"] == "application_ended"


def test_consultant_directory(site):
    eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    assert (eva["expertise"], eva["languages"], eva["active"], eva["hours_delivered"]) == (
        ["45", "90"], ["de", "en"], True, "0")
    site.call("POST", "/consultants", json=consultant_body(name="Jan Novák", expertise=["39"], languages=["hu"]),
              expect=201)
    assert site.call("GET", "/consultants?division=45", expect=200).json["total"] == 1
    assert site.call("GET", "/consultants?language=hu", "admin", 200).json["items"][0]["name"] == "Jan Novák"
    assert site.call("GET", "/consultants?q=KERN", expect=200).json["total"] == 1

    patched = site.call("PATCH", f"/consultants/{eva['id']}", json={"active": False}, expect=200).json
    assert patched["active"] is False and patched["version"] == 2
    assert site.call("GET", "/consultants?active=true", expect=200).json["total"] == 1

    p = site.programme()
    a = site.apply(p["id"], "Bau AG", ORG_A)
    inactive = site.book(p["id"], a["id"], eva["id"], "1", expect=409)
    assert inactive["code"] == "consultant_inactive"
    site.call("PATCH", f"/consultants/{eva['id']}", json={"active": True}, expect=200)
    site.book(p["id"], a["id"], eva["id"], "1")
    assert site.call("DELETE", f"/consultants/{eva['id']}", expect=409).json["code"] == "consultant_has_bookings"
    jan = site.call("GET", "/consultants?language=hu", expect=200).json["items"][0]
    site.call("DELETE", f"/consultants/{jan['id']}", expect=204)
    site.call("GET", f"/consultants/{jan['id']}", expect=404)


def test_the_outbox_holds_no_consultant_names(site):
    p = site.programme()
    eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    a = site.apply(p["id"], "Bau AG", ORG_A)
    site.book(p["id"], a["id"], eva["id"], "1")
    with site.runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.data)).scalars().all()
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 0
    assert "Eva Kern" not in str(rows)


@pytest.mark.parametrize("path, body, field", [
    ("/programmes", programme_body(places=0), "places"),
    ("/programmes", programme_body(places=-3), "places"),
    ("/programmes", programme_body(further_hours="-1"), "further_hours"),
    ("/programmes", programme_body(first_consultation_hours="1.1"), "first_consultation_hours"),
    ("/programmes", programme_body(ends_on=(TODAY - timedelta(days=60)).isoformat()), "ends_on"),
    ("/programmes", programme_body(funder="   "), "funder"),
    ("/programmes", programme_body(colour="red"), "colour"),
    ("/programmes", programme_body(further_hours="1e999999999"), "further_hours"),
    ("/programmes", programme_body(places=1e400), "places"),
    ("/consultants", consultant_body(languages=["fr"]), "languages"),
    ("/consultants", consultant_body(languages=[]), "languages"),
    ("/consultants", consultant_body(expertise=["46"]), "expertise"),
    ("/consultants", consultant_body(expertise=["450"]), "expertise"),
    ("/consultants", consultant_body(name="\x00"), "name"),
])
def test_invalid_input_names_the_field(site, path, body, field):
    error = site.call("POST", path, json=body, expect=422).json
    assert field in error["errors"] and error["code"] == "invalid"


def test_invalid_bookings_and_unknown_ids(site):
    p = site.programme()
    a = site.apply(p["id"], "Bau AG", ORG_A)
    eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    for hours in ("-1", "0", "0.1", "abc", "NaN", "Infinity", "1e999999999"):
        assert "hours" in site.book(p["id"], a["id"], eva["id"], hours, expect=422)["errors"], hours
    body = {"application_id": a["id"], "consultant_id": eva["id"], "hours": "1", "kind": "further"}
    for date_, kind in (((TODAY + timedelta(days=2)).isoformat(), "further"), ("2001-01-01", "further"),
                        (TODAY.isoformat(), "lunch")):
        error = site.call("POST", f"/programmes/{p['id']}/bookings", json={**body, "date": date_, "kind": kind},
                          expect=422).json
        assert {"date", "kind"} & set(error["errors"]), error
    assert "consultant_id" in site.book(p["id"], a["id"], str(uuid.uuid4()), "1", expect=422)["errors"]
    assert "application_id" in site.book(p["id"], str(uuid.uuid4()), eva["id"], "1", expect=422)["errors"]
    unknown = str(uuid.uuid4())
    site.call("GET", f"/programmes/{unknown}", expect=404)
    site.call("GET", f"/programmes/{unknown}/report", expect=404)
    site.call("GET", f"/programmes/{unknown}/applications", expect=404)
    site.apply(unknown, "Bau AG", expect=404)
    site.call("POST", f"/programmes/{p['id']}/applications/{unknown}/withdraw", expect=404)
    site.call("POST", f"/programmes/{p['id']}/bookings/{unknown}/cancel", expect=404)
    site.book(unknown, a["id"], eva["id"], "1", expect=404)
    site.call("PATCH", f"/consultants/{unknown}", json={"active": False}, expect=404)
    other = site.programme()
    site.call("GET", f"/programmes/{other['id']}/applications/{a['id']}", expect=404)  # not this programme's


HOSTILE = [None, b"{not json", b"[]", b'"x"', b'{"places": 1e400}', b'{"hours": "\\u0000"}', b"{}",
           b'{"firm_name": {"a": 1}}', b'{"organisation_id": "nope", "firm_name": 5}']


def test_no_hostile_request_gives_a_500(site):
    p = site.programme()
    a = site.apply(p["id"], "Bau AG", ORG_A)
    eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    paths = [("POST", "/programmes"), ("PATCH", f"/programmes/{p['id']}"), ("POST", f"/programmes/{p['id']}/close"),
             ("POST", f"/programmes/{p['id']}/applications"), ("POST", f"/programmes/{p['id']}/bookings"),
             ("POST", f"/programmes/{p['id']}/applications/{a['id']}/withdraw"),
             ("POST", "/consultants"), ("PATCH", f"/consultants/{eva['id']}"),
             ("GET", "/programmes?page=0&per_page=x&status=%00"), ("GET", "/consultants?division=xx&active=maybe"),
             ("GET", f"/programmes/{p['id']}/bookings?application_id=1")]
    for method, path in paths:
        for body in HOSTILE:
            for as_ in ("admin", "member_a"):
                resp = site.call(method, path, as_, data=body, content_type="application/json")
                if resp.status_code >= 400:
                    assert set(resp.json) == {"code", "status", "message", "errors"}, (method, path, body)

