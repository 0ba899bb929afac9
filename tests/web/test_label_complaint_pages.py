"""Complaints about a label in the browser (issue 17, item 4): a visitor files one in Hungarian at HU22 from the
verification page, follows the secret link the filing gives (also mailed to the address left), and sees the
outcome once the staff reviewed it in German; wrong input answers beside its fields, an unknown link is a 404,
the staff's names and the complainant's contact never reach the visitor's page."""
from __future__ import annotations

import re

from sqlalchemy import select

from services.common.notifications import notification
from services.label import complaint_tracking
from tests.support.web import IN_20_DAYS, field_errors, form_message

HOSTILE = "<script>alert(1)</script>"


def mails(site, kind: str) -> list:
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(notification).where(notification.c.kind == kind)
                            .order_by(notification.c.id)).all()


def test_a_visitor_files_in_hungarian_follows_the_link_and_sees_the_outcome_of_a_german_review(hu22):
    number = hu22.granted_label()
    visitor = hu22.browser()
    visitor.get(f"/labels/verify?number={number}")
    assert f'href="/labels/complaints/new?number={number}"' in visitor.page
    visitor.get("/labels")
    assert 'href="/labels/complaints/new"' in visitor.page
    visitor.get(f"/labels/complaints/new?number={number}")
    assert "<h1>Panasz egy védjegyről</h1>" in visitor.page and f'value="{number}"' in visitor.page

    assert visitor.post("/labels/complaints/new", {"label_number": number}).status_code == 422
    assert field_errors(visitor.page) == {"f-text": ["Ez a mező kötelező."]}
    assert visitor.post("/labels/complaints/new", {"label_number": "ABC-1", "text": "x" * 5001}).status_code == 422
    errors = field_errors(visitor.page)
    assert errors["f-label_number"] == ["Kérjük, a SOPRO-HU22-2026-0001 mintájára adja meg a védjegyszámot."]
    assert set(errors) == {"f-label_number", "f-text"} and "Length" not in str(errors)
    assert visitor.post("/labels/complaints/new", {"label_number": "SOPRO-HU22-2020-9999",
                                                   "text": "Nem igaz."}).status_code == 422
    assert field_errors(visitor.page) == {
        "f-label_number": ["Ez a szolgáltatópont nem adott ki ilyen számú védjegyet."]}
    assert 'value="Nem igaz."' not in visitor.page and "Nem igaz.</textarea>" in visitor.page  # kept as typed

    filed = visitor.post("/labels/complaints/new", {"label_number": number.lower(), "text": HOSTILE,
                                                    "contact": "Kovács Anna <anna@example.hu>, +36 1 234"})
    assert filed.status_code == 302
    link = filed.headers["Location"]
    token = re.search(r"/labels/complaints/track/([^?]+)\?filed=1&mailed=1$", link).group(1)
    assert len(token) == 32
    visitor.get(link)
    assert "Panaszát rögzítettük." in visitor.page and f"/labels/complaints/track/{token}</a>" in visitor.page
    assert "Nyitott" in visitor.page and number in visitor.page
    assert "anna@example.hu" not in visitor.page and "<script>alert" not in visitor.page

    [mail] = [row for row in mails(hu22, "label_complaint_received") if row.recipient == "anna@example.hu"]
    assert mail.language == "hu" and mail.subject == "Megkaptuk a védjeggyel kapcsolatos panaszát"
    assert f"/labels/complaints/track/{token}?lang=hu" in mail.body_text
    with hu22.runtime.engine.connect() as conn:  # the site keeps the link's fingerprint only
        tracked = complaint_tracking.find(conn, token)
        assert tracked is not None and token not in str(conn.exec_driver_sql(
            "SELECT * FROM label_complaint").all())

    approver = hu22.browser()
    approver.login("approver")
    approver.get("/office/labels/complaints?lang=de")
    assert "<h1>Beschwerden zum Gütesiegel</h1>" in approver.page
    complaint_id = tracked.complaint.id
    page = f"/office/labels/complaints/{complaint_id}"
    assert f'href="{page}"' in approver.page
    approver.get(page)
    assert "Kovács Anna &lt;anna@example.hu&gt;, +36 1 234" in approver.page and "&lt;script&gt;" in approver.page
    assert approver.post(f"{page}/review", {}).status_code == 422
    assert field_errors(approver.page) == {"f-status": ["Dieses Feld ist erforderlich."]}
    assert approver.post(f"{page}/review", {"status": "dismissed", "action": "revoke"}).status_code == 422
    assert field_errors(approver.page) == {
        "f-action": ["Nur eine begründete Beschwerde führt zu Aussetzung oder Entzug."]}
    assert approver.post(f"{page}/review", {"status": "upheld", "action": "suspend"}).status_code == 422
    assert field_errors(approver.page) == {"f-suspend_until": ["Eine Aussetzung braucht ein Enddatum."]}
    assert approver.post(f"{page}/review", {"status": "upheld", "action": "suspend",
                                            "suspend_until": "2020-01-01"}).status_code == 422
    assert list(field_errors(approver.page)) == ["f-suspend_until"]

    assert approver.post(f"{page}/review", {"status": "under_review"}).status_code == 302
    visitor.get(f"/labels/complaints/track/{token}")
    assert "Vizsgálat alatt" in visitor.page and "Panaszát rögzítettük." not in visitor.page
    assert approver.post(f"{page}/review", {"status": "upheld", "resolution": "Die Produktion liegt im Ausland.",
                                            "action": "suspend", "suspend_until": IN_20_DAYS}).status_code == 302
    approver.get(page)
    assert "approver" in approver.page and "Prüfung speichern" not in approver.page  # the audit; decided
    assert hu22.ok("GET", f"/labels/{number}")["status"] == "suspended"

    visitor.get(f"/labels/complaints/track/{token}")
    assert "Megalapozott" in visitor.page and "Panaszának helyt adtak." in visitor.page and "Die Produktion liegt im Ausland." in visitor.page
    assert "approver" not in visitor.page and "anna@example.hu" not in visitor.page
    assert approver.post(f"{page}/review", {"status": "dismissed"}).status_code == 409
    assert form_message(approver.page).startswith("Das ist jetzt nicht möglich")


def test_unknown_links_wrong_roles_and_a_complaint_about_the_scheme(at12):
    visitor = at12.browser()
    assert visitor.get("/labels/complaints/track/not-a-token").status_code == 404
    assert visitor.get("/labels/complaints/track/" + "x" * 500).status_code == 404
    visitor.get("/labels/complaints/new")
    filed = visitor.post("/labels/complaints/new", {"text": "Das Gütesiegel-System ist unklar.", "contact": "+43 1 234"})
    assert filed.status_code == 302 and filed.headers["Location"].endswith("?filed=1")  # no address: no mail
    visitor.get(filed.headers["Location"])
    assert "Offen" in visitor.page and "Beschwerde zum Gütesiegel-System" in visitor.page
    assert "+43 1 234" not in visitor.page
    assert visitor.post("/labels/complaints/new", {"text": "x"}, csrf=False).status_code == 400
    filed = at12.ok("POST", "/label-complaints", None, 201, json={"text": "Über die API.", "contact": "a@example.at"})
    assert filed["tracking_url"].startswith(f"{at12.runtime.settings.site.url}/labels/complaints/track/")
    visitor.get(filed["tracking_url"].split(at12.runtime.settings.site.url, 1)[1])
    assert "Offen" in visitor.page and "a@example.at" not in visitor.page

    assert visitor.get("/office/labels/complaints").status_code in (302, 401)
    assessor = at12.browser()
    assessor.login("assessor")
    assessor.get("/office/labels/complaints")
    [complaint_id] = re.findall(r'href="/office/labels/complaints/([0-9a-f-]{36})"', assessor.page)[:1]
    assessor.get(f"/office/labels/complaints/{complaint_id}")
    assert "+43 1 234" in assessor.page and 'name="status"' not in assessor.page  # reads; reviewing is the deciders'
    assert assessor.post(f"/office/labels/complaints/{complaint_id}/review", {"status": "dismissed"}).status_code == 403
    assert assessor.get("/office/labels/complaints/00000000-0000-0000-0000-000000000000").status_code == 404
