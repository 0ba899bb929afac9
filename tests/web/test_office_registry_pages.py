"""The staff's registry pages (issue 14, "Brokers cannot manage organisations, offers or case studies, or turn a
delivery into a case study"): organisations searched, registered, changed and withdrawn after a confirmation
page; an organisation's offers published, changed and withdrawn; case studies written, changed and withdrawn,
one of them from a delivered agreement's link. Numbers are typed the page's way; every form empty, wrong and
hostile is answered beside its fields in German and Hungarian, never a 500. Members get a 403 page."""
from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.web import IN_20_DAYS, field_errors, form_message, new_enquiry

HOSTILE = "<script>alert(1)</script>"


def site_of(at12, hu22, lang: str):
    return at12 if lang == "de" else hu22


def staff(site, username: str = "broker", lang: str | None = None):
    browser = site.browser()
    browser.login(username)
    browser.get(f"/office/organisations?lang={lang or ('de' if site.site_id == 'AT12' else 'hu')}")
    return browser


def organisation_form(site, name: str, **changes) -> dict:
    country = site.site_id[:2]
    form = {"kind": "social_enterprise", "name": name, "registration_number": f"FN {abs(hash(name)) % 10**8} a",
            "address.street": "Hauptplatz 7", "address.postcode": "3100", "address.town": "St. Pölten",
            "address.country": country, "nuts3": "AT123" if country == "AT" else "HU221",
            "coordinates.lat": "48,2" if country == "AT" else "47,68", "coordinates.lon": "15,62",
            "labour_market_segment": "second_labour_market", "workers_in_integration": "1.200" if country == "AT"
            else "1 200", "website": "https://example.org", "contact.name": "Erika Muster",
            "contact.email": "erika@example.org", "contact.phone": "+43 2742 12345"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def registered(site, browser, name: str, **changes) -> str:
    response = browser.post("/office/organisations/new", organisation_form(site, name, **changes))
    assert response.status_code == 302, field_errors(browser.page) or form_message(browser.page)
    return response.headers["Location"].rsplit("/", 1)[1]


# --- access ------------------------------------------------------------------------------------------

def office_paths(site) -> list[str]:
    org, offer, study = site.ids["Traisentaler Werkstatt" if site.site_id == "AT12" else "Győri Asztalosműhely"], \
        None, site.ids["case_study"]
    offer = site.ids[f"offer:{'Traisentaler Werkstatt' if site.site_id == 'AT12' else 'Győri Asztalosműhely'}"]
    return ["/office/organisations", "/office/organisations/new", f"/office/organisations/{org}",
            f"/office/organisations/{org}/withdraw", f"/office/organisations/{org}/offers",
            f"/office/organisations/{org}/offers/new", f"/office/offers/{offer}", f"/office/offers/{offer}/withdraw",
            "/office/case-studies", "/office/case-studies/new", f"/office/case-studies/{study}",
            f"/office/case-studies/{study}/withdraw"]


def test_members_get_a_403_page_and_strangers_the_login(at12):
    at12.add_user("office-probe-member", ["member"], at12.ids["Traisentaler Werkstatt"])
    member = at12.browser()
    member.login("office-probe-member")
    for path in office_paths(at12):
        response = member.get(f"{path}?lang=de")
        assert response.status_code == 403, path
        assert "<html" in member.page and "403" in member.page
    member.get("/office/member")
    assert member.post("/office/organisations/new", organisation_form(at12, "Nicht erlaubt")).status_code == 403
    stranger = at12.browser()
    for path in office_paths(at12)[:3]:
        response = stranger.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("username", ["broker", "admin"])
def test_brokers_and_site_admins_open_every_page(hu22, username):
    browser = staff(hu22, username, "hu")
    for path in office_paths(hu22):
        assert browser.get(path).status_code == 200, path
    assert 'href="/office/organisations"' in browser.page and 'href="/office/case-studies"' in browser.page


# --- organisations -----------------------------------------------------------------------------------

def test_an_organisation_is_registered_searched_and_shown_by_name(at12):
    broker = staff(at12, lang="de")
    broker.get("/office/organisations/new")
    assert '<option value="AT123">' in broker.page and 'value="AT"' in broker.page  # the region from a list
    org_id = registered(at12, broker, "Wachauer Kistenwerk", **{"registration_number": "FN 998877 k"})
    saved = at12.ok("GET", f"/organisations/{org_id}", "broker")
    assert saved["coordinates"] == {"lat": 48.2, "lon": 15.62} and saved["workers_in_integration"] == 1200
    assert saved["contact"]["name"] == "Erika Muster" and saved["address"]["town"] == "St. Pölten"
    broker.get(f"/office/organisations/{org_id}")
    assert "<h1>Wachauer Kistenwerk</h1>" in broker.page and 'value="48,2"' in broker.page
    assert 'value="1.200"' in broker.page and f'href="/office/organisations/{org_id}/profile"' in broker.page
    broker.get("/office/organisations?registration=fn998877K")
    assert "Wachauer Kistenwerk" in broker.page and org_id not in re.sub(r'href="[^"]*"', "", broker.page)
    broker.get("/office/organisations?q=kistenwerk&kind=social_enterprise")
    assert "Wachauer Kistenwerk" in broker.page
    broker.get("/office/organisations?q=kistenwerk&kind=economic_enterprise")
    assert "Wachauer Kistenwerk" not in broker.page and "Keine Organisation passt." in broker.page


def test_the_list_is_paged(hu22):
    broker = staff(hu22, lang="hu")
    for n in range(26):
        hu22.ok("POST", "/organisations", "broker", expect=201, json={
            "kind": "economic_enterprise", "name": f"Lapozó Kft. {n:02d}", "registration_number": f"LAP-{n}",
            "nuts3": "HU222", "address": {"street": "Fő tér 1", "postcode": "9400", "town": "Sopron", "country": "HU"}})
    broker.get("/office/organisations?q=Lapozó")
    assert broker.page.count("Lapozó Kft.") == 25 and "page=2" in broker.page
    broker.get("/office/organisations?q=Lapozó&page=2")
    assert "Lapozó Kft. 25" in broker.page
    assert broker.get("/office/organisations?page=abc").status_code == 422
    assert broker.get("/office/organisations?kind=" + HOSTILE).status_code == 422
    assert "<script>alert(1)" not in broker.page


@pytest.mark.parametrize("lang, required", [("de", "Dieses Feld ist erforderlich."),
                                            ("hu", None)])
def test_an_empty_organisation_form_is_answered_beside_each_field(at12, hu22, lang, required):
    site = site_of(at12, hu22, lang)
    broker = staff(site, lang=lang)
    broker.get("/office/organisations/new")
    assert broker.post("/office/organisations/new", {}).status_code == 422
    errors = field_errors(broker.page)
    assert set(errors) == {"f-kind", "f-name", "f-registration_number", "f-address-street", "f-address-postcode",
                           "f-address-town", "f-address-country", "f-nuts3"}
    if required:
        assert errors["f-name"] == [required]
    assert errors["f-name"][0] != "This field is required."


@pytest.mark.parametrize("lang", ["de", "hu"])
def test_a_wrong_organisation_form_is_answered_in_the_pages_language(at12, hu22, lang):
    site = site_of(at12, hu22, lang)
    broker = staff(site, lang=lang)
    wrong = organisation_form(site, "Falsche Angaben", **{
        "coordinates.lat": "91", "coordinates.lon": None, "website": "ftp://example.org", "contact.email": "kein-at",
        "address.country": "Austria", "workers_in_integration": "1,5", "nuts3": "XX999",
        "labour_market_segment": None})
    assert broker.post("/office/organisations/new", wrong).status_code == 422
    errors = field_errors(broker.page)
    assert {"f-coordinates-lat", "f-coordinates-lon", "f-website", "f-contact-email", "f-address-country",
            "f-workers_in_integration", "f-nuts3", "f-labour_market_segment"} <= set(errors)  # in one round
    assert all(not m.startswith(("Not a", "Must be", "Missing")) for ms in errors.values() for m in ms), errors
    # a social enterprise needs its labour market segment; a company has none (the domain's rule)
    se = organisation_form(site, "Ohne Segment", labour_market_segment=None)
    assert broker.post("/office/organisations/new", se).status_code == 422
    assert field_errors(broker.page)["f-labour_market_segment"] == [
        {"de": "Dieses Feld ist für ein Sozialunternehmen erforderlich.",
         "hu": "Ez a mező szociális vállalkozásnál kötelező."}[lang]]
    company = organisation_form(site, "Firma mit Segment", kind="economic_enterprise")
    assert broker.post("/office/organisations/new", company).status_code == 422
    assert field_errors(broker.page)["f-labour_market_segment"] == [
        {"de": "Lassen Sie dieses Feld leer, wenn die Organisation kein Sozialunternehmen ist.",
         "hu": "Hagyja üresen, ha a szervezet nem szociális vállalkozás."}[lang]]


@pytest.mark.parametrize("lang", ["de", "hu"])
def test_a_hostile_organisation_form_is_refused_and_shown_harmless(at12, hu22, lang):
    site = site_of(at12, hu22, lang)
    broker = staff(site, lang=lang)
    hostile = organisation_form(site, HOSTILE, kind="'; DROP TABLE registry_organisation; --",
                                nuts3="AT12' OR 1=1", **{"address.street": "x" * 300, "coordinates.lat": "NaN",
                                                          "contact.phone": HOSTILE})
    assert broker.post("/office/organisations/new", hostile).status_code == 422
    errors = field_errors(broker.page)
    assert {"f-kind", "f-nuts3", "f-address-street", "f-coordinates-lat", "f-contact-phone"} <= set(errors)
    assert "<script>alert(1)" not in broker.page and "&lt;script&gt;" in broker.page


def test_a_registration_number_is_registered_once(at12):
    broker = staff(at12, lang="de")
    registered(at12, broker, "Erstes Kistenwerk", registration_number="FN 555 a")
    response = broker.post("/office/organisations/new",
                           organisation_form(at12, "Zweites Kistenwerk", registration_number="fn555A"))
    assert response.status_code == 422
    assert field_errors(broker.page)["f-registration_number"] == [
        "Diese Registernummer ist bei dieser Servicestelle schon eingetragen."]


def test_an_organisation_is_changed_and_an_emptied_field_is_said(hu22):
    broker = staff(hu22, lang="hu")
    org_id = registered(hu22, broker, "Rábaközi Műhely", **{"address.town": "Kapuvár"})
    page = f"/office/organisations/{org_id}"
    broker.get(page)
    form = organisation_form(hu22, "Rábaközi Műhely Nonprofit Kft.", website="", **{
        "contact.name": "", "contact.email": "", "contact.phone": "", "coordinates.lat": "", "coordinates.lon": "",
        "workers_in_integration": "2 400", "address.town": "Kapuvár"})
    form.pop("kind")
    assert broker.post(page, form).status_code == 302
    saved = hu22.ok("GET", f"/organisations/{org_id}", "broker")
    assert saved["name"] == "Rábaközi Műhely Nonprofit Kft." and saved["website"] is None
    assert saved["contact"] is None and saved["coordinates"] is None and saved["workers_in_integration"] == 2400
    assert broker.post(page, {**form, "name": ""}).status_code == 422
    assert field_errors(broker.page) == {"f-name": ["Ez a mező kötelező."]}
    assert broker.post(page, {**form, "labour_market_segment": ""}).status_code == 422
    assert field_errors(broker.page) == {"f-labour_market_segment": ["Ez a mező szociális vállalkozásnál kötelező."]}


def test_withdrawing_asks_first_and_takes_the_offers_along(at12):
    broker = staff(at12, lang="de")
    org_id = registered(at12, broker, "Kurzlebige Werkstatt")
    offer = at12.ok("POST", "/offers", "broker", expect=201, json={
        "organisation_id": org_id, "title": "Kurze Sache", "description": "Nur kurz.", "cpv_codes": ["39100000"],
        "capacity_per_week": "5", "unit": "pieces", "lead_time_days": 3})
    page = f"/office/organisations/{org_id}/withdraw"
    broker.get(page)
    assert "Kurzlebige Werkstatt" in broker.page and "1 veröffentlichtes Angebot" in broker.page
    assert at12.ok("GET", f"/organisations/{org_id}", "broker")["status"] == "active"  # asking withdraws nothing
    assert broker.post(page, {"reason": "x" * 501}).status_code == 422
    assert list(field_errors(broker.page)) == ["f-reason"]
    assert broker.post(page, {"reason": "aufgelöst"}).status_code == 302
    assert at12.ok("GET", f"/organisations/{org_id}", "broker")["status"] == "withdrawn"
    assert at12.ok("GET", f"/offers/{offer['id']}", "broker")["status"] == "withdrawn"
    broker.get(f"/office/organisations/{org_id}")
    assert 'action="/office/organisations/' not in broker.page
    assert broker.post(page, {"reason": "noch einmal"}).status_code == 409
    assert form_message(broker.page) == "Diese Organisation ist „Zurückgezogen“: Das ist nicht mehr möglich."


# --- offers ------------------------------------------------------------------------------------------

def offer_form(**changes) -> dict:
    form = {"title": "Hochbeete aus Altholz", "description": "Auf Bestellung.", "cpv_codes": ["39100000", "45421000"],
            "capacity_per_week": "1.250,5", "unit": "pieces", "lead_time_days": "14", "price_min": "1.200",
            "price_max": "2.400,50", "delivery_radius_km": "80", "cross_border": "on"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_an_offer_is_published_changed_and_withdrawn_after_asking(at12):
    broker = staff(at12, lang="de")
    org_id = at12.ids["Mostviertler Metallwerk"]
    broker.get(f"/office/organisations/{org_id}/offers/new")
    assert 'name="cpv_codes" multiple' in broker.page and "45 – " in broker.page  # chosen by its label
    response = broker.post(f"/office/organisations/{org_id}/offers/new", offer_form())
    assert response.status_code == 302
    broker.get(f"/office/organisations/{org_id}/offers")
    offer_id = re.search(r'href="/office/offers/([0-9a-f-]{36})">Hochbeete aus Altholz', broker.page).group(1)
    saved = at12.ok("GET", f"/offers/{offer_id}")
    assert saved["cpv_codes"] == ["39100000", "45421000"] and Decimal(saved["capacity_per_week"]) == Decimal("1250.5")
    assert Decimal(saved["price_max"]) == Decimal("2400.5") and saved["cross_border"] is True
    broker.get(f"/office/offers/{offer_id}")
    assert 'value="1.250,5"' in broker.page and '<option value="45421000" selected>' in broker.page

    assert broker.post(f"/office/offers/{offer_id}", offer_form(
        capacity_per_week="900", price_min="", price_max="", cross_border=None, cpv_codes=["39100000"])).status_code == 302
    saved = at12.ok("GET", f"/offers/{offer_id}")
    assert Decimal(saved["capacity_per_week"]) == 900 and saved["price_min"] is None and saved["cross_border"] is False
    assert saved["cpv_codes"] == ["39100000"]

    broker.get(f"/office/offers/{offer_id}/withdraw")
    assert "Hochbeete aus Altholz" in broker.page and at12.ok("GET", f"/offers/{offer_id}")["status"] == "published"
    assert broker.post(f"/office/offers/{offer_id}/withdraw", {"reason": "ausverkauft"}).status_code == 302
    assert at12.ok("GET", f"/offers/{offer_id}", "broker")["status"] == "withdrawn"
    assert broker.post(f"/office/offers/{offer_id}", offer_form()).status_code == 409
    assert form_message(broker.page) == "Dieses Angebot ist „Zurückgezogen“: Das ist nicht mehr möglich."


def test_a_company_has_no_offers(hu22):
    broker = staff(hu22, lang="hu")
    client = hu22.ids["Zalai Ajándéktárgy Kft."]
    assert broker.get(f"/office/organisations/{client}/offers/new").status_code == 403
    assert broker.get("/office/organisations/00000000-0000-0000-0000-000000000000/offers").status_code == 404


@pytest.mark.parametrize("lang", ["de", "hu"])
@pytest.mark.parametrize("kind, form, fields", [
    ("empty", {}, {"f-title", "f-description", "f-cpv_codes", "f-capacity_per_week", "f-unit", "f-lead_time_days"}),
    ("wrong", offer_form(capacity_per_week="viel", lead_time_days="1,5", price_min="500", price_max="100",
                         delivery_radius_km="-3", cpv_codes=["12345678"]),
     {"f-capacity_per_week", "f-lead_time_days", "f-delivery_radius_km", "f-cpv_codes", "f-price_max"}),
    ("hostile", offer_form(title=HOSTILE * 30, cpv_codes=["39100000' OR '1'='1"], capacity_per_week="1e309",
                           unit=HOSTILE * 10), {"f-title", "f-cpv_codes", "f-capacity_per_week", "f-unit"}),
])
def test_a_bad_offer_form_is_answered_beside_its_fields(at12, hu22, lang, kind, form, fields):
    site = site_of(at12, hu22, lang)
    org_id = site.ids["Traisentaler Werkstatt" if lang == "de" else "Győri Asztalosműhely"]
    broker = staff(site, lang=lang)
    broker.get(f"/office/organisations/{org_id}/offers/new")
    response = broker.post(f"/office/organisations/{org_id}/offers/new", form)
    assert response.status_code == 422, kind
    errors = field_errors(broker.page)
    assert fields <= set(errors), errors
    assert all(not m.startswith(("Not a", "Must be", "Missing", "Length")) for ms in errors.values() for m in ms)
    assert "<script>alert(1)" not in broker.page


def test_the_price_range_is_checked_by_the_domain(hu22):
    broker = staff(hu22, lang="hu")
    org_id = hu22.ids["Győri Asztalosműhely"]
    broker.get(f"/office/organisations/{org_id}/offers/new")
    form = offer_form(price_min="5 000", price_max="1 000,5", capacity_per_week="12,5")
    assert broker.post(f"/office/organisations/{org_id}/offers/new", form).status_code == 422
    assert list(field_errors(broker.page)) == ["f-price_max"]


# --- case studies ------------------------------------------------------------------------------------

def study_form(site, **changes) -> dict:
    se, client = ("Traisentaler Werkstatt", "Donauland Handels AG") if site.site_id == "AT12" else \
        ("Győri Asztalosműhely", "Zalai Ajándéktárgy Kft.")
    german = site.site_id == "AT12"
    form = {"title": "Sitzbänke für den Kurpark", "summary": "Aus alten Paletten gebaut.", "year": "2026",
            "cpv_codes": ["39100000"], "social_enterprise_id": site.ids[se], "client_organisation_id": site.ids[client],
            "impact.value_paid_eur": "14.800,50" if german else "14 800,50",
            "impact.material_diverted_kg": "1.250" if german else "1 250", "impact.integration_hours": "2.100,25"
            if german else "2 100,25"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_case_study_is_written_changed_and_withdrawn_after_asking(at12):
    broker = staff(at12, lang="de")
    response = broker.post("/office/case-studies/new", study_form(at12))
    assert response.status_code == 302
    study_id = response.headers["Location"].rsplit("/", 1)[1]
    saved = at12.ok("GET", f"/case-studies/{study_id}")
    assert Decimal(saved["impact"]["value_paid_eur"]) == Decimal("14800.5") and saved["year"] == 2026
    assert Decimal(saved["impact"]["integration_hours"]) == Decimal("2100.25")
    broker.get(f"/office/case-studies/{study_id}")
    assert 'value="14.800,5"' in broker.page and "Traisentaler Werkstatt" in broker.page
    broker.get("/office/case-studies")
    assert "Sitzbänke für den Kurpark" in broker.page and "Donauland Handels AG" in broker.page

    changed = study_form(at12, title="Sitzbänke für den Kurpark Baden", **{"impact.material_diverted_kg": "",
                                                                          "client_organisation_id": ""})
    assert broker.post(f"/office/case-studies/{study_id}", changed).status_code == 302
    saved = at12.ok("GET", f"/case-studies/{study_id}")
    assert saved["title"] == "Sitzbänke für den Kurpark Baden" and saved["client_organisation_id"] is None
    assert saved["impact"]["material_diverted_kg"] is None

    broker.get(f"/office/case-studies/{study_id}/withdraw")
    assert at12.ok("GET", f"/case-studies/{study_id}")["status"] == "published"
    assert broker.post(f"/office/case-studies/{study_id}/withdraw", {"reason": ""}).status_code == 302
    assert at12.browser().get(f"/case-studies/{study_id}").status_code == 404  # gone from the public page
    broker.get("/office/case-studies?status=withdrawn")
    assert "Sitzbänke für den Kurpark Baden" in broker.page
    assert broker.post(f"/office/case-studies/{study_id}/withdraw", {}).status_code == 409


@pytest.mark.parametrize("lang", ["de", "hu"])
@pytest.mark.parametrize("kind, changes, fields", [
    ("empty", None, {"f-title", "f-summary", "f-year"}),
    ("wrong", {"year": "1850", "impact.value_paid_eur": "-5", "impact.integration_hours": "viele",
               "social_enterprise_id": "client"}, {"f-year", "f-impact-integration_hours", "f-social_enterprise_id"}),
    ("hostile", {"title": HOSTILE, "year": "2026; DROP TABLE", "cpv_codes": [HOSTILE],
                 "client_organisation_id": "../../etc/passwd", "impact.material_diverted_kg": "1e999"},
     {"f-year", "f-cpv_codes", "f-client_organisation_id", "f-impact-material_diverted_kg"}),
])
def test_a_bad_case_study_form_is_answered_beside_its_fields(at12, hu22, lang, kind, changes, fields):
    site = site_of(at12, hu22, lang)
    broker = staff(site, lang=lang)
    broker.get("/office/case-studies/new")
    if changes is not None and changes.get("social_enterprise_id") == "client":
        changes = {**changes, "social_enterprise_id": site.ids["Donauland Handels AG" if lang == "de"
                                                               else "Zalai Ajándéktárgy Kft."]}
    form = {} if changes is None else study_form(site, **changes)
    assert broker.post("/office/case-studies/new", form).status_code == 422, kind
    errors = field_errors(broker.page)
    assert fields <= set(errors), errors
    assert all(not m.startswith(("Not a", "Must be", "Missing", "must")) for ms in errors.values() for m in ms), errors
    assert "<script>alert(1)" not in broker.page


def test_a_company_cannot_be_the_social_enterprise_of_a_case_study(hu22):
    broker = staff(hu22, lang="hu")
    form = study_form(hu22, social_enterprise_id=hu22.ids["Zalai Ajándéktárgy Kft."])
    assert broker.post("/office/case-studies/new", form).status_code == 422
    assert field_errors(broker.page)["f-social_enterprise_id"] == ["Kérjük, válasszon szociális vállalkozást."]


# --- a delivery becomes a case study -----------------------------------------------------------------

def delivered_enquiry(site, title: str, public_title: str) -> str:
    enquiry_id = new_enquiry(site, title)
    site.ok("PUT", f"/enquiries/{enquiry_id}/public-text", "broker", json={"title": public_title, "description": None})
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", "broker", json={"to": "matching"})
    se = "Traisentaler Werkstatt" if site.site_id == "AT12" else "Győri Asztalosműhely"
    proposal = site.ok("POST", f"/enquiries/{enquiry_id}/proposals", "broker", expect=201, json={
        "organisation_id": site.ids[se], "offer_id": site.ids[f"offer:{se}"], "quantity": "100",
        "unit": "pieces" if site.site_id == "AT12" else "darab", "price": "4200",
        "currency": "EUR" if site.site_id == "AT12" else "HUF", "delivery_date": IN_20_DAYS})
    agreement = site.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposal['id']}/accept", "broker", expect=201)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", "broker", json={"to": "in_production"})
    site.ok("POST", f"/enquiries/{enquiry_id}/agreements/{agreement['id']}/deliver", "broker", json={
        "material_diverted_kg": "1250.5", "integration_hours": "300", "regional_share": "0.8"})
    return enquiry_id


def test_a_delivered_agreement_links_to_a_filled_in_case_study_form(at12):
    enquiry_id = delivered_enquiry(at12, "Bänke für die Volksschule Melk", "Bänke für eine Volksschule")
    broker = staff(at12, lang="de")
    broker.get(f"/office/enquiries/{enquiry_id}")
    link = re.search(r'<a class="button" href="(/office/case-studies/new\?[^"]+)">Diese Lieferung als Fallbeispiel',
                     broker.page)
    assert link, broker.page[-4000:]
    address = link.group(1).replace("&amp;", "&")
    facts = parse_qs(urlsplit(address).query)
    assert facts["title"] == ["Bänke für eine Volksschule"] and facts["material_diverted_kg"] == ["1250.5"]
    assert facts["summary"] == ["100 Stück geliefert von Traisentaler Werkstatt (%s)." % facts["reference"][0]]
    assert not {"contact", "email", "phone"} & set(facts)
    broker.get(address)
    assert 'value="Bänke für eine Volksschule"' in broker.page and 'value="1.250,5"' in broker.page
    assert f'<option value="{at12.ids["Traisentaler Werkstatt"]}" selected>' in broker.page
    assert f'<option value="{at12.ids["Donauland Handels AG"]}" selected>' in broker.page
    assert '<option value="39100000" selected>' in broker.page
    form = {k: v[0] for k, v in facts.items() if k in ("title", "summary", "year")}
    form.update({"cpv_codes": ["39100000"], "social_enterprise_id": at12.ids["Traisentaler Werkstatt"],
                 "client_organisation_id": at12.ids["Donauland Handels AG"],
                 "impact.value_paid_eur": "4.200", "impact.material_diverted_kg": "1.250,5",
                 "impact.integration_hours": "300"})
    response = broker.post("/office/case-studies/new", form)
    assert response.status_code == 302
    public = at12.browser()
    public.get(response.headers["Location"].replace("/office", ""))
    assert "Bänke für eine Volksschule" in public.page


def test_a_made_up_link_fills_in_nothing_harmful(hu22):
    broker = staff(hu22, lang="hu")
    response = broker.get("/office/case-studies/new?title=" + HOSTILE + "&year=20x6&cpv_codes=1234,39100000"
                          "&social_enterprise_id=../x&value_paid_eur=NaN&integration_hours=12.5&reference=" + "R" * 99)
    assert response.status_code == 200
    assert "<script>alert(1)" not in broker.page and "&lt;script&gt;" in broker.page
    assert '<option value="39100000" selected>' in broker.page and 'value="12,5"' in broker.page
    assert 'id="f-impact-value_paid_eur" name="impact.value_paid_eur" type="text" value=""' in broker.page
    assert "R" * 40 + " " in broker.page and "R" * 41 + " " not in broker.page  # the notice's reference, cut


def test_the_lists_stack_on_a_phone_with_each_cell_named_by_its_column(hu22):
    from tests.web.test_portal_stacked_tables import STACKED, cells_and_columns
    broker = staff(hu22, lang="hu")
    org = hu22.ids["Győri Asztalosműhely"]
    for path in ("/office/organisations", f"/office/organisations/{org}/offers", "/office/case-studies"):
        broker.get(path)
        tables = STACKED.findall(broker.page)
        assert tables, path
        pairs = [pair for table in tables for pair in cells_and_columns(table)]
        assert pairs and all(label == column for label, column in pairs), (path, pairs)


@pytest.mark.parametrize("lang", ["de", "hu"])
@pytest.mark.parametrize("reason", ["x" * 501, HOSTILE * 30])  # wrong (too long), hostile
def test_a_bad_reason_withdraws_nothing_and_is_said_beside_its_field(at12, hu22, lang, reason):
    site = site_of(at12, hu22, lang)
    broker = staff(site, lang=lang)
    se = "Traisentaler Werkstatt" if lang == "de" else "Győri Asztalosműhely"
    pages = {f"/office/organisations/{site.ids[se]}/withdraw": f"/organisations/{site.ids[se]}",
             f"/office/offers/{site.ids['offer:' + se]}/withdraw": f"/offers/{site.ids['offer:' + se]}",
             f"/office/case-studies/{site.ids['case_study']}/withdraw": f"/case-studies/{site.ids['case_study']}"}
    for page, record in pages.items():
        broker.get(page)
        assert broker.post(page, {"reason": reason}).status_code == 422, page
        assert list(field_errors(broker.page)) == ["f-reason"]
        assert field_errors(broker.page)["f-reason"][0] == {
            "de": "Bitte geben Sie zwischen 1 und 500 Zeichen ein.",
            "hu": "Kérjük, 1 és 500 közötti számú karaktert adjon meg."}[lang]
        assert "<script>alert(1)" not in broker.page
        assert site.ok("GET", record, "broker")["status"] in ("active", "published")
