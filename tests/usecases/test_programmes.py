"""Consultation programmes' use cases through their handlers (bodies loaded by the API's own schemas) on
a fresh SQLite site each: booking a place and cancelling it (the freed place goes to the longest-waiting
firm, which may then be booked), booking hours and cancelling a booking (the hours come back), what a
refused step leaves behind, and that no programme data leaves the site. Last, the embedded mode's API
under applications racing for the places."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.common.errors import Conflict, Forbidden, Invalid
from services.enquiries.programmes import handlers
from services.enquiries.programmes.schemas import (
    ConsultantSchema, ProgrammeApplicationSchema, ProgrammeBookingSchema, ProgrammeSchema,
)
from tests.support.programmes import (
    ORG_A, ORG_B, TODAY, ProgrammesSite, apply_call, consultant_body, programme_body,
)
from tests.support.sites import outbox_rows, race

NOW = datetime.now(timezone.utc)


@pytest.fixture
def site(site_runtime):
    return site_runtime("AT12")


def programme(site, **overrides):
    return handlers.create_programme(site.uow(), ProgrammeSchema().load(programme_body(**overrides)))


def book_place(site, programme_id: str, name: str, organisation_id: str | None = None, acting_for=None):
    """(application, its place on the waiting list or None)."""
    firm = ProgrammeApplicationSchema().load({"firm_name": name, "organisation_id": organisation_id})
    return handlers.apply(site.uow(), programme_id, firm, NOW, acting_for)


def cancel_place(site, programme_id: str, application_id: str):
    return handlers.end_application(site.uow(), programme_id, application_id, "cancelled", NOW, "no show")


def consultant(site, **overrides):
    return handlers.enrol_consultant(site.uow(), ConsultantSchema().load(consultant_body(**overrides)))


def book_hours(site, programme_id: str, application_id: str, consultant_id: str, hours: str, kind: str = "further"):
    fields = ProgrammeBookingSchema().load({"application_id": application_id, "consultant_id": consultant_id,
                                            "date": TODAY.isoformat(), "hours": hours, "kind": kind})
    return handlers.book_hours(site.uow(), programme_id, fields, TODAY, "broker")


def test_a_cancelled_place_goes_to_the_longest_waiting_firm_which_may_then_be_booked(site):
    p, eva = programme(site, places=1), consultant(site)
    first, _ = book_place(site, p.id, "Bau AG", ORG_A)
    second, second_waits = book_place(site, p.id, "Neue Bäckerei")
    third, third_waits = book_place(site, p.id, "Druckerei Blatt", ORG_B)
    assert [a.status for a in (first, second, third)] == ["accepted", "waiting", "waiting"]
    assert (second_waits, third_waits) == (1, 2)
    with pytest.raises(Conflict) as waiting:
        book_hours(site, p.id, second.id, eva.id, "1")
    assert (waiting.value.status, waiting.value.code) == (409, "application_waiting")

    cancelled = cancel_place(site, p.id, first.id)
    assert (cancelled.status, cancelled.reason) == ("cancelled", "no show")
    assert book_hours(site, p.id, second.id, eva.id, "1")["status"] == "active"  # the place is the second firm's
    _, fourth_waits = book_place(site, p.id, "Tischlerei Holz")
    assert fourth_waits == 2  # behind the third firm, still waiting

    with pytest.raises(Conflict) as twice:
        cancel_place(site, p.id, first.id)
    assert twice.value.code == "application_ended"
    with pytest.raises(Conflict) as ended:
        book_hours(site, p.id, first.id, eva.id, "1")
    assert ended.value.code == "application_ended"
    again, _ = book_place(site, p.id, "Bau AG", ORG_A)  # a firm whose place ended may apply anew, at the back
    assert (again.status, again.arrival) == ("waiting", 5)
    assert outbox_rows(site) == []  # programmes publish nothing: no firm or consultant leaves the site


def test_hours_never_exceed_the_allowance_and_a_cancelled_booking_gives_them_back(site):
    p, eva = programme(site, first_consultation_hours="4", further_hours="10"), consultant(site)
    firm, _ = book_place(site, p.id, "Bau AG", ORG_A)
    booking = book_hours(site, p.id, firm.id, eva.id, "10")
    with pytest.raises(Conflict) as exceeded:
        book_hours(site, p.id, firm.id, eva.id, "0.25")
    assert (exceeded.value.status, exceeded.value.code) == (409, "allowance_exceeded")
    assert exceeded.value.errors["remaining"] == {"first_consultation": "4", "further": "0"}
    assert book_hours(site, p.id, firm.id, eva.id, "4", kind="first_consultation")["hours"] == 4  # its own allowance

    cancelled = handlers.cancel_booking(site.uow(), p.id, booking["id"])
    assert cancelled["status"] == "cancelled"
    with pytest.raises(Conflict) as twice:
        handlers.cancel_booking(site.uow(), p.id, booking["id"])
    assert twice.value.code == "booking_cancelled"
    assert book_hours(site, p.id, firm.id, eva.id, "10")["status"] == "active"  # the ten hours came back once
    with pytest.raises(Conflict):
        book_hours(site, p.id, firm.id, eva.id, "0.25")


def test_a_booking_needs_an_active_consultant_and_an_application_of_this_programme(site):
    p, other = programme(site), programme(site, name="Another programme")
    eva, jan = consultant(site), consultant(site, name="Jan Novák", languages=["hu"])
    firm, _ = book_place(site, p.id, "Bau AG", ORG_A)
    elsewhere, _ = book_place(site, other.id, "Bau AG", ORG_A)
    with pytest.raises(Invalid) as not_here:
        book_hours(site, p.id, elsewhere.id, eva.id, "1")
    assert not_here.value.status == 422 and "application_id" in not_here.value.errors

    handlers.update_consultant(site.uow(), jan.id, {"active": False})
    with pytest.raises(Conflict) as inactive:
        book_hours(site, p.id, firm.id, jan.id, "1")
    assert inactive.value.code == "consultant_inactive"
    book_hours(site, p.id, firm.id, eva.id, "1")
    with pytest.raises(Conflict) as booked:
        handlers.remove_consultant(site.uow(), eva.id)
    assert booked.value.code == "consultant_has_bookings"
    handlers.remove_consultant(site.uow(), jan.id)  # no bookings: may go


def test_a_member_books_and_cancels_places_for_its_own_organisation_only(site):
    p = programme(site, places=1)
    with pytest.raises(Forbidden) as foreign:
        book_place(site, p.id, "Druckerei Blatt", ORG_B, acting_for=ORG_A)
    assert foreign.value.status == 403
    own, _ = book_place(site, p.id, "Bau AG", ORG_A, acting_for=ORG_A)
    assert own.status == "accepted"  # the refused application took neither a place nor an arrival number
    assert own.arrival == 1
    with pytest.raises(Forbidden):
        handlers.end_application(site.uow(), p.id, own.id, "withdrawn", NOW, None, acting_for=ORG_B)
    with pytest.raises(Conflict) as duplicate:
        book_place(site, p.id, "Bau AG (again)", ORG_A, acting_for=ORG_A)
    assert duplicate.value.errors == {"organisation_id": ["already applied to this programme"]}
    withdrawn = handlers.end_application(site.uow(), p.id, own.id, "withdrawn", NOW, "no time", acting_for=ORG_A)
    assert withdrawn.status == "withdrawn"


def test_the_embedded_mode_on_sqlite_runs_the_same_rules(make_settings, site_db):
    site = ProgrammesSite(make_settings, site_db("AT12"))
    try:
        p = site.programme(places=3)
        responses = race(site, [apply_call(site, p["id"], n) for n in range(12)])
        assert sorted(r.json["arrival"] for r in responses) == list(range(1, 13))
        assert sorted(r.json["status"] for r in responses) == ["accepted"] * 3 + ["waiting"] * 9
        first = min((r.json for r in responses), key=lambda a: a["arrival"])
        assert first["status"] == "accepted"
        eva = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
        site.book(p["id"], first["id"], eva["id"], "4", kind="first_consultation")
        assert site.book(p["id"], first["id"], eva["id"], "0.25", kind="first_consultation", expect=409)[
            "errors"]["remaining"] == {"first_consultation": "0", "further": "10"}
        site.call("POST", f"/programmes/{p['id']}/applications/{first['id']}/withdraw", expect=200)
        report = site.call("GET", f"/programmes/{p['id']}/report", expect=200).json
        assert (report["accepted"], report["waiting_list_length"], report["hours_total"]) == (3, 8, "4")
        assert site.runtime.engine.dialect.name == "sqlite"
    finally:
        site.runtime.engine.dispose()
