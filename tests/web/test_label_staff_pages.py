"""The label's staff pages for the days of the assessor and the approver and the label's later life (issue 14):
every form empty, with wrong values and with hostile values answers with messages beside its fields in the
page's language (German at AT12, Hungarian at HU22), never a 500; a step the label's state no longer allows
is a 409 said in the page's language; deciding on a label is the approvers'."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.support.web import field_errors, form_message

HOSTILE = "<script>alert(1)</script>"
LONG = "x" * 2100
REQUIRED = {"de": "Dieses Feld ist erforderlich.", "hu": "Ez a mező kötelező."}


@pytest.mark.parametrize("site_name, lang", [("at12", "de"), ("hu22", "hu")])
def test_the_assessment_form_refuses_empty_wrong_and_hostile_scores(request, site_name, lang):
    site = request.getfixturevalue(site_name)
    app_id = site.submitted_label_application()
    page = f"/office/labels/{app_id}"
    assessor = site.browser()
    assessor.login("assessor")
    assessor.get(page)
    assert assessor.post(f"{page}/assessment", {}).status_code == 422
    errors = field_errors(assessor.page)
    assert errors["f-scores-se_share-reason"] == [REQUIRED[lang]]
    assert set(errors) >= {f"f-scores-{c}-reason" for c in ("se_share", "regional_primary_products",
                                                            "resource_saving", "quality_innovation")}

    hostile = {"scores.se_share.reason": HOSTILE, "scores.regional_primary_products.score": "1e309",
               "scores.regional_primary_products.reason": LONG, "scores.resource_saving.score": "-1",
               "scores.resource_saving.reason": "ok", "scores.quality_innovation.score": "9",
               "scores.quality_innovation.reason": "ok"}
    assert assessor.post(f"{page}/assessment", hostile).status_code == 422
    errors = field_errors(assessor.page)
    assert set(errors) == {"f-scores-regional_primary_products-score", "f-scores-regional_primary_products-reason",
                           "f-scores-resource_saving-score", "f-scores-quality_innovation-score"}, errors
    scale = {"de": "Bitte vergeben Sie 0 bis 5 Punkte.",
             "hu": "Kérjük, 0 és 5 közötti pontszámot adjon meg."}[lang]
    assert errors["f-scores-resource_saving-score"] == [scale] == errors["f-scores-quality_innovation-score"]
    assert "<script>alert" not in assessor.page
    for messages in errors.values():
        assert all(re.search(r"[A-Za-z]", m) and "must" not in m and "Not a" not in m for m in messages), errors

    nine = {**hostile, "scores.regional_primary_products.score": "4", "scores.regional_primary_products.reason": "ok",
            "scores.resource_saving.score": "3"}
    assert assessor.post(f"{page}/assessment", nine).status_code == 422
    assert list(field_errors(assessor.page)) == ["f-scores-quality_innovation-score"]


@pytest.mark.parametrize("site_name, lang", [("at12", "de"), ("hu22", "hu")])
def test_the_decision_form_refuses_empty_wrong_and_hostile_input(request, site_name, lang):
    site = request.getfixturevalue(site_name)
    app_id = site.submitted_label_application()
    site.ok("POST", f"/label-applications/{app_id}/assessment", "assessor", json={"scores": {
        "se_share": {"reason": "t"}, "regional_primary_products": {"score": 4, "reason": "i"},
        "resource_saving": {"score": 3, "reason": "v"}, "quality_innovation": {"score": 4, "reason": "r"}}})
    page = f"/office/labels/{app_id}"
    approver = site.browser()
    approver.login("approver")
    approver.get(page)
    assert approver.post(f"{page}/decision", {}).status_code == 422
    assert field_errors(approver.page) == {"f-outcome": [REQUIRED[lang]], "f-reason": [REQUIRED[lang]]}
    assert approver.post(f"{page}/decision", {"outcome": HOSTILE, "reason": LONG}).status_code == 422
    assert set(field_errors(approver.page)) == {"f-outcome", "f-reason"}
    assert "<script>alert" not in approver.page
    assert approver.post(f"{page}/decision", {"outcome": "refused", "reason": HOSTILE}).status_code == 302
    approver.get(page)
    assert "&lt;script&gt;" in approver.page and "<script>alert" not in approver.page


def test_a_label_is_suspended_reinstated_and_revoked_on_its_page(at12):
    number = at12.granted_label()
    page = f"/office/labels/number/{number}"
    approver = at12.browser()
    approver.login("approver")
    approver.get(page)

    assert approver.post(f"{page}/suspend", {}).status_code == 422
    assert field_errors(approver.page) == {"f-suspend-until": [REQUIRED["de"]], "f-suspend-reason": [REQUIRED["de"]]}
    assert approver.post(f"{page}/suspend", {"until": "1e309", "reason": LONG}).status_code == 422
    assert set(field_errors(approver.page)) == {"f-suspend-until", "f-suspend-reason"}
    far = (date.today() + timedelta(days=400)).isoformat()
    assert approver.post(f"{page}/suspend", {"until": far, "reason": HOSTILE}).status_code == 422
    message = field_errors(approver.page)["f-suspend-until"][0]
    assert message.startswith("Bitte wählen Sie ein Datum nach"), message
    soon = (date.today() + timedelta(days=30)).isoformat()
    assert approver.post(f"{page}/suspend", {"until": soon, "reason": HOSTILE}).status_code == 302
    assert at12.ok("GET", f"/labels/{number}")["status"] == "suspended"
    approver.get(page)
    assert "<script>alert" not in approver.page
    assert approver.post(f"{page}/suspend", {"until": soon, "reason": "again"}).status_code == 409
    assert form_message(approver.page) == "Dieses Gütesiegel ist „Ausgesetzt“: Das ist jetzt nicht möglich."

    assert approver.post(f"{page}/reinstate", {"reason": LONG}).status_code == 422
    assert list(field_errors(approver.page)) == ["f-reinstate-reason"]
    assert approver.post(f"{page}/reinstate", {}).status_code == 302
    approver.get(page)
    assert "Verlängerung" in approver.page and f"{page}/renew" not in approver.page  # renewal: a new assessment

    approver.get(f"{page}/revoke")
    assert approver.post(f"{page}/revoke", {}).status_code == 422
    assert field_errors(approver.page) == {"f-reason": [REQUIRED["de"]]}
    assert approver.post(f"{page}/revoke", {"reason": "Betrug"}).status_code == 302
    assert at12.ok("GET", f"/labels/{number}")["status"] == "revoked"

    assessor = at12.browser()
    assessor.login("assessor")
    assert assessor.get(page).status_code == 200  # staff read it
    assert assessor.post(f"{page}/reinstate", {}).status_code == 403  # deciding is the approvers'
    assert approver.get("/office/labels/number/SOPRO-AT12-2026-9999").status_code == 404
