"""The hub's community pages (the `network` of tests/support/hub_pages.py: the hub on SQLite and on
PostgreSQL, AT12's and HU22's organisations in its register): the network calendar with two sites' events
and their counts, its iCalendar feed parsed back, the stakeholder platforms with their members and forums,
and wrong or hostile input answered without a 500."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from icalendar import Calendar

from tests.support.hub import apply
from tests.support.hub_community import event, in_days, member, new_id
from tests.support.web import field_errors

HOSTILE = ["' OR 1=1 --", "<script>alert(1)</script>", "%00", "\u202e", "A" * 5000, "{{7*7}}", "../../etc/passwd"]


@pytest.fixture(scope="module")
def community(network):
    """AT12: a forum of the platform with seats left, a full network-wide conference, a cancelled seminar and a
    past forum; HU22: a training in Hungarian. AT members: two of AT12's organisations (one left again);
    HU: one of HU22's."""
    at12, hu22 = network["at12"], network["hu22"]
    ids = {name: new_id() for name in ("forum", "conference", "seminar", "past", "training")}
    hub = network["hub"].runtime
    apply(hub,
          event(1, ids["forum"], platform_forum=True, starts_at=in_days(10)),
          event(2, ids["forum"], "community.event.updated", platform_forum=True, starts_at=in_days(10), registered=17),
          event(1, ids["conference"], kind="conference", scope="network", starts_at=in_days(45), capacity=50,
                registered=50, waiting=7, reference="AT12-V-2026-0002",
                texts=[{"language": "de", "title": "Netzwerkkonferenz Sozialunternehmen", "summary": "Jahrestreffen"}]),
          event(1, ids["seminar"], kind="seminar", starts_at=in_days(12), reference="AT12-V-2026-0003",
                texts=[{"language": "en", "title": "Seminar on public procurement", "summary": "Social clauses"}]),
          event(2, ids["seminar"], "community.event.cancelled", kind="seminar", starts_at=in_days(12),
                status="cancelled", reference="AT12-V-2026-0003",
                texts=[{"language": "en", "title": "Seminar on public procurement", "summary": "Social clauses"}]),
          event(1, ids["past"], platform_forum=True, starts_at=in_days(-30), reference="AT12-V-2026-0000",
                texts=[{"language": "de", "title": "Gründungsforum der Plattform", "summary": "Rückblick"}]),
          event(1, ids["training"], site="HU22", kind="training", country="HU", nuts3="HU221", languages=["hu", "en"],
                starts_at=in_days(20), capacity=15, registered=5, reference="HU22-R-2026-0001",
                texts=[{"language": "hu", "title": "Képzés a körforgásos gazdaságról", "summary": "Gyakorlat"},
                       {"language": "en", "title": "Training on the circular economy", "summary": "Practice"}]),
          member(1, at12.ids["Mostviertler Metallwerk"], role="social_enterprise"),
          member(1, at12.ids["Donauland Handels AG"], role="company"),
          member(2, at12.ids["Donauland Handels AG"], role="company", status="left"),
          member(1, hu22.ids["Győri Asztalosműhely"], site="HU22", country="HU", role="social_enterprise"))
    return ids


def test_the_calendar_shows_both_sites_events_by_month_with_their_counts(network, community):
    browser = network["hub"].browser()
    assert browser.get("/calendar?lang=en").status_code == 200
    page = browser.page
    assert "Circular economy forum" in page and "Training on the circular economy" in page
    assert "13 seats left of 30" in page, "30 seats, 17 taken (the newest snapshot)"
    assert "Full, 7 people waiting" in page and "Network-wide" in page
    assert "Netzwerkkonferenz Sozialunternehmen" in page, "no English text: the first one given"
    assert "Seminar on public procurement" in page and "Called off" in page
    assert "Gründungsforum der Plattform" not in page, "a past event is not upcoming"
    at12_url = network["hub"].runtime.settings.federation.site("AT12").url
    assert f'href="{at12_url}/events/{community["forum"]}"' in page
    assert page.index("Circular economy forum") < page.index("Training on the circular economy") < page.index(
        "Netzwerkkonferenz Sozialunternehmen"), "soonest first"
    assert "Deutsch" in page and "Magyar" in page


def test_the_calendar_is_in_the_readers_language(network, community):
    browser = network["hub"].browser()
    forum_starts = in_days(10).astimezone(ZoneInfo("Europe/Vienna"))
    assert browser.get("/calendar?lang=hu").status_code == 200
    assert "Képzés a körforgásos gazdaságról" in browser.page and "Hálózati naptár" in browser.page
    assert format_date(forum_starts, "LLLL yyyy", locale="hu") in browser.page, "the month in Hungarian"
    assert browser.get("/calendar?lang=de").status_code == 200
    assert format_date(forum_starts, "LLLL yyyy", locale="de") in browser.page, "the month in German"
    assert f"{format_date(forum_starts, 'medium', locale='de')}, {forum_starts:%H:%M} – " in browser.page
    assert "Forum Kreislaufwirtschaft" in browser.page and "13 von 30 Plätzen frei" in browser.page
    assert "Ausgebucht, 7 Personen auf der Warteliste" in browser.page


def test_the_calendar_filters_by_country_site_and_kind(network, community):
    browser = network["hub"].browser()
    browser.get("/calendar?country=HU&lang=en")
    assert "Training on the circular economy" in browser.page and "Circular economy forum" not in browser.page
    browser.get("/calendar?site=AT12&kind=conference&lang=en")
    assert "Netzwerkkonferenz Sozialunternehmen" in browser.page and "Circular economy forum" not in browser.page
    browser.get("/calendar?site=HU22&kind=forum&lang=en")
    assert "No upcoming event matches these filters." in browser.page


def test_wrong_and_hostile_filters_are_field_messages_never_a_500(network, community):
    browser = network["hub"].browser()
    assert browser.get("/calendar?country=XX&site=ZZ99&kind=party&lang=de").status_code == 422
    errors = field_errors(browser.page)
    assert errors["f-site"] == ["Bitte wählen Sie eine der Servicestellen."]
    assert errors["f-country"] == ["Bitte wählen Sie eine der Möglichkeiten."]
    assert errors["f-kind"] == ["Bitte wählen Sie eine der Möglichkeiten."]
    client = network["hub"].app.test_client()
    for value in HOSTILE:
        for path in ("/calendar", "/calendar.ics"):
            response = client.get(path, query_string={"country": value, "site": value, "kind": value, "lang": value})
            assert response.status_code == 422, (path, value)
        # Unknown: 404; what the kernel refuses to read at all (a NUL byte, an overlong path): 422.
        assert client.get("/platforms/" + value.replace("/", "%2F")).status_code in (404, 422), value


def test_the_feed_parses_back_with_every_upcoming_event_and_the_cancelled_one_marked(network, community):
    client = network["hub"].app.test_client()
    response = client.get("/calendar.ics?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    entries = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert f"{community['forum']}@at12.sopro" in entries and f"{community['training']}@hu22.sopro" in entries
    assert f"{community['past']}@at12.sopro" not in entries
    assert str(entries[f"{community['seminar']}@at12.sopro"]["status"]) == "CANCELLED"
    forum = entries[f"{community['forum']}@at12.sopro"]
    assert str(forum["summary"]) == "Circular economy forum (AT12)" and str(forum["status"]) == "CONFIRMED"
    assert str(forum["url"]).endswith(f"/events/{community['forum']}")
    hu_only = Calendar.from_ical(client.get("/calendar.ics?country=HU&lang=hu").data)
    assert [str(e["summary"]) for e in hu_only.walk("VEVENT")] == ["Képzés a körforgásos gazdaságról (HU22)"]


def test_a_platform_lists_its_members_and_its_forums(network, community):
    browser = network["hub"].browser()
    assert browser.get("/platforms/AT?lang=en").status_code == 200
    page = browser.page
    assert "Mostviertler Metallwerk" in page and "Donauland Handels AG" not in page, "the member who left is hidden"
    assert "Győri Asztalosműhely" not in page, "HU's member is on HU's platform"
    assert "Circular economy forum" in page and "Gründungsforum der Plattform" in page, "upcoming and past forums"
    assert "Netzwerkkonferenz Sozialunternehmen" not in page, "not a platform forum"
    assert page.index("Upcoming forums") < page.index("Circular economy forum") < page.index("Past forums") < \
        page.index("Gründungsforum der Plattform")
    assert browser.get("/platforms/hu?lang=hu").status_code == 200
    assert "Győri Asztalosműhely" in browser.page and "Érintetti platform" in browser.page
    assert "Még nincs tervezett fórum." in browser.page


def test_the_platforms_are_listed_and_linked_from_the_nav(network, community):
    browser = network["hub"].browser()
    assert browser.get("/platforms?lang=de").status_code == 200
    assert "Nationale Stakeholder-Plattformen" in browser.page
    assert 'href="/platforms/AT"' in browser.page and 'href="/platforms/HU"' in browser.page
    assert "1 Mitgliedsorganisation" in browser.page
    assert 'href="/calendar"' in browser.page and 'href="/platforms"' in browser.page
    assert browser.get("/platforms/SI?lang=de").status_code == 404


def test_the_network_calendar_api_answers_counts_and_all_texts(network, community):
    client = network["hub"].app.test_client()
    response = client.get("/api/v1/network-calendar?site=HU22")
    assert response.status_code == 200
    [training] = response.json["items"]
    assert training["event_id"] == community["training"] and training["kind"] == "training"
    assert (training["capacity"], training["registered"], training["seats_left"], training["waiting"]) == (15, 5, 10, 0)
    assert [t["language"] for t in training["texts"]] == ["hu", "en"] and training["languages"] == ["hu", "en"]
    assert training["url"].endswith(f"/events/{community['training']}") and training["starts_at"].endswith("+00:00")
    assert not {"registrations", "attendees", "email", "name"} & set(training)
    every = client.get("/api/v1/network-calendar").json["items"]
    assert {e["event_id"] for e in every} >= {community["forum"], community["conference"], community["seminar"]}
    assert community["past"] not in {e["event_id"] for e in every}
    refused = client.get("/api/v1/network-calendar?kind=party&country=XX&who=1")
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"kind", "country", "who"}, refused.json
