"""Appeal pages (issue 17, item 4): a member appeals a refusal from its application pages in German at AT12
(empty and over-long grounds answered beside the field, a second appeal refused in words, another
organisation's decision unknown); at HU22 an approver decides an appeal against a suspension in Hungarian,
after the approver who suspended the label was told beside the form, and refused, that another must decide."""
from __future__ import annotations

import itertools
import re

from tests.support.web import IN_20_DAYS, field_errors, form_message

NEW_USER = itertools.count()
SCORES = {"se_share": {"reason": "timesheets"}, "regional_primary_products": {"score": 4, "reason": "invoices"},
          "resource_saving": {"score": 3, "reason": "visit"}, "quality_innovation": {"score": 4, "reason": "tests"}}


def member(site, organisation: str):
    username = f"appeal-member-{next(NEW_USER)}"
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    browser.get("/office/member/labels")
    return username, browser


def refused(site) -> str:
    app_id = site.submitted_label_application()
    site.ok("POST", f"/label-applications/{app_id}/assessment", "assessor", json={"scores": SCORES})
    site.ok("POST", f"/label-applications/{app_id}/decision", "approver",
            json={"outcome": "refused", "reason": "Die Nachweise reichen nicht aus."})
    return app_id


def test_a_member_appeals_a_refusal_in_german(at12):
    app_id = refused(at12)
    _, werkstatt = member(at12, "Traisentaler Werkstatt")
    new = f"/office/member/labels/appeals/new?against=refused&application_id={app_id}"
    assert "<h2 id=\"member-appeals\">Einsprüche</h2>" in werkstatt.page
    assert new.replace("&", "&amp;") in werkstatt.page and "Einspruch ist bis" in werkstatt.page
    werkstatt.get(f"/office/member/labels/{app_id}")  # the application's own page offers it too
    assert new.replace("&", "&amp;") in werkstatt.page

    werkstatt.get(new)
    assert "<h1>Einspruch gegen eine Gütesiegel-Entscheidung</h1>" in werkstatt.page
    assert "Die Nachweise reichen nicht aus." in werkstatt.page and "Einspruch möglich bis" in werkstatt.page
    form = {"against": "refused", "application_id": app_id}
    assert werkstatt.post("/office/member/labels/appeals/new", form).status_code == 422
    assert field_errors(werkstatt.page) == {"f-grounds": ["Dieses Feld ist erforderlich."]}
    assert werkstatt.post("/office/member/labels/appeals/new", {**form, "grounds": "x" * 5001}).status_code == 422
    [too_long] = field_errors(werkstatt.page)["f-grounds"]
    assert "5000" in too_long and "Length" not in too_long
    response = werkstatt.post("/office/member/labels/appeals/new", {
        **form, "grounds": "Die Rechnungen über regionales Holz lagen bei."})
    assert response.status_code == 302
    appeal_id = re.search(r"/office/member/labels/appeals/([0-9a-f-]{36})$", response.headers["Location"]).group(1)
    werkstatt.get(f"/office/member/labels/appeals/{appeal_id}")
    assert "Die Rechnungen über regionales Holz lagen bei." in werkstatt.page and "Offen" in werkstatt.page
    appeal = at12.ok("GET", f"/label-appeals/{appeal_id}", "admin")
    assert (appeal["against"], appeal["application_id"], appeal["status"]) == ("refused", app_id, "open")
    assert appeal["excluded"] == ["assessor", "approver"]

    # filed once: the pages show its state instead of the link; a second one is refused in words
    werkstatt.get(f"/office/member/labels/{app_id}")
    assert new.replace("&", "&amp;") not in werkstatt.page
    assert f'href="/office/member/labels/appeals/{appeal_id}"' in werkstatt.page
    werkstatt.get(new)
    assert werkstatt.post("/office/member/labels/appeals/new", {**form, "grounds": "Noch einmal."}).status_code == 409
    assert form_message(werkstatt.page) == "Gegen diese Entscheidung ist bereits ein Einspruch offen."

    # another organisation neither sees this decision nor the appeal
    _, metallwerk = member(at12, "Mostviertler Metallwerk")
    assert metallwerk.get(new).status_code == 404
    assert metallwerk.get(f"/office/member/labels/appeals/{appeal_id}").status_code == 404


def test_an_approver_decides_in_hungarian_after_the_excluded_one_is_refused(hu22):
    number = hu22.granted_label()  # assessed by "assessor", granted by "approver"
    hu22.ok("POST", f"/labels/{number}/suspend", "approver", json={"until": IN_20_DAYS, "reason": "Panasz érkezett"})
    username, asztalos = member(hu22, "Győri Asztalosműhely")
    assert f"/office/member/labels/appeals/new?against=suspended&amp;label_number={number}" in asztalos.page
    assert "Fellebbezési határidő:" in asztalos.page and "fel van függesztve" in asztalos.page
    appeal = hu22.ok("POST", "/label-appeals", username, 201, json={
        "against": "suspended", "label_number": number, "grounds": "A panasz alaptalan, a számlák csatolva."})
    assert "excluded" not in appeal  # a member does not see the staff's names

    suspender = hu22.browser()
    suspender.login("approver")
    suspender.get("/office/labels/appeals")
    assert 'href="/office/labels/appeals"' in suspender.page and "Védjegy-fellebbezések" in suspender.page
    assert f'href="/office/labels/appeals/{appeal["id"]}"' in suspender.page
    page = f"/office/labels/appeals/{appeal['id']}"
    suspender.get(page)
    refusal = ("Ön korábban már döntött ebben az ügyben (vagy Ön nyújtotta be a fellebbezést), ezért egy másik "
               "jóváhagyónak kell döntenie a fellebbezésről.")
    assert f'<p class="notice error" id="appeal-four-eyes">{refusal}</p>' in suspender.page
    assert 'aria-describedby="appeal-four-eyes"' in suspender.page
    assert "A panasz alaptalan, a számlák csatolva." in suspender.page and "Panasz érkezett" in suspender.page
    assert suspender.post(f"{page}/decision", {"outcome": "upheld", "reason": "rendben"}).status_code == 409
    assert form_message(suspender.page) == refusal
    assert hu22.ok("GET", f"/labels/{number}")["status"] == "suspended"

    approver = hu22.browser()
    approver.login("approver2")
    approver.get(page)
    assert "appeal-four-eyes" not in approver.page and "<h2>Döntés a fellebbezésről</h2>" in approver.page
    assert approver.post(f"{page}/decision", {}).status_code == 422
    assert field_errors(approver.page) == {"f-outcome": ["Ez a mező kötelező."], "f-reason": ["Ez a mező kötelező."]}
    assert approver.post(f"{page}/decision", {"outcome": "upheld", "reason": "A számlák igazolják."}).status_code == 302
    approver.get(page)
    assert "A számlák igazolják." in approver.page and "Megalapozott" in approver.page
    assert "Döntés a fellebbezésről" not in approver.page  # decided: no form any more
    assert hu22.ok("GET", f"/labels/{number}")["status"] == "valid"
    asztalos.get("/office/member/labels")  # the member sees the outcome and the reason
    assert "Megalapozott" in asztalos.page and "A számlák igazolják." in asztalos.page
    assert "against=suspended" not in asztalos.page
    decided = hu22.ok("GET", f"/label-appeals/{appeal['id']}", "admin")
    assert (decided["status"], decided["decided_by"]) == ("upheld", "approver2")
    approver.get(f"/office/labels/number/{number}")  # the label's staff page leads to its appeals
    assert f'href="/office/labels/appeals/{appeal["id"]}"' in approver.page and "Megalapozott" in approver.page
