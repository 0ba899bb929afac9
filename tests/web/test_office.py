"""The back office: the brokers' board, an enquiry's page with its transitions, shortlist, proposals,
messages and agreements; consultation programmes; label applications with the four-eyes rule; users
and roles, dead letters and the outbox. Every form: empty, wrong, valid; refusals shown, never a 500."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.support.web import IN_20_DAYS, field_errors, form_message, new_enquiry


def test_the_board_shows_enquiries_by_state(at12, broker):
    enquiry_id = new_enquiry(at12, "Benches for the board")
    broker.get("/office/enquiries")
    column = broker.page.split('id="col-submitted"')[1].split("</section>")[0]
    assert "Benches for the board" in column and f"/office/enquiries/{enquiry_id}" in column


def test_a_broker_moves_an_enquiry_forward_with_buttons_and_the_audit_trail_says_who(at12, broker):
    enquiry_id = new_enquiry(at12, "Benches to move")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert 'name="to" value="in_consultation"' in broker.page and 'name="to" value="closed"' not in broker.page
    response = broker.post(f"{page}/move", {"to": "in_consultation", "reason": "Erstgespräch vereinbart"})
    assert response.status_code == 302
    broker.get(page)
    assert "Die Anfrage ist jetzt: In Beratung." in broker.page
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "in_consultation"
    audit = broker.page.split('id="audit"')[1]
    assert "Eingereicht → In Beratung" in audit and "broker (Vermittlung)" in audit
    assert "Erstgespräch vereinbart" in audit


def test_an_illegal_or_premature_move_is_shown_not_failed(at12, broker):
    enquiry_id = new_enquiry(at12, "Benches not ready")
    broker.get(f"/office/enquiries/{enquiry_id}")
    response = broker.post(f"/office/enquiries/{enquiry_id}/move", {"to": "closed"})
    assert response.status_code == 409
    assert form_message(broker.page) == (
        "Eine Anfrage im Zustand „Eingereicht“ kann nicht zu „Abgeschlossen“ wechseln; "
        "möglich ist: In Beratung, Suche nach Anbietern, Storniert.")
    response = broker.post(f"/office/enquiries/{enquiry_id}/move", {"to": ""})
    assert response.status_code == 422 and "Dieses Feld ist erforderlich." in broker.page
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "submitted"


def test_shortlist_proposal_acceptance_message_and_delivery(at12, broker):
    enquiry_id = new_enquiry(at12, "Benches to negotiate")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    broker.post(f"{page}/move", {"to": "matching"})
    broker.get(page)
    shortlist = broker.page.split('id="proposals"')[0]
    assert "Traisentaler Werkstatt" in shortlist and "CPV 39100000 genau: +40" in shortlist  # with its reasons
    candidate = re.search(r'<option value="([0-9a-f-]{36}:[0-9a-f-]{36})"', broker.page).group(1)
    # empty and wrong terms: field messages
    assert broker.post(f"{page}/proposals", {"candidate": "", "quantity": "", "price": ""}).status_code == 422
    errors = field_errors(broker.page)
    assert errors["f-candidate"] == ["Dieses Feld ist erforderlich."] and errors["f-price"]
    broker.post(f"{page}/proposals", {"candidate": candidate, "quantity": "100", "unit": "pieces", "price": "-5",
                                      "currency": "EUR", "delivery_date": "gestern"})
    errors = field_errors(broker.page)
    assert errors["f-delivery_date"] == ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."] and "f-price" in errors
    broker.post(f"{page}/proposals", {"candidate": candidate, "quantity": "100", "unit": "kg", "price": "4200",
                                      "currency": "EUR", "delivery_date": IN_20_DAYS})
    assert list(field_errors(broker.page)) == ["f-unit"]  # the domain: the enquiry counts in pieces
    response = broker.post(f"{page}/proposals", {"candidate": candidate, "quantity": "100", "unit": "pieces",
                                                 "price": "4200", "currency": "EUR", "delivery_date": IN_20_DAYS})
    assert response.status_code == 302
    proposal = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals")[0]
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "negotiating"
    broker.get(page)
    assert "4.200,00\xa0€" in broker.page
    assert broker.post(f"{page}/messages", {"body": ""}).status_code == 422
    assert broker.post(f"{page}/messages", {"body": "Bitte Muster schicken."}).status_code == 302
    assert broker.post(f"{page}/proposals/{proposal['id']}/accept").status_code == 302
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "agreed"
    agreement = at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]
    broker.get(page)
    assert "Bitte Muster schicken." in broker.page
    deliver = f"{page}/agreements/{agreement['id']}/deliver"
    assert broker.post(deliver, {"regional_share": "2", "material_diverted_kg": "viel"}).status_code == 422
    errors = field_errors(broker.page)
    fields = f"f-a{agreement['id'][:8]}"  # the fields of this agreement's delivery form
    assert errors[f"{fields}-regional_share"] == ["Bitte geben Sie einen Wert von 0 bis 1 ein."]
    assert errors[f"{fields}-material_diverted_kg"] == ["Bitte geben Sie eine Zahl ein."]
    assert f'id="{fields}-regional_share" name="regional_share"' in broker.page
    # delivering before production started is the domain's refusal, shown on the page
    assert broker.post(deliver, {"material_diverted_kg": "300"}).status_code == 409
    assert form_message(broker.page)
    broker.post(f"{page}/move", {"to": "in_production"})
    assert broker.post(deliver, {"material_diverted_kg": "300", "integration_hours": "120"}).status_code == 302
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "delivered"


# --- consultation programmes -------------------------------------------------------------------------

def test_programmes_places_waiting_list_and_hours(at12, broker):
    broker.get("/office/programmes")
    assert broker.post("/office/programmes", {}).status_code == 422
    assert field_errors(broker.page)["f-name"] == ["Dieses Feld ist erforderlich."]
    broker.post("/office/programmes", {"name": "Pilot", "funder": "Land NÖ", "starts_on": "2026-12-31",
                                       "ends_on": "2026-01-01", "places": "null"})
    errors = field_errors(broker.page)
    assert errors["f-places"] == ["Bitte geben Sie eine ganze Zahl ein."]
    response = broker.post("/office/programmes", {"name": "Erstberatung 2026", "funder": "Land NÖ",
                                                  "starts_on": "2026-01-01", "ends_on": "2026-12-31", "places": "1",
                                                  "first_consultation_hours": "2"})
    assert response.status_code == 302
    programme = response.headers["Location"]
    broker.get(programme)
    assert broker.post(f"{programme}/applications", {"firm_name": ""}).status_code == 422
    broker.post(f"{programme}/applications", {"firm_name": "Bau Nord GmbH"})
    broker.post(f"{programme}/applications", {"firm_name": "Holz Süd KG"})
    broker.get(programme)
    waiting = broker.page.split("Warteliste</h2>")[1].split("</ol>")[0]
    assert "Holz Süd KG" in waiting and "Bau Nord GmbH" not in waiting
    broker.post("/office/consultants", {"name": "", "expertise": "4", "languages": "xx"})
    errors = field_errors(broker.page)
    assert errors["f-consultant-name"] and errors["f-consultant-languages"]
    assert errors["f-consultant-expertise"] == ["Bitte geben Sie eine CPV-Abteilung ein (zwei Ziffern, z. B. 45)."]
    assert broker.post("/office/consultants", {"name": "Dr. Maria Gruber", "expertise": "39, 45",
                                               "languages": "de en"}).status_code == 302
    broker.get(programme)
    firm = re.search(r'name="application_id"[^>]*>.*?<option value="([0-9a-f-]{36})"', broker.page, re.S).group(1)
    # The site is shared with other modules' tests, which add consultants of their own: take this one by name.
    consultants = broker.page.split('name="consultant_id"', 1)[1].split("</select>", 1)[0]
    consultant = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>\s*Dr\. Maria Gruber\b', consultants).group(1)
    booking = {"application_id": firm, "consultant_id": consultant, "date": date.today().isoformat(),
               "kind": "first_consultation"}
    assert broker.post(f"{programme}/bookings", {**booking, "hours": "1.1"}).status_code == 422
    assert field_errors(broker.page)["f-hours"] == [
        "Bitte geben Sie Stunden in Viertelstunden an (z. B. 1,25)."]
    assert broker.post(f"{programme}/bookings", {**booking, "hours": "1.5"}).status_code == 302
    assert broker.post(f"{programme}/bookings", {**booking, "hours": "1"}).status_code == 409  # allowance: 2 h
    assert form_message(broker.page)
    broker.get(programme)
    assert "Dr. Maria Gruber: 1,5" in broker.page


# --- label applications: assessment and the four-eyes decision ----------------------------------------

def test_assessment_and_decision_with_the_four_eyes_rule_visible(hu22):
    app_id = hu22.submitted_label_application()
    page = f"/office/labels/{app_id}"
    both = hu22.browser()
    both.login("both")  # may assess and approve, but not both for the same application
    both.get(page)
    assert both.post(f"{page}/assessment", {}).status_code == 422
    assert field_errors(both.page)["f-scores-se_share-reason"] == ["Ez a mező kötelező."]
    scores = {"scores.se_share.reason": "munkaidő-nyilvántartás", "scores.regional_primary_products.score": "9",
              "scores.regional_primary_products.reason": "számlák", "scores.resource_saving.score": "3",
              "scores.resource_saving.reason": "helyszíni bejárás", "scores.quality_innovation.score": "4",
              "scores.quality_innovation.reason": "vizsgálati jelentés"}
    assert both.post(f"{page}/assessment", scores).status_code == 422
    assert field_errors(both.page) == {
        "f-scores-regional_primary_products-score": ["Kérjük, 0 és 5 közötti pontszámot adjon meg."]}
    assert both.post(f"{page}/assessment", {**scores, "scores.regional_primary_products.score": "4"}).status_code == 302
    both.get(page)
    assert "Ön értékelte ezt a kérelmet" in both.page  # the four-eyes notice
    response = both.post(f"{page}/decision", {"outcome": "granted", "reason": "megfelel"})
    assert response.status_code == 409 and "négy szem" in form_message(both.page)
    assert both.post(f"{page}/decision", {"outcome": "", "reason": ""}).status_code == 422
    approver = hu22.browser()
    approver.login("approver2")
    approver.get(f"{page}?lang=en")
    assert "You assessed this application" not in approver.page and "both" in approver.page
    granted = approver.post(f"{page}/decision", {"outcome": "granted", "reason": "meets every criterion"})
    assert granted.status_code == 302
    decided = hu22.ok("GET", f"/label-applications/{app_id}", "admin")
    assert decided["status"] == "granted" and decided["label_number"].startswith("SOPRO-HU22-")


# --- site administration -----------------------------------------------------------------------------

def test_users_and_roles(at12):
    admin = at12.browser()
    admin.login("admin")
    admin.get("/office/users")
    assert admin.post("/office/users", {}).status_code == 422
    errors = field_errors(admin.page)
    assert errors["f-username"] == ["Dieses Feld ist erforderlich."] and errors["f-roles"]
    admin.post("/office/users", {"username": "x", "password": "short", "roles": "broker"})
    errors = field_errors(admin.page)
    assert set(errors) == {"f-username", "f-password"}
    assert admin.post("/office/users", {"username": "anna", "password": "a-long-password",
                                        "roles": ["broker", "assessor"]}).status_code == 302
    admin.post("/office/users", {"username": "anna", "password": "a-long-password", "roles": "broker"})
    assert field_errors(admin.page) == {"f-username": ["Dieser Benutzername ist vergeben."]}
    anna = at12.browser()
    anna.login("anna", "a-long-password")
    assert anna.get("/office/labels").status_code == 200
    admin.get("/office/users")
    admin.post("/office/users/anna", {"roles": "broker", "active": "on"})
    assert anna.get("/office/enquiries").status_code == 200
    anna.logout()
    anna.login("anna", "a-long-password")
    assert anna.get("/office/labels").status_code == 403
    admin.post("/office/users/admin", {"roles": "broker", "active": "on"})  # no lock-out of oneself
    admin.get("/office/users")
    assert "Sie können sich die eigene Administration nicht entziehen." in admin.page
    assert admin.get("/office/operations").status_code == 200
    admin.post("/office/users/anna/deactivate")  # after its confirmation page: anna can no longer log in
    anna.logout()
    anna.get("/login")
    assert anna.post("/login", {"username": "anna", "password": "a-long-password"}).status_code == 401


def test_operations_show_the_outbox_backlog_and_dead_letters(at12):
    from services.common.inbox import record_dead_letter

    with at12.runtime.engine.begin() as conn:
        record_dead_letter(conn, "matching.registry", "signature does not verify", "{}", stream="HU22/registry", seq=7)
    admin = at12.browser()
    admin.login("admin")
    admin.get("/office/operations")
    assert "AT12/registry" in admin.page and "AT12/enquiries" in admin.page  # nothing published: no broker here
    assert "signature does not verify" in admin.page and "HU22/registry #7" in admin.page


# --- every form: CSRF, and the page's language -------------------------------------------------------

def test_every_form_of_the_pages_refuses_a_post_without_its_csrf_token(at12):
    """Logged in with every role, so the access rule lets each post through to the CSRF check."""
    from services.common.users import add_user

    with at12.runtime.engine.begin() as conn:
        add_user(conn, "everyone", "everyone-pw-1", ["site_admin", "broker", "assessor", "approver", "member"])
    browser = at12.browser()
    browser.login("everyone", "everyone-pw-1")
    some_id = "00000000-0000-4000-8000-000000000000"
    # the one-click unsubscribe is the one exception, by RFC 8058 (tests/integration/test_notification_settings.py)
    posts = [r for r in at12.app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")
             and not r.rule.startswith(("/federation/", "/notifications/unsubscribe/"))]
    assert len(posts) >= 15
    for rule in posts:
        path = re.sub(r"<uuid:[^>]+>", some_id, rule.rule)
        path = re.sub(r"<[^>]+>", "someone", path)
        response = browser.post(path, {"reason": "x"}, csrf=False)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "Das Formular ist abgelaufen" in browser.page, rule.rule


@pytest.mark.parametrize("lang, required", [("hu", "Ez a mező kötelező."), ("en", "This field is required.")])
def test_office_forms_answer_in_the_page_language(at12, lang, required):
    admin = at12.browser()
    admin.login("admin")
    admin.get(f"/office/programmes?lang={lang}")
    admin.post("/office/programmes", {})
    assert field_errors(admin.page)["f-funder"] == [required]
    admin.post("/office/consultants", {})
    assert field_errors(admin.page)["f-consultant-name"] == [required]
    admin.post("/office/users", {"username": "ok-name", "password": "long-enough-pw"})
    assert list(field_errors(admin.page)) == ["f-roles"]
    enquiry_id = new_enquiry(at12, f"Benches in {lang}")
    admin.get(f"/office/enquiries/{enquiry_id}")
    admin.post(f"/office/enquiries/{enquiry_id}/messages", {"body": ""})
    assert field_errors(admin.page)["f-body"] == [required]
    admin.post(f"/office/enquiries/{enquiry_id}/move", {"to": "matching", "reason": "x" * 1001})
    assert field_errors(admin.page)["f-move-reason"]
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "submitted"


def test_declining_a_proposal_and_cancelling_an_agreement(at12, broker):
    enquiry_id = new_enquiry(at12, "Benches to cancel")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    broker.post(f"{page}/move", {"to": "matching"})
    broker.get(page)
    candidate = re.search(r'<option value="([0-9a-f-]{36}:[0-9a-f-]{36})"', broker.page).group(1)
    terms = {"candidate": candidate, "quantity": "50", "unit": "pieces", "price": "2000", "currency": "EUR",
             "delivery_date": IN_20_DAYS}
    broker.post(f"{page}/proposals", terms)
    broker.post(f"{page}/proposals", {**terms, "price": "1900"})
    first, second = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals")
    assert broker.post(f"{page}/proposals/{first['id']}/decline").status_code == 302
    assert broker.post(f"{page}/proposals/{first['id']}/accept").status_code == 409  # declined is final
    assert "nicht mehr möglich" in form_message(broker.page)
    assert broker.post(f"{page}/proposals/{second['id']}/accept").status_code == 302
    agreement = at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]
    cancel = f"{page}/agreements/{agreement['id']}/cancel"
    assert broker.post(cancel, {"reason": "x" * 1001}).status_code == 422
    assert field_errors(broker.page) == {
        f"f-a{agreement['id'][:8]}-reason": ["Bitte geben Sie zwischen 1 und 1000 Zeichen ein."]}
    reason_ids = re.findall(r'id="(f-[\w-]*reason)"', broker.page)
    assert len(reason_ids) == len(set(reason_ids)) == 2  # the move's and the agreement's: ids never repeat
    assert broker.post(cancel, {"reason": "Der Kunde hat abgesagt."}).status_code == 302
    assert at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]["status"] == "cancelled"
