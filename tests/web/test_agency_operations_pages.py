"""The agency admin's operations at the hub, in the browser: pause and resume a site's stream and
re-drive a dead letter, each after a confirmation, with the record of who did it and when.

The hub (SQLite) reads AT12's real feed over HTTP, so resuming applies what AT12 published while the
stream was paused, and a re-drive reads its event again from the feed, as in production. HU22's feed
is not served: resuming its stream is refused and the stream stays paused.
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from services.common import inbox
from services.common.outbox import outbox
from tests.support.hub_pages import Hub, settings_in
from tests.support.sync import FeedServer, relay_for
from tests.support.web import WebSite, field_errors, form_message, new_enquiry

PAGE = "/agency/operations/"
PAUSE, RESUME = PAGE + "streams/AT12/registry/pause", PAGE + "streams/AT12/registry/resume"


@pytest.fixture(scope="module")
def federation_of_two(tmp_path_factory, federation, federation_files):
    make = settings_in(tmp_path_factory, federation, federation_files, "operations")
    at12 = WebSite(make, "AT12")
    for title in ("Holzspielzeug für den Adventmarkt", "Schneidbretter"):  # events on AT12/enquiries to dead-letter
        new_enquiry(at12, title)
    relay_for(at12.runtime, "memory://").run_once()  # the site's events numbered in its feed
    with FeedServer(at12.runtime) as feed:
        served = replace(federation.site("AT12"), url=feed.url)
        hub = Hub(make("EU").with_(federation=replace(federation, sites={**federation.sites, "AT12": served}),
                                   rate_limit="100000/minute"))
        yield {"hub": hub, "at12": at12}
    for runtime in (hub.runtime, at12.runtime):
        runtime.engine.dispose()


@pytest.fixture
def hub(federation_of_two):
    return federation_of_two["hub"]


def applied_seq(hub, stream: str) -> int:
    with hub.runtime.engine.connect() as conn:
        return conn.execute(select(inbox.stream_position.c.contiguous_seq).where(
            inbox.stream_position.c.consumer == "hub.ingest", inbox.stream_position.c.stream == stream)).scalar() or 0


def record_rows(page: str) -> list[str]:
    table = re.search(r"<table id=\"operations-record\">.*?<tbody>(.*?)</tbody>", page, re.S).group(1)
    rows = re.findall(r"<tr>.*?</tr>", table, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_pause_and_resume_after_confirmation_apply_the_held_back_events_and_keep_the_record(hub, federation_of_two):
    admin = hub.browser("agency")
    admin.get(PAGE + "?lang=de")
    assert 'href="/agency/operations/streams/AT12/registry/pause"' in admin.page

    admin.get(PAUSE)
    assert admin.post(PAUSE, {"reason": "Beschwerde prüfen"}).status_code == 422  # not confirmed
    assert field_errors(admin.page) == {"f-confirm": ["Bitte bestätigen Sie mit dem Häkchen."]}
    assert admin.post(PAUSE, {"confirm": "on"}).status_code == 422  # no reason
    assert set(field_errors(admin.page)) == {"f-reason"}
    assert admin.post(PAUSE, {"reason": "Beschwerde prüfen", "confirm": "on"}).status_code == 302
    assert admin.post(PAUSE, {"reason": "noch einmal", "confirm": "on"}).status_code == 409
    assert "AT12/registry" in form_message(admin.page)

    admin.get(PAGE)
    assert 'href="/agency/operations/streams/AT12/registry/resume"' in admin.page
    assert applied_seq(hub, "AT12/registry") == 0
    with federation_of_two["at12"].runtime.engine.connect() as conn:
        published = conn.execute(select(outbox.c.seq).where(outbox.c.stream == "AT12/registry")
                                 .order_by(outbox.c.seq.desc())).scalars().first()

    admin.get(RESUME)
    assert "Beschwerde prüfen" in admin.page
    assert admin.post(RESUME, {}).status_code == 422
    assert admin.post(RESUME, {"confirm": "on"}).status_code == 302
    assert applied_seq(hub, "AT12/registry") == published  # what AT12 published meanwhile, from its feed
    admin.get(PAGE)
    assert f"{published} zurückgehaltene Ereignisse angewandt" in admin.page
    resumed, paused = record_rows(admin.page)[:2]  # newest first: when, who, what, of what, why
    assert resumed.endswith("agency fortgesetzt AT12/registry –")
    assert paused.endswith("agency angehalten AT12/registry Beschwerde prüfen")
    assert admin.post(RESUME, {"confirm": "on"}).status_code == 409  # not paused any more


def test_a_resume_whose_feed_cannot_be_read_is_refused_and_the_stream_stays_paused(hub):
    admin = hub.browser("agency")
    pause, resume = PAGE + "streams/HU22/label/pause", PAGE + "streams/HU22/label/resume"
    admin.get(pause + "?lang=en")
    assert admin.post(pause, {"reason": "checking a complaint", "confirm": "on"}).status_code == 302
    admin.get(resume)
    assert admin.post(resume, {"confirm": "on"}).status_code == 503
    assert "stays paused" in form_message(admin.page)
    admin.get(PAGE)
    assert 'href="/agency/operations/streams/HU22/label/resume"' in admin.page


def test_a_dead_letter_is_redriven_from_its_site_after_confirmation(hub, federation_of_two):
    with federation_of_two["at12"].runtime.engine.connect() as conn:
        first = conn.execute(select(outbox).where(outbox.c.stream == "AT12/enquiries", outbox.c.seq == 1)).one()
    with hub.runtime.engine.begin() as conn:  # as the consumer records a message whose handler failed
        inbox.record_dead_letter(conn, "hub.ingest", "handler failed: a bug, fixed since", "{}",
                                 "AT12/enquiries", 1, str(first.event_id))
        inbox.record_dead_letter(conn, "hub.ingest", "malformed: not JSON", "x")
        poisoned, hopeless = conn.execute(select(inbox.dead_letter.c.id).order_by(inbox.dead_letter.c.id)).scalars()
    admin = hub.browser("agency")
    admin.get(PAGE + "?lang=hu")
    assert f'href="/agency/operations/dead-letters/{poisoned}/redrive"' in admin.page
    page = f"{PAGE}dead-letters/{poisoned}/redrive"
    admin.get(page)
    assert "handler failed: a bug, fixed since" in admin.page
    assert admin.post(page, {}).status_code == 422
    assert field_errors(admin.page) == {"f-confirm": ["Kérjük, a jelölőnégyzettel erősítse meg."]}
    assert applied_seq(hub, "AT12/enquiries") == 0
    assert admin.post(page, {"confirm": "on"}).status_code == 302
    assert applied_seq(hub, "AT12/enquiries") == 1
    admin.get(PAGE)
    assert f"{poisoned}" in record_rows(admin.page)[0] and "agency" in record_rows(admin.page)[0]

    stays = f"{PAGE}dead-letters/{hopeless}/redrive"
    admin.get(stays)
    assert admin.post(stays, {"confirm": "on"}).status_code == 409
    assert "names no stream and seq" in form_message(admin.page)
    assert admin.get(f"{PAGE}dead-letters/999999/redrive").status_code == 404


def test_every_open_dead_letter_is_redriven_at_once_and_those_still_wrong_stay_open(hub, federation_of_two):
    with federation_of_two["at12"].runtime.engine.connect() as conn:
        second = conn.execute(select(outbox).where(outbox.c.stream == "AT12/enquiries", outbox.c.seq == 2)).one()
    with hub.runtime.engine.begin() as conn:
        inbox.record_dead_letter(conn, "hub.ingest", "handler failed", "{}", "AT12/enquiries", 2, str(second.event_id))
        inbox.record_dead_letter(conn, "hub.ingest", "malformed: still", "y")
    admin = hub.browser("agency")
    everything = PAGE + "dead-letters/redrive-all"
    admin.get(everything + "?lang=en")
    open_now = int(re.search(r"(\d+) open dead letters are read again", admin.page).group(1))
    assert open_now >= 2
    assert admin.post(everything, {}).status_code == 422
    assert admin.post(everything, {"confirm": "on"}).status_code == 302
    admin.get(PAGE)
    assert "dead letter re-driven." in admin.page or "dead letters re-driven." in admin.page
    assert "could not be applied and stay" in admin.page
    with hub.runtime.engine.connect() as conn:
        ib = inbox.inbox
        assert conn.execute(select(ib.c.status).where(ib.c.consumer == "hub.ingest", ib.c.stream == "AT12/enquiries",
                                                      ib.c.seq == 2)).scalar() == inbox.APPLIED
        still_open = conn.execute(select(inbox.dead_letter.c.reason).where(
            inbox.dead_letter.c.redriven_at.is_(None))).scalars().all()
    assert "malformed: still" in still_open and "handler failed" not in still_open


def test_the_agency_viewer_sees_the_operations_but_cannot_carry_them_out(hub):
    viewer = hub.browser("analyst")
    viewer.get(PAGE + "?lang=en")
    assert "only an agency administrator can carry them out" in viewer.page
    assert "/pause" not in viewer.page and "/redrive" not in viewer.page
    assert viewer.get(PAUSE).status_code == 403
    assert viewer.post(PAUSE, {"reason": "x", "confirm": "on"}).status_code == 403
    assert viewer.post(RESUME, {"confirm": "on"}).status_code == 403
    assert viewer.post(PAGE + "dead-letters/redrive-all", {"confirm": "on"}).status_code == 403
    assert hub.browser("stranger").get(PAGE).status_code == 403


def test_a_hostile_or_overlong_reason_is_refused_beside_its_field_and_never_runs_as_markup(hub):
    admin = hub.browser("agency")
    pause = PAGE + "streams/AT13/label/pause"
    admin.get(pause + "?lang=en")
    assert admin.post(pause, {"reason": "x" * 501, "confirm": "on"}).status_code == 422
    assert list(field_errors(admin.page)) == ["f-reason"]
    hostile = "<script>alert(1)</script>"
    assert admin.post(pause, {"reason": hostile, "confirm": "yes"}).status_code == 422  # only the box's "on"
    assert hostile not in admin.page and "&lt;script&gt;" in admin.page
    assert admin.post(pause, {"reason": hostile, "confirm": "on"}).status_code == 302
    admin.get(PAGE)
    assert hostile not in admin.page and "&lt;script&gt;alert(1)&lt;/script&gt;" in admin.page


def test_without_the_csrf_token_nothing_is_paused(hub):
    admin = hub.browser("agency")
    admin.get(PAUSE)
    assert admin.post(PAUSE, {"reason": "x", "confirm": "on"}, csrf=False).status_code == 400
    assert hub.browser("agency").get(PAGE + "streams/XX99/registry/pause").status_code == 404
