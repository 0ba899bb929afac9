"""The expert base at a site (issue 19): the consultant directory's public professional profile, shown only
with the expert's consent, through the public API `GET /api/v1/experts` and the page `/experts`; the staff
form records the consent (who, when), and withdrawing it hides the profile at once. Malformed filters are
422, hostile input never a 500, and no name reaches the events or the logs."""
from __future__ import annotations

import logging
import uuid

import pytest

from tests.support.web import field_errors


def word() -> str:
    return "Fachgebiet" + uuid.uuid4().hex[:8]


def expert(site, name: str, public: bool = True, **overrides) -> dict:
    body = {"name": name, "expertise": ["45", "90"], "languages": ["de", "en"], "public_profile": public,
            "region": "AT121", "summaries": {"de": "Beratung zu Bau und Kreislaufwirtschaft", "en": "Advice"},
            "publications": [{"title": "Soziale Beschaffung", "year": 2024, "url": "https://example.org/b"}],
            **overrides}
    return site.ok("POST", "/consultants", "broker", expect=201, json=body)


def search(site, **params) -> dict:
    return site.ok("GET", "/experts", None, query_string=params)


def test_only_consented_active_experts_appear_with_their_public_fields_only(at12):
    key = word()
    shown = expert(at12, f"Dr. Eva Kern {key}")
    expert(at12, f"Max Verborgen {key}", public=False)
    inactive = expert(at12, f"Ina Ruhend {key}")
    at12.ok("PATCH", f"/consultants/{inactive['id']}", "broker", json={"active": False})
    assert shown["public_profile"] is True and shown["profile_consent_by"] == "broker"
    assert shown["profile_consent_at"]
    answer = search(at12, q=key)
    assert [e["name"] for e in answer["items"]] == [f"Dr. Eva Kern {key}"] and answer["total"] == 1
    assert set(answer["items"][0]) == {"id", "name", "expertise", "languages", "region", "summaries", "publications"}
    assert answer["items"][0]["publications"] == [{"title": "Soziale Beschaffung", "year": 2024,
                                                   "url": "https://example.org/b"}]


def test_withdrawing_the_consent_hides_the_profile_at_once(at12):
    key = word()
    made = expert(at12, f"Zita Widerruf {key}")
    assert len(search(at12, q=key)["items"]) == 1
    withdrawn = at12.ok("PATCH", f"/consultants/{made['id']}", "broker", json={"public_profile": False})
    assert withdrawn["public_profile"] is False and withdrawn["profile_consent_by"] is None
    assert search(at12, q=key)["items"] == []
    again = at12.ok("PATCH", f"/consultants/{made['id']}", "admin", json={"public_profile": True})
    assert again["profile_consent_by"] == "admin" and len(search(at12, q=key)["items"]) == 1


def test_filters_by_division_language_region_and_words(at12):
    key = word()
    expert(at12, f"Anna Bau {key}", expertise=["45"], languages=["de"], region="AT121")
    expert(at12, f"Béla Textil {key}", expertise=["18"], languages=["hu", "en"], region="AT12",
           summaries={"hu": "Textil-újrahasznosítás"}, publications=[])
    names = lambda **f: sorted(e["name"].split()[0] for e in search(at12, q=key, **f)["items"])  # noqa: E731
    assert names() == ["Anna", "Béla"]
    assert names(division="45") == ["Anna"] and names(division="18") == ["Béla"]
    assert names(language="hu") == ["Béla"] and names(language="de") == ["Anna"]
    assert names(region="AT121") == ["Anna", "Béla"]  # Béla covers all of AT12
    assert names(region="AT122") == ["Béla"]
    assert names(region="HU22") == []
    assert search(at12, q=f"{key} újrahasznosítás".replace(key + " ", ""), region="AT12")["total"] >= 1
    assert search(at12, q=key, limit=1)["total"] == 2 and len(search(at12, q=key, limit=1)["items"]) == 1


@pytest.mark.parametrize("params", [{"division": "4"}, {"division": "99"}, {"division": "45000000"},
                                    {"language": "fr"}, {"region": "at12"}, {"region": "AT12345"},
                                    {"limit": "0"}, {"limit": "51"}, {"limit": "x"}, {"q": "x" * 101},
                                    {"surprise": "1"}])
def test_malformed_filters_are_422_with_the_field_named(at12, params):
    response = at12.call("GET", "/experts", None, query_string=params)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(params) <= set(errors.get("query", errors))


@pytest.mark.parametrize("q", ["%' OR 1=1 --", "<script>alert(1)</script>", "\\x00", "_%_", "Ω≈ç√∫", "zzqq\tyyxx",
                               "'; DROP TABLE programmes_consultant; --"])
def test_hostile_words_are_just_words(at12, q):
    answer = at12.ok("GET", "/experts", None, query_string={"q": q})
    assert answer["items"] == [] and answer["total"] == 0


def test_nul_in_a_filter_is_refused_not_a_500(at12):
    assert at12.call("GET", "/experts", None, query_string={"q": "a\x00b"}).status_code in (400, 422)


@pytest.mark.parametrize("change, field", [
    ({"publications": [{"title": "X", "year": 2024, "url": "javascript:alert(1)"}]}, "publications"),
    ({"publications": [{"title": "X", "year": 2024, "url": "ftp://example.org/x"}]}, "publications"),
    ({"publications": [{"title": "X", "year": 1066}]}, "publications"),
    ({"region": "HU221"}, "region"), ({"region": "DE11"}, "region"),
    ({"summaries": {"fr": "Bonjour"}}, "summaries"), ({"summaries": {"de": "x" * 1001}}, "summaries")])
def test_a_bad_profile_is_422_naming_the_field(at12, change, field):
    response = at12.call("POST", "/consultants", "broker", json={
        "name": "Falsch", "expertise": ["45"], "languages": ["de"], "public_profile": True, **change})
    assert response.status_code == 422 and field in response.json["errors"]


def test_the_public_page_in_german_names_divisions_and_hides_the_unconsenting(at12):
    key = word()
    expert(at12, f"Petra Sichtbar {key}")
    expert(at12, f"Paul Unsichtbar {key}", public=False)
    browser = at12.browser()
    assert browser.get(f"/experts?lang=de&q={key}").status_code == 200
    assert f"Petra Sichtbar {key}" in browser.page and "Unsichtbar" not in browser.page
    assert "Bauarbeiten" in browser.page and "Beratung zu Bau" in browser.page
    assert 'href="https://example.org/b"' in browser.page
    assert browser.get("/experts?lang=hu&division=4x&language=fr").status_code == 422
    assert field_errors(browser.page)["f-division"] and field_errors(browser.page)["f-language"]
    assert browser.get("/experts?lang=en&q=%3Cscript%3E").status_code == 200 and "<script>" not in browser.page


def test_the_staff_form_records_the_consent_and_shows_errors_beside_the_fields(at12, broker):
    key = word()
    made = expert(at12, f"Olga Formular {key}", public=False, region=None, summaries={}, publications=[])
    page = f"/office/consultants/{made['id']}/profile"
    assert broker.get(f"{page}?lang=de").status_code == 200 and "Olga Formular" in broker.page
    bad = broker.post(page, {"public_profile": "on", "region": "HU221", "summaries.de": "Kurz",
                             "publications": "Gute Praxis | 2023 | javascript:alert(1)\nOhne Jahr"})
    assert bad.status_code == 422
    errors = field_errors(broker.page)
    assert errors["f-region"] == ["Bitte wählen Sie eine Region des Landes dieser Servicestelle."]
    assert any("https://" in m for m in errors["f-publications"]) and any("Zeile 2" in m for m in errors["f-publications"])
    assert search(at12, q=key)["items"] == []
    good = broker.post(page, {"public_profile": "on", "region": "AT12", "summaries.de": "Kurzprofil",
                              "publications": "Gute Praxis | 2023 | https://example.org/p\nOhne Link | 2021"})
    assert good.status_code == 302
    shown = search(at12, q=key)["items"]
    assert [e["region"] for e in shown] == ["AT12"] and [p["url"] for p in shown[0]["publications"]] == [
        "https://example.org/p", None]
    assert at12.ok("GET", f"/consultants/{made['id']}", "broker")["profile_consent_by"] == "broker"
    assert broker.post(page, {"region": "AT12"}).status_code == 302  # unticked: withdrawn
    assert search(at12, q=key)["items"] == []


def test_no_name_in_the_events_or_the_logs(at12, caplog):
    key = word()
    before = len(at12.outbox_rows())
    with caplog.at_level(logging.DEBUG):
        made = expert(at12, f"Greta Geheim {key}")
        search(at12, q=key)
        at12.browser().get(f"/experts?q={key}")
        at12.ok("PATCH", f"/consultants/{made['id']}", "broker", json={"public_profile": False})
    assert len(at12.outbox_rows()) == before
    assert key not in caplog.text and "Geheim" not in caplog.text
    assert "expert search" in caplog.text
