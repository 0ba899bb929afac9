"""A member's label applications (/office/member/labels, issue 14 "What to build" 1): the list with state,
product, criteria version, decision, validity and declared evidence; applying for one of its offers with
figures in the page's language and documents declared by SHA-256 and size; saving a draft, submitting it,
withdrawing one after a confirmation. In German at AT12 and Hungarian at HU22; empty, wrong and hostile
forms answer beside their fields; another organisation's application is a 404."""
from __future__ import annotations

import hashlib
import io
import itertools
import re

import pytest

from tests.support.web import field_errors, form_message

NEW_USER = itertools.count()
REPORT = b"%PDF-1.4 test report of the pallet furniture"


def member(site, organisation: str):
    username = f"label-member-{next(NEW_USER)}"
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    browser.get("/office/member/labels")  # a page with this session's CSRF token
    return browser


def application_ids(page: str) -> list[str]:
    return re.findall(r'href="/office/member/labels/([0-9a-f-]{36})"', page)


def right(product: str = "Palettenmöbel") -> dict:
    return {"product": product, "cpv_codes": "39100000", "evidence.se_share.figure": "62,5",
            "evidence.regional_primary_products.figure": "55", "evidence.resource_saving.figure": "3"}


@pytest.fixture(scope="module")
def werkstatt(at12):
    return member(at12, "Traisentaler Werkstatt")


def test_applying_in_german_empty_wrong_hostile_then_right_and_submitting(at12, werkstatt):
    page = werkstatt.page
    assert "<h1>Unsere Gütesiegel-Anträge</h1>" in page and 'href="/office/member/labels"' in page  # its nav link
    offer_id = at12.ids["offer:Traisentaler Werkstatt"]
    assert f'href="/office/member/labels/new?offer={offer_id}"' in page  # apply for one of its offers
    werkstatt.get(f"/office/member/labels/new?offer={offer_id}")
    assert 'value="Offer of Traisentaler Werkstatt"' in werkstatt.page and 'value="39100000"' in werkstatt.page

    assert werkstatt.post("/office/member/labels/new", {"action": "save"}).status_code == 422
    assert field_errors(werkstatt.page) == {"f-product": ["Dieses Feld ist erforderlich."],
                                            "f-cpv_codes": ["Dieses Feld ist erforderlich."]}
    wrong = {**right(), "cpv_codes": "1234", "evidence.se_share.figure": "viel",
             "evidence.regional_primary_products.figure": "150", "evidence.resource_saving.figure": "1e3"}
    assert werkstatt.post("/office/member/labels/new", wrong).status_code == 422
    errors = field_errors(werkstatt.page)
    assert errors["f-cpv_codes"] == ["Das ist kein CPV-2008-Code, z. B. 18930000."]
    assert errors["f-evidence-se_share-figure"] == ["Bitte geben Sie eine Zahl ein."]
    assert errors["f-evidence-resource_saving-figure"] == ["Bitte geben Sie eine Zahl ein."]
    assert errors["f-evidence-regional_primary_products-figure"] == ["Bitte geben Sie eine Zahl von 0 bis 100 ein."]
    assert 'value="viel"' in werkstatt.page
    hostile = {**right("<script>alert(1)</script>"), "holder_organisation_id": at12.ids["Mostviertler Metallwerk"],
               "evidence.unknown.figure": "5", "status": "granted"}
    assert werkstatt.post("/office/member/labels/new", {
        **hostile, "evidence.quality_innovation.document": (io.BytesIO(REPORT), "Prüfbericht.pdf")}).status_code == 302
    werkstatt.get("/office/member/labels")
    assert "&lt;script&gt;" in werkstatt.page and "<script>alert(1)" not in werkstatt.page
    [app] = [a for a in at12.ok("GET", "/label-applications", "admin", query_string={
        "organisation_id": at12.ids["Traisentaler Werkstatt"], "status": "draft", "per_page": 100})["items"]
        if a["product"] == "<script>alert(1)</script>"]
    assert (app["holder_organisation_id"], app["status"], app["holder_name"]) == (
        at12.ids["Traisentaler Werkstatt"], "draft", "Traisentaler Werkstatt")  # its own, whatever was posted
    assert app["evidence"]["se_share"] == {"figure": "62.5", "documents": []}
    [uploaded] = app["evidence"]["quality_innovation"]["documents"]  # uploaded for real (issue 17): it has an id
    assert uploaded == {"id": uploaded["id"], "sha256": hashlib.sha256(REPORT).hexdigest(), "size": len(REPORT),
                        "title": "Prüfbericht.pdf"}

    # the draft again: its figures as German writes them; saved, then submitted with the document kept
    werkstatt.get(f"/office/member/labels/{app['id']}")
    assert 'value="62,5"' in werkstatt.page and "Prüfbericht.pdf" in werkstatt.page
    assert werkstatt.post(f"/office/member/labels/{app['id']}", {
        **right("Palettenmöbel"), "evidence.se_share.figure": "-1", "action": "submit"}).status_code == 422
    assert field_errors(werkstatt.page) == {
        "f-evidence-se_share-figure": ["Bitte geben Sie eine Zahl von 0 bis 100 ein."]}
    assert at12.ok("GET", f"/label-applications/{app['id']}", "admin")["status"] == "draft"
    assert werkstatt.post(f"/office/member/labels/{app['id']}", {**right(), "action": "submit"}).status_code == 302
    submitted = at12.ok("GET", f"/label-applications/{app['id']}", "admin")
    assert submitted["status"] == "submitted" and submitted["product"] == "Palettenmöbel"
    assert submitted["evidence"]["quality_innovation"]["documents"][0]["size"] == len(REPORT)
    werkstatt.get(f"/office/member/labels/{app['id']}")
    assert "Eingereicht" in werkstatt.page
    assert 'name="action"' not in werkstatt.page and hashlib.sha256(REPORT).hexdigest()[:16] in werkstatt.page
    # frozen now: editing and withdrawing are refused in words, never a 500
    assert werkstatt.post(f"/office/member/labels/{app['id']}", {**right(), "action": "save"}).status_code == 409
    assert werkstatt.post(f"/office/member/labels/{app['id']}/withdraw", {"confirm": "on"}).status_code == 409
    assert form_message(werkstatt.page)


def test_the_list_shows_state_version_decision_validity_and_evidence(at12, werkstatt):
    number = at12.granted_label()  # the admin applies for the organisation; assessed and granted
    werkstatt.get("/office/member/labels")
    page = werkstatt.page
    assert number in page and "gültig vom" in page and "Version 1" in page
    assert "Erteilt" in page and "Gültig" in page
    assert "4 Kriterien nachgewiesen, 1 Dokument" in page


def test_withdrawing_a_draft_asks_to_confirm(at12, werkstatt):
    assert werkstatt.post("/office/member/labels/new", {**right("Zurückzuziehen"), "action": "save"}).status_code == 302
    werkstatt.get("/office/member/labels")
    app_id = next(a["id"] for a in at12.ok("GET", "/label-applications", "admin", query_string={
        "organisation_id": at12.ids["Traisentaler Werkstatt"], "status": "draft"})["items"]
        if a["product"] == "Zurückzuziehen")
    werkstatt.get(f"/office/member/labels/{app_id}")
    assert werkstatt.post(f"/office/member/labels/{app_id}/withdraw", {}).status_code == 422
    assert field_errors(werkstatt.page) == {
        "f-withdraw-confirm": ["Bitte bestätigen Sie, dass der Gütesiegel-Antrag zurückgezogen werden soll."]}
    assert werkstatt.post(f"/office/member/labels/{app_id}/withdraw", {"confirm": "on"}).status_code == 302
    assert at12.ok("GET", f"/label-applications/{app_id}", "admin")["status"] == "withdrawn"


def test_another_organisations_application_is_unknown(at12, werkstatt):
    app_id = at12.submitted_label_application()  # Traisentaler Werkstatt's
    metallwerk = member(at12, "Mostviertler Metallwerk")
    assert app_id not in metallwerk.page
    assert metallwerk.get(f"/office/member/labels/{app_id}").status_code == 404
    assert metallwerk.post(f"/office/member/labels/{app_id}", {**right(), "action": "submit"}).status_code == 404
    assert metallwerk.post(f"/office/member/labels/{app_id}/withdraw", {"confirm": "on"}).status_code == 404
    assert metallwerk.get("/office/member/labels/00000000-0000-4000-8000-000000000000").status_code == 404
    assert at12.ok("GET", f"/label-applications/{app_id}", "admin")["status"] == "submitted"
    staff = at12.browser()
    staff.login("broker")
    assert staff.get("/office/member/labels").status_code == 403


def test_the_hungarian_member_sees_its_applications_and_messages_in_hungarian(hu22):
    hu22.submitted_label_application()
    asztalos = member(hu22, "Győri Asztalosműhely")
    page = asztalos.page
    assert "<h1>Védjegykérelmeink</h1>" in page and "Pallet furniture" in page and "Beküldve" in page
    assert asztalos.post("/office/member/labels/new", {
        "product": "Bútor", "cpv_codes": "39100000", "evidence.se_share.figure": "12.5.3",
        "evidence.regional_primary_products.figure": "101"}).status_code == 422
    errors = field_errors(asztalos.page)
    assert set(errors) == {"f-evidence-se_share-figure", "f-evidence-regional_primary_products-figure"}
    assert all("Please" not in message for messages in errors.values() for message in messages)
    assert asztalos.post("/office/member/labels/new", {
        "product": "Bútor", "cpv_codes": "39100000", "evidence.se_share.figure": "62,5",
        "action": "save"}).status_code == 302
    [app] = [a for a in hu22.ok("GET", "/label-applications", "admin", query_string={"status": "draft"})["items"]
             if a["product"] == "Bútor"]
    assert app["evidence"] == {"se_share": {"figure": "62.5", "documents": []}}


def test_the_api_lets_a_member_withdraw_its_own_draft_only(at12):
    """The page's policy is the API's: POST /label-applications/<id>/withdraw for the member's own draft."""
    owner, other = "label-api-owner", "label-api-other"
    at12.add_user(owner, ["member"], at12.ids["Traisentaler Werkstatt"])
    at12.add_user(other, ["member"], at12.ids["Mostviertler Metallwerk"])
    draft = at12.ok("POST", "/label-applications", owner, 201, json={
        "holder_organisation_id": at12.ids["Traisentaler Werkstatt"], "holder_name": "Traisentaler Werkstatt",
        "product": "API-Entwurf", "cpv_codes": ["39100000"]})
    assert at12.call("POST", f"/label-applications/{draft['id']}/withdraw", other).status_code == 403
    assert at12.ok("POST", f"/label-applications/{draft['id']}/withdraw", owner)["status"] == "withdrawn"
    assert at12.call("POST", f"/label-applications/{draft['id']}/withdraw", owner).status_code == 409
    assert at12.call("POST", f"/label-applications/{draft['id']}/withdraw", "broker").status_code == 403
    withdrawn = at12.ok("GET", "/label-applications", owner, query_string={"status": "withdrawn"})["items"]
    assert "API-Entwurf" in [a["product"] for a in withdrawn]
