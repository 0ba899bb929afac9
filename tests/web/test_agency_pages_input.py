"""Bad input on every form of the agency admin's day at the hub (issue 14, "Bad input"): pausing and resuming
a stream, re-driving one dead letter or all of them, each posted empty, with wrong and with hostile values,
in German, Hungarian and English: a 422 with a message beside each field in the page's language (a 404 for a
stream or letter that does not exist), never a 500, and nothing hostile drawn as markup or acted on.

The hub here reads no site's feed: what the forms do when they are right is tested in
test_agency_operations_pages.py and in the browser (tests/browser/test_journey_agency_admin_day.py).
"""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from services.common import inbox
from tests.support.browser_pages import tr
from tests.support.hub_pages import Hub, settings_in
from tests.support.web import field_errors, form_message

PAGE = "/agency/operations/"
HOSTILE = '<script>alert("x")</script>'
LANGS = ("de", "hu", "en")


@pytest.fixture(scope="module")
def hub(tmp_path_factory, federation, federation_files):
    make = settings_in(tmp_path_factory, federation, federation_files, "agency-input")
    hub = Hub(make("EU").with_(rate_limit="100000/minute", token_rate_limit="10000/minute",
                               public_write_rate_limit="10000/minute"))
    with hub.runtime.engine.begin() as conn:
        inbox.record_dead_letter(conn, "hub.ingest", "forged: the signature does not match site 'AT12'", "{}",
                                 "AT12/registry", 1, "00000000-0000-4000-8000-000000000001")
    yield hub
    hub.runtime.engine.dispose()


@pytest.fixture(scope="module")
def sessions(hub):
    """One logged-in agency admin per language, for the module."""
    return {lang: hub.browser("agency") for lang in LANGS}


@pytest.fixture(params=LANGS)
def admin(request, sessions):
    browser = sessions[request.param]
    browser.get(f"{PAGE}?lang={request.param}")
    browser.lang = request.param
    return browser


def letter_id(hub) -> int:
    with hub.runtime.engine.connect() as conn:
        return conn.execute(select(inbox.dead_letter.c.id).where(
            inbox.dead_letter.c.stream == "AT12/registry")).scalar()


def paused(hub) -> set[str]:
    with hub.runtime.engine.connect() as conn:
        return inbox.paused_streams(conn, "hub.ingest")


def confirm_refused(admin) -> None:
    errors = field_errors(admin.page)
    assert list(errors) == ["f-confirm"], errors
    assert errors["f-confirm"] == [tr(admin.lang, "Please tick the box to confirm.")]


@pytest.mark.parametrize("form", [{}, {"reason": "", "confirm": ""}, {"reason": "   ", "confirm": "on"},
                                  {"reason": "x" * 501, "confirm": "on"}, {"reason": "prüfen", "confirm": "yes"},
                                  {"reason": HOSTILE, "confirm": "off"}, {"reason": ["a", "b"], "confirm": ["x"]}])
def test_a_pause_that_is_empty_or_wrong_is_refused_beside_its_fields(hub, admin, form):
    pause = f"{PAGE}streams/AT13/label/pause"
    admin.get(pause)
    assert admin.post(pause, form).status_code == 422
    errors = field_errors(admin.page)
    assert set(errors) <= {"f-reason", "f-confirm"} and errors, errors
    if "f-confirm" in errors:
        assert errors["f-confirm"] == [tr(admin.lang, "Please tick the box to confirm.")]
    if form.get("reason", "") in ("", "   "):
        assert errors["f-reason"], errors
    assert HOSTILE not in admin.page
    assert "AT13/label" not in paused(hub)


def test_a_required_reason_is_asked_for_in_the_pages_language(admin):
    pause = f"{PAGE}streams/AT13/label/pause"
    admin.get(pause)
    admin.post(pause, {"confirm": "on"})
    (message,) = field_errors(admin.page)["f-reason"]
    assert message in (tr(admin.lang, "This field is required."), tr(admin.lang, "This field must not be blank.")), \
        message


@pytest.mark.parametrize("path", ["streams/XX99/registry/pause", "streams/AT12/bogus/pause",
                                  "streams/AT12/registry/pause/..%2F..%2Fresume", "streams/%3Cscript%3E/label/resume",
                                  "dead-letters/999999/redrive", "dead-letters/abc/redrive",
                                  "dead-letters/-1/redrive"])
def test_what_does_not_exist_is_not_found(admin, path):
    response = admin.get(PAGE + path)
    assert response.status_code == 404
    assert "<script>" not in admin.page


def test_a_resume_of_a_live_stream_or_unconfirmed_is_refused(hub, admin):
    resume = f"{PAGE}streams/AT22/enquiries/resume"
    admin.get(resume)
    assert admin.post(resume, {"confirm": "no"}).status_code == 422
    confirm_refused(admin)
    assert admin.post(resume, {"confirm": "on"}).status_code == 409
    assert form_message(admin.page) == tr(admin.lang, "%(stream)s is not paused.", stream="AT22/enquiries")


def test_a_redrive_unconfirmed_is_refused_and_the_letter_stays_open(hub, admin):
    redrive = f"{PAGE}dead-letters/{letter_id(hub)}/redrive"
    admin.get(redrive)
    assert "forged: the signature does not match" in admin.page
    assert tr(admin.lang, "Forged: the signature is not the named site's.") in unescape(admin.page)  # in words
    for form in ({}, {"confirm": ""}, {"confirm": HOSTILE}, {"confirm": "On "}):
        assert admin.post(redrive, form).status_code == 422
        confirm_refused(admin)
        assert HOSTILE not in admin.page
    everything = f"{PAGE}dead-letters/redrive-all"
    admin.get(everything)
    assert admin.post(everything, {"confirm": "1"}).status_code == 422
    confirm_refused(admin)
    with hub.runtime.engine.connect() as conn:
        assert conn.execute(select(inbox.dead_letter.c.redriven_at).where(
            inbox.dead_letter.c.id == letter_id(hub))).scalar() is None


def test_a_nul_or_no_token_changes_nothing_and_is_no_server_error(hub, admin):
    pause = f"{PAGE}streams/AT11/registry/pause"
    admin.get(pause)
    assert admin.post(pause, {"reason": "a\x00b", "confirm": "on"}).status_code in (400, 422)
    admin.get(pause)
    assert admin.post(pause, {"reason": "x", "confirm": "on"}, csrf=False).status_code == 400
    assert "AT11/registry" not in paused(hub)
