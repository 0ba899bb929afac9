"""The agency admin publishes the label's next criteria version in the browser at the hub: the form is
pre-filled from the newest version, a bad entry is refused beside its field in the page's language, and a
good one stores the version and sends it to every member site. The agency's viewers read, cannot publish."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.common.clock import utc_today
from services.common.outbox import outbox
from services.hub.criteria.store import hub_criteria
from tests.support.hub_pages import Hub, settings_in
from tests.support.web import field_errors, form_message

PAGE = "/agency/criteria/"
NEW = PAGE + "new"


@pytest.fixture
def hub(tmp_path_factory, federation, federation_files):
    hub = Hub(settings_in(tmp_path_factory, federation, federation_files, "criteria")("EU"))
    yield hub
    hub.runtime.engine.dispose()


def form_values(page: str) -> dict:
    """The values the form shows: inputs, textareas and selected options (as a browser would post them)."""
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        if name != "csrf_token" and "leave_out" not in name:
            values[name] = value
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = text
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        values[name] = chosen.group(1) if chosen else ""
    return values


def stored(hub) -> list:
    with hub.runtime.engine.connect() as conn:
        return conn.execute(select(hub_criteria.c.version, hub_criteria.c.body)).all()


def test_the_form_is_prefilled_from_the_newest_version(hub):
    admin = hub.browser("agency")
    assert admin.get(NEW).status_code == 200
    shown = form_values(admin.page)
    assert shown["c0.minimum"] == "30" and shown["c0.kind"] == "threshold"
    assert shown["c1.max_score"] == "5" and shown["c1.min_score"] == "2"
    assert shown["c0.text.hu"].startswith("A szociális vállalkozás")
    assert shown["title.de"].startswith("Qualitätszeichen")


def test_bad_entries_are_refused_beside_their_fields_in_the_pages_language(hub):
    admin = hub.browser("agency")
    admin.get(NEW + "?lang=de")
    typed = form_values(admin.page)
    typed.update({"applies_from": (utc_today() + timedelta(days=30)).isoformat(),
                  "c1.text.hu": "", "c0.minimum": "-5", "c2.min_score": "7", "c3.max_score": "zehn"})
    response = admin.post(NEW, typed)
    assert response.status_code == 422
    errors = field_errors(admin.page)
    assert errors["f-c1-text-hu"] == ["Dieses Feld ist erforderlich."]
    assert errors["f-c0-minimum"] and "negativ" in errors["f-c0-minimum"][0]
    assert errors["f-c2-min_score"] and errors["f-c3-max_score"] == ["Bitte geben Sie eine ganze Zahl ein."]
    assert set(errors) == {"f-c1-text-hu", "f-c0-minimum", "f-c2-min_score", "f-c3-max_score"}
    assert form_values(admin.page)["c0.minimum"] == "-5", "what was typed is shown again"
    assert stored(hub) == []

    typed.update({"c1.text.hu": "Regionális alapanyagok", "c0.minimum": "150", "c2.min_score": "2",
                  "c3.max_score": "5", "applies_from": (utc_today() - timedelta(days=1)).isoformat()})
    assert admin.post(NEW, typed).status_code == 422
    errors = field_errors(admin.page)
    assert set(errors) == {"f-c0-minimum", "f-applies_from"}
    assert "100" in errors["f-c0-minimum"][0]
    with hub.runtime.engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None


def test_the_agency_admin_publishes_version_2_to_every_site(hub):
    admin = hub.browser("agency")
    admin.get(NEW)
    typed = form_values(admin.page)
    applies_from = utc_today() + timedelta(days=14)
    typed.update({"applies_from": applies_from.isoformat(), "c0.minimum": "40", "validity_years": "3",
                  "title.en": "Quality label, criteria version 2", "c3.leave_out": "on"})
    response = admin.post(NEW, typed)
    assert response.status_code == 302, field_errors(admin.page) or form_message(admin.page)
    assert response.headers["Location"].endswith("/agency/criteria/2")

    [(version, body)] = stored(hub)
    assert version == 2 and body["validity_years"] == 3
    assert [c["id"] for c in body["criteria"]] == ["se_share", "regional_primary_products", "resource_saving"]
    assert body["criteria"][0]["scoring"] == {"minimum": "40"}
    with hub.runtime.engine.connect() as conn:
        sent = conn.execute(select(outbox.c.to_site, outbox.c.type)).all()
    members = {s.id for s in hub.runtime.settings.federation.member_sites}
    assert {to for to, _ in sent} == members and len(sent) == len(members)

    admin.get(PAGE + "2?lang=hu")
    assert "A szociális vállalkozás által teljesített termelési órák aránya" in admin.page
    assert "Anteil der Produktionsstunden" in admin.page and "Share of production hours" in admin.page
    admin.get(PAGE + "?lang=en")
    assert 'href="/agency/criteria/2"' in admin.page and "Quality label, criteria version 2" in admin.page

    admin.get(NEW)  # the next form starts from version 2
    assert "c3.kind" not in form_values(admin.page) and form_values(admin.page)["c0.minimum"] == "40"
    typed.update({"c0.minimum": "45"})  # the form drawn from version 1 once more: it is not the newest
    assert admin.post(NEW, typed).status_code == 409
    assert "2" in form_message(admin.page) and len(stored(hub)) == 1
    assert form_values(admin.page)["based_on"] == "2" and form_values(admin.page)["c0.minimum"] == "40"


def test_an_agency_viewer_reads_but_cannot_publish(hub):
    analyst = hub.browser("analyst")
    assert analyst.get(PAGE).status_code == 200
    assert 'href="/agency/criteria/new"' not in analyst.page
    assert analyst.get(PAGE + "1").status_code == 200
    assert analyst.get(NEW).status_code == 403
    assert hub.browser("stranger").get(PAGE).status_code == 403
    assert analyst.get(PAGE + "9").status_code == 404


def test_a_criterion_is_added_with_its_texts_in_three_languages(hub):
    admin = hub.browser("agency")
    admin.get(NEW + "?lang=en")
    typed = form_values(admin.page)
    typed.update({"applies_from": (utc_today() + timedelta(days=7)).isoformat(), "n.id": "local_suppliers",
                  "n.family": "ecological", "n.kind": "threshold", "n.text.de": "Lokale Lieferanten",
                  "n.text.en": "Local suppliers", "n.figure_name": "share_percent", "n.figure_unit": "percent",
                  "n.figure_min": "0", "n.figure_max": "100", "n.minimum": "120", "n.documents": "invoices"})
    assert admin.post(NEW, typed).status_code == 422
    assert field_errors(admin.page) == {"f-n-text-hu": ["This field is required."],
                                        "f-n-minimum": ["Please enter a value from 0 to 100."]}

    typed.update({"n.text.hu": "Helyi beszállítók", "n.minimum": "25", "n.id": "se_share"})
    assert admin.post(NEW, typed).status_code == 422
    assert list(field_errors(admin.page)) == ["f-n-id"], "an id already in the catalogue"

    typed["n.id"] = "Lokale Lieferanten"
    admin.get(NEW + "?lang=de")
    assert admin.post(NEW, typed).status_code == 422
    assert field_errors(admin.page) == {"f-n-id": [
        "Bitte verwenden Sie Kleinbuchstaben, Ziffern und Unterstriche, beginnend mit einem Buchstaben."]}

    typed["n.id"] = "local_suppliers"
    assert admin.post(NEW, typed).status_code == 302, field_errors(admin.page) or form_message(admin.page)
    [(_, body)] = stored(hub)
    added = body["criteria"][-1]
    assert [c["id"] for c in body["criteria"]][-2:] == ["quality_innovation", "local_suppliers"]
    assert added["text"] == {"de": "Lokale Lieferanten", "hu": "Helyi beszállítók", "en": "Local suppliers"}
    assert added["evidence"] == {"documents": ["invoices"], "figure": {"name": "share_percent", "unit": "percent",
                                                                      "min": "0", "max": "100"}}
    assert added["scoring"] == {"minimum": "25"}


@pytest.mark.parametrize("changes", [
    {"c0.text.de": "Anteil\x00SU"},  # refused before the page (a NUL is no text of a form)
    {"n.id": "x" * 500, "c1.text.hu": "\u202e" * 2000},
    {"c0.figure_min": "NaN", "c0.minimum": "1e400", "validity_years": "-1"},
    {"n.id": "extra", "n.figure_min": "5", "n.kind": "bogus", "n.family": "<script>"},
    {"c0.kind": "", "applies_from": "31.12.2030", "c1.max_score": "99999999999999999999"},
])
def test_hostile_entries_are_refused_never_a_500(hub, changes):
    admin = hub.browser("agency")
    admin.get(NEW)
    typed = {**form_values(admin.page), "applies_from": utc_today().isoformat(), **changes}
    response = admin.post(NEW, typed)  # the Browser asserts no 500
    assert response.status_code == 422
    assert field_errors(admin.page) or any("\x00" in v for v in changes.values())
    assert stored(hub) == []
