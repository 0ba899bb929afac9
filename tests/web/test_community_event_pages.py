"""Community events in the browser (issue 19, item 1): a visitor registers for a forum in Hungarian at HU22 and
keeps the secret link; the waiting list and its move up when someone cancels by their link; the broker's
office form refuses an event in the past and a negative capacity beside the fields; a malformed address or a
missing consent is shown beside its field; hostile input never gives a 500."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.common.notifications import notification
from services.demo import community_events
from tests.support.community_events import event_body
from tests.support.web import field_errors

HOSTILE = "<script>alert(1)</script>"


def mails_to(site, address: str) -> list:
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(notification).where(notification.c.recipient == address)
                            .order_by(notification.c.id)).all()


def sign_up(browser, event_id: str, name: str, email: str):
    return browser.post(f"/events/{event_id}/register", {"name": name, "email": email, "consent": "on"})


def test_a_visitor_registers_for_a_forum_in_hungarian_and_keeps_the_link(hu22):
    e = hu22.ok("POST", "/community-events", expect=201, json=event_body(capacity=5))
    visitor = hu22.browser()
    visitor.get("/events?lang=hu")
    assert "<h1>Rendezvények</h1>" in visitor.page and "Szociális termelés fórum" in visitor.page
    assert f'href="/events/{e["id"]}"' in visitor.page and 'href="/events.ics"' in visitor.page
    assert re.search(r'href="https?://[^"]+/calendar">A teljes hálózat rendezvényei<', visitor.page)
    visitor.get(f"/events/{e['id']}")
    assert "Jelentkezés a rendezvényre" in visitor.page and "5 / 5" in visitor.page

    done = sign_up(visitor, e["id"], "Kovács Anna", "anna.kovacs@example.hu")
    assert done.status_code == 302
    token = re.search(r"/events/registration/([^?]+)\?new=1$", done.headers["Location"]).group(1)
    visitor.get(done.headers["Location"])
    assert "Sikeresen jelentkezett." in visitor.page and f"/events/registration/{token}</a>" in visitor.page
    assert "Jelentkezett" in visitor.page and "anna.kovacs@example.hu" not in visitor.page
    [mail] = mails_to(hu22, "anna.kovacs@example.hu")
    assert mail.kind == "community_event_registration" and mail.language == "hu"
    assert mail.subject == "Sikeresen jelentkezett: Szociális termelés fórum"
    assert f"/events/registration/{token}" in mail.body_text
    visitor.get(f"/events/{e['id']}")
    assert "4 / 5" in visitor.page

    again = sign_up(visitor, e["id"], "Kovács Anna", "Anna.Kovacs@example.hu")  # the same address twice
    assert again.status_code == 409 and "Ezzel az e-mail-címmel már jelentkeztek a rendezvényre." in visitor.page


def test_the_waiting_list_moves_up_when_someone_cancels_by_their_link(at12):
    e = at12.ok("POST", "/community-events", expect=201, json=event_body(capacity=1))
    first, second = at12.browser(), at12.browser()
    first.get(f"/events/{e['id']}?lang=de")
    second.get(f"/events/{e['id']}?lang=de")
    first_link = sign_up(first, e["id"], "Theo Maier", "theo@example.at").headers["Location"]
    second_link = sign_up(second, e["id"], "Eva Kern", "eva@example.at").headers["Location"]
    second.get(second_link)
    assert "Sie sind auf der Warteliste, Nummer 1." in second.page

    first.get(first_link)
    cancel = re.search(r'action="(/events/registration/[^"]+/cancel)"', first.page).group(1)
    assert first.post(cancel).status_code == 302
    first.get(first_link)
    assert "Storniert" in first.page and 'action="/events/registration/' not in first.page
    second.get(second_link.split("?")[0])
    assert re.search(r'id="registration-status">Angemeldet<', second.page)
    assert [m.kind for m in mails_to(at12, "eva@example.at")] == [
        "community_event_registration", "community_event_moved_up"]
    assert first.post(cancel).status_code == 302  # cancelling twice is no error


def test_wrong_input_is_shown_beside_its_fields(at12, broker):
    e = at12.ok("POST", "/community-events", expect=201, json=event_body())
    visitor = at12.browser()
    visitor.get(f"/events/{e['id']}?lang=de")
    assert visitor.post(f"/events/{e['id']}/register", {"name": "Theo", "email": "theo@@example"}).status_code == 422
    errors = field_errors(visitor.page)
    assert errors["f-email"] == ["Bitte geben Sie eine gültige E-Mail-Adresse ein."]
    assert errors["f-consent"] == ["Bitte stimmen Sie der Verarbeitung Ihrer Daten für diese Veranstaltung zu."]

    broker.get("/office/events?lang=de")
    assert "Veranstaltung ankündigen" in broker.page
    assert 'href="/office/events"' in broker.page and 'href="/events"' in broker.page  # the office and public nav
    assert 'href="/office/events"' not in visitor.page
    local = datetime.now(ZoneInfo("Europe/Vienna")).replace(tzinfo=None, second=0, microsecond=0)
    past = {"kind": "seminar", "scope": "site", "title_de": "Wirkung messen", "held_de": "on", "venue": "Wien",
            "starts_at": (local - timedelta(days=1)).isoformat(timespec="minutes"),
            "ends_at": (local - timedelta(hours=20)).isoformat(timespec="minutes"), "capacity": "-3"}
    assert broker.post("/office/events", past).status_code == 422
    errors = field_errors(broker.page)
    assert errors == {"f-capacity": ["Bitte geben Sie einen Wert von 1 bis 10000 ein."],  # all in one round
                      "f-starts_at": ["Die Veranstaltung muss in der Zukunft beginnen."]}

    assert 'value="Wirkung messen"' in broker.page  # kept as typed
    assert broker.post("/office/events", {**past, "title_de": "", "summary_hu": "Csak összefoglaló",
                                          "held_de": ""}).status_code == 422
    errors = field_errors(broker.page)
    assert errors["f-title_hu"] == ["Bitte geben Sie auch den Titel in dieser Sprache an."]
    assert errors["f-held_de"] == ["Bitte wählen Sie die Sprachen der Veranstaltung."]
    fixed = {**past, "capacity": "12"}
    assert broker.post("/office/events", fixed).status_code == 422
    assert field_errors(broker.page) == {"f-starts_at": ["Die Veranstaltung muss in der Zukunft beginnen."]}

    future = {**fixed, "starts_at": (local + timedelta(days=3)).isoformat(timespec="minutes"),
              "ends_at": (local + timedelta(days=3, hours=2)).isoformat(timespec="minutes")}
    created = broker.post("/office/events", future)
    assert created.status_code == 302
    event_id = created.headers["Location"].rsplit("/", 1)[1]
    shown = at12.ok("GET", f"/community-events/{event_id}", None)
    assert datetime.fromisoformat(shown["starts_at"]).astimezone(ZoneInfo("Europe/Vienna")).replace(tzinfo=None) \
        == local + timedelta(days=3)  # typed as the site's local time, stored in UTC
    assert shown["reference"].startswith("AT12-V-") and shown["country"] == "AT"

    sign_up(visitor, event_id, "Theo", "theo.office@example.at")
    broker.get(f"/office/events/{event_id}")
    assert "theo.office@example.at" in broker.page  # the staff see who registered
    lower = {**future, "capacity": "0"}
    assert broker.post(f"/office/events/{event_id}", lower).status_code == 422
    assert "f-capacity" in field_errors(broker.page)
    assert broker.post(f"/office/events/{event_id}/cancel").status_code == 302
    broker.get(f"/office/events/{event_id}")
    assert "Abgesagt" in broker.page
    visitor.get(f"/events/{event_id}")
    assert "Diese Veranstaltung wurde abgesagt." in visitor.page and "Zur Veranstaltung anmelden" not in visitor.page
    late = visitor.post(f"/events/{event_id}/register", {"name": "Eva", "email": "eva.late@example.at",
                                                         "consent": "on"})
    assert late.status_code == 409 and "Die Veranstaltung ist abgesagt." in visitor.page


def test_hostile_input_never_gives_a_500(at12, broker):
    e = at12.ok("POST", "/community-events", expect=201, json=event_body())
    visitor = at12.browser()
    for path in ("/events?kind=" + HOSTILE, "/events/not-a-uuid", "/events/registration/" + "x" * 500,
                 "/events/00000000-0000-0000-0000-000000000000", "/events/00000000-0000-0000-0000-000000000000.ics"):
        assert visitor.get(path).status_code in (200, 404)
    visitor.get(f"/events/{e['id']}")
    answer = visitor.post(f"/events/{e['id']}/register", {"name": HOSTILE * 100, "email": HOSTILE,
                                                          "organisation": "\x00", "consent": "on"})
    assert answer.status_code == 422 and "<script>alert" not in visitor.page
    broker.get("/office/events")
    for bad in ({"capacity": "abc", "starts_at": "garbage", "ends_at": "2026-13-45T99:99"},
                {"capacity": "1e9", "kind": HOSTILE, "nuts3": HOSTILE, "title_hu": "\x00"}, {}):
        assert broker.post("/office/events", bad).status_code == 422
    api = at12.call("POST", f"/community-events/{e['id']}/registrations", None,
                    json={"name": "X", "email": "x@example.at", "consent": True, "extra": 1})
    assert api.status_code == 422
    assert at12.call("POST", "/community-events", json={**event_body(), "capacity": -1}).status_code == 422


def test_the_demo_events_enter_through_the_api_and_show_the_hungarian_platform_forum(hu22):
    class Http:  # the demo seeds with a broker's requests session; here the test client stands in for it
        def post(self, url, json):
            return hu22.call("POST", url.split("/api/v1", 1)[1], json=json)

    ids = community_events.seed_events(Http(), "http://hu22", "HU22", lambda response: response.json)
    assert len(ids) == len(community_events.EVENTS["HU22"])
    forum = hu22.ok("GET", f"/community-events/{ids[0]}", None)
    assert forum["platform_forum"] and forum["country"] == "HU" and forum["languages"] == ["hu"]
    assert [t["language"] for t in forum["texts"]] == ["hu", "de", "en"]
    visitor = hu22.browser()
    visitor.get(f"/events/{ids[0]}?lang=en")
    assert "Forum of the national stakeholder platform" in visitor.page and "40 / 40" in visitor.page
