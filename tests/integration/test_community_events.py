"""Community events on PostgreSQL (issue 19, item 1): 50 sign-ups racing for 20 seats, the contract's
snapshots with counts and no person in the outbox, the .ics parsed back, and the privacy export and erasure."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from services.common.outbox import outbox
from services.community.calendar import store
from services.privacy import erase_person, export_person
from tests.support.community_events import EventsSite, person
from tests.support.sites import race

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_url):
    s = EventsSite(make_settings("AT12", db_url=pg_url))
    yield s
    s.runtime.engine.dispose()


def community_events(site) -> list:
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(outbox.c.type, outbox.c.stream, outbox.c.aggregate_version, outbox.c.data)
                            .where(outbox.c.type.like("community.event.%")).order_by(outbox.c.id)).all()


def test_fifty_concurrent_sign_ups_for_twenty_seats_register_exactly_twenty(site):
    e = site.event(capacity=20)
    calls = [lambda client, n=n: site.call("POST", f"/community-events/{e['id']}/registrations", None,
                                           client=client, json=person(n)) for n in range(50)]
    responses = race(site, calls)

    assert [r.status_code for r in responses] == [201] * 50
    answers = sorted((r.json for r in responses), key=lambda a: a["arrival"])
    assert [a["arrival"] for a in answers] == list(range(1, 51))  # no gap, no duplicate
    assert [a["status"] for a in answers] == ["registered"] * 20 + ["waiting"] * 30
    assert [a["waiting_position"] for a in answers[20:]] == list(range(1, 31))
    shown = site.ok("GET", f"/community-events/{e['id']}", None)
    assert (shown["registered"], shown["waiting"], shown["seats_left"]) == (20, 30, 0)
    with site.runtime.engine.connect() as conn:
        rows = store.registrations_of(conn, e["id"])
    assert len(rows) == 50 and len({r.arrival for r in rows}) == 50
    assert sum(r.status == "registered" for r in rows) == 20
    # Each sign-up recorded the event's counts after it, in commit order: 1..20 registered, then the queue.
    updates = [row.data for row in community_events(site) if row.type == "community.event.updated"]
    assert [(d["registered"], d["waiting"]) for d in updates] == (
        [(n, 0) for n in range(1, 21)] + [(20, n) for n in range(1, 31)])


def test_every_change_records_its_snapshot_with_counts_and_no_person(site):
    e = site.event(capacity=1)
    first = site.register(e["id"], 1)
    site.register(e["id"], 2)
    site.ok("PATCH", f"/community-events/{e['id']}", json={"capacity": 2})  # number 2 moves up
    assert site.call("PATCH", f"/community-events/{e['id']}", json={"capacity": 1}).status_code == 409
    token = first["registration_url"].rsplit("/", 1)[1]
    assert len(token) >= 30
    site.ok("POST", f"/community-events/{e['id']}/cancel", expect=200)

    rows = community_events(site)
    assert [r.type for r in rows] == ["community.event.published"] + ["community.event.updated"] * 3 + [
        "community.event.cancelled"]
    assert {r.stream for r in rows} == {"AT12/community"}
    assert [r.aggregate_version for r in rows] == [1, 2, 3, 4, 5]
    assert [(r.data["capacity"], r.data["registered"], r.data["waiting"]) for r in rows] == [
        (1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 2, 0), (2, 2, 0)]
    assert rows[-1].data["status"] == "cancelled" and rows[0].data["country"] == "AT"
    text = json.dumps([r.data for r in rows])
    for secret in ("Person 01", "person01@example.at", "Person 02", "person02@example.at", "Verein Beispiel", token):
        assert secret not in text


def test_the_calendar_parses_back_with_its_events_times_and_uids(site):
    e = site.event()
    other = site.event(kind="seminar", texts=[{"language": "en", "title": "Impact seminar", "summary": ""}],
                       languages=["en"])
    site.ok("POST", f"/community-events/{other['id']}/cancel")
    one = site.client.get(f"/events/{e['id']}.ics?lang=hu")
    assert one.status_code == 200 and one.headers["Content-Type"].startswith("text/calendar")
    [vevent] = Calendar.from_ical(one.data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Szociális termelés fórum"
    assert str(vevent["UID"]) == f"{e['id']}@at12.sopro"
    assert vevent.decoded("DTSTART") == datetime.fromisoformat(e["starts_at"])
    assert vevent.decoded("DTEND") == datetime.fromisoformat(e["ends_at"])
    assert str(vevent["STATUS"]) == "CONFIRMED"

    feed = Calendar.from_ical(site.client.get("/events.ics?lang=de").data)
    found = {str(v["UID"]): v for v in feed.walk("VEVENT")}
    assert set(found) == {f"{e['id']}@at12.sopro", f"{other['id']}@at12.sopro"}
    assert str(found[f"{e['id']}@at12.sopro"]["SUMMARY"]) == "Forum Soziale Produktion"
    cancelled = found[f"{other['id']}@at12.sopro"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(cancelled["SUMMARY"]) == "Impact seminar"
    assert cancelled.decoded("DTSTART") == datetime.fromisoformat(other["starts_at"])


def test_privacy_export_and_erasure_of_a_registrant(site):
    e = site.event(capacity=1)
    site.register(e["id"], 1, email="Anna.Kovacs@Example.HU", name="Kovács Anna")
    site.register(e["id"], 2)
    exported = export_person(site.runtime.settings, "anna.kovacs@example.hu")["records"]
    [held] = exported["community_event_registrations"]
    assert held["name"] == "Kovács Anna" and held["status"] == "registered" and held["event"] == e["reference"]

    erased = erase_person(site.runtime, "ANNA.KOVACS@example.hu", "admin", "request")
    assert erased["community_event_registrations"] == 1
    after = export_person(site.runtime.settings, "anna.kovacs@example.hu")["records"]
    assert after["community_event_registrations"] == []
    shown = site.ok("GET", f"/community-events/{e['id']}", None)
    assert (shown["registered"], shown["waiting"]) == (1, 0)  # the waiting person moved up
    last = community_events(site)[-1]
    assert (last.data["registered"], last.data["waiting"]) == (1, 0)


def test_anonymous_sign_ups_meet_the_public_write_allowance(make_settings, pg_url):
    limited = EventsSite(make_settings("AT12", db_url=pg_url, public_write_rate_limit="2/minute"))
    e = limited.event()
    codes = [limited.call("POST", f"/community-events/{e['id']}/registrations", None, json=person(n)).status_code
             for n in range(3)]
    assert codes == [201, 201, 429]
    # the broker typing in a paper form is counted by the general limit only
    assert limited.call("POST", f"/community-events/{e['id']}/registrations", "broker",
                        json=person(9)).status_code == 201
    limited.runtime.engine.dispose()
