"""Withdrawing and erasing statements of support on the brokers' pages (issue 14, "Brokers cannot withdraw
or erase statements of support"): a statement's page with both forms, the erasure only once its tick says
the broker knows it cannot be undone; refusals are 409 messages; every form empty, wrong and hostile, in
German and Hungarian, never a 500."""
from __future__ import annotations

import pytest

from tests.support.web import field_errors, form_message
from tests.web.test_statement_confirmation_pages import file_statement


@pytest.fixture
def hu_broker(hu22):
    browser = hu22.browser()
    browser.login("broker")
    return browser


def test_the_list_finds_a_statement_by_name_and_links_to_its_page(hu22, hu_broker):
    statement_id, _ = file_statement(hu22, hu22.browser(), last_name="Keresett")
    hu_broker.get("/office/statements?q=kereSETT&lang=hu")
    assert "Keresett" in hu_broker.page and f"/office/statements/{statement_id}" in hu_broker.page
    hu_broker.get("/office/statements?q=Senkisem")
    assert "Keresett" not in hu_broker.page
    assert hu_broker.get("/office/statements?q=" + "x" * 201).status_code == 422
    assert list(field_errors(hu_broker.page)) == ["f-q"]


def test_a_withdrawn_statement_stops_counting_and_keeps_its_data_until_erased(hu22, hu_broker):
    statement_id, _ = file_statement(hu22, hu22.browser(), last_name="Visszavont")
    page = f"/office/statements/{statement_id}"
    hu_broker.get(f"{page}?lang=hu")
    assert "A nyilatkozat visszavonása" in hu_broker.page
    assert hu_broker.post(f"{page}/withdraw", {"reason": "telefonon kérte"}).status_code == 302
    statement = hu22.ok("GET", f"/support-statements/{statement_id}")
    assert statement["status"] == "withdrawn" and statement["last_name"] == "Visszavont"
    hu_broker.get("/office/statements?status=withdrawn")
    assert "Visszavont" in hu_broker.page
    hu_broker.get(page)
    assert "telefonon kérte" in hu_broker.page and 'action="' + page + '/withdraw"' not in hu_broker.page
    response = hu_broker.post(f"{page}/withdraw", {"reason": ""})
    assert response.status_code == 409
    assert form_message(hu_broker.page) == "Ez a nyilatkozat „Visszavonva”: nem vonható vissza."


def test_erasing_asks_for_the_tick_then_erases_for_good(at12, broker):
    statement_id, _ = file_statement(at12, at12.browser(), last_name="Löschbar", nuts3="AT123")
    page = f"/office/statements/{statement_id}"
    broker.get(f"{page}?lang=de")
    response = broker.post(f"{page}/erase", {"ground": "request"})
    assert response.status_code == 422
    assert field_errors(broker.page) == {
        "f-erase-understood": ["Bitte bestätigen Sie, dass die Daten endgültig gelöscht werden."]}
    assert at12.ok("GET", f"/support-statements/{statement_id}")["last_name"] == "Löschbar"

    assert broker.post(f"{page}/erase", {"ground": "request", "understood": "on"}).status_code == 302
    erased = at12.ok("GET", f"/support-statements/{statement_id}")
    assert erased["status"] == "erased" and erased.get("last_name") is None
    broker.get(page)
    assert "Löschbar" not in broker.page and f'action="{page}/erase"' not in broker.page
    assert "Die Person hat darum gebeten" in broker.page  # the ground, in the audit trail
    assert broker.post(f"{page}/erase", {"ground": "request", "understood": "on"}).status_code == 409
    assert form_message(broker.page) == "Diese Erklärung ist „Gelöscht“: Es gibt nichts mehr zu löschen."


@pytest.mark.parametrize("form", [
    {},  # empty
    {"ground": "because", "understood": "on"},  # wrong
    {"ground": "<script>alert(1)</script>", "understood": "on"},  # hostile
])
def test_a_wrong_erasure_is_refused_beside_its_field(hu22, hu_broker, form):
    statement_id, _ = file_statement(hu22, hu22.browser(), last_name="Megmarad")
    page = f"/office/statements/{statement_id}"
    hu_broker.get(f"{page}?lang=hu")
    assert hu_broker.post(f"{page}/erase", form).status_code == 422
    errors = field_errors(hu_broker.page)
    assert errors and set(errors) <= {"f-erase-ground", "f-erase-understood"}
    assert "<script>alert(1)" not in hu_broker.page
    assert hu22.ok("GET", f"/support-statements/{statement_id}")["status"] == "active"


def test_a_too_long_withdrawal_reason_is_refused_beside_its_field(at12, broker):
    statement_id, _ = file_statement(at12, at12.browser(), last_name="Bleibt", nuts3="AT123")
    page = f"/office/statements/{statement_id}"
    broker.get(f"{page}?lang=de")
    assert broker.post(f"{page}/withdraw", {"reason": "x" * 501}).status_code == 422
    assert field_errors(broker.page) == {"f-withdraw-reason": ["Bitte geben Sie zwischen 1 und 500 Zeichen ein."]}
    assert broker.post(f"{page}/withdraw", {"reason": "\x00"}).status_code == 422  # refused before the page
    assert at12.ok("GET", f"/support-statements/{statement_id}")["status"] == "active"


def test_a_hostile_withdrawal_reason_is_kept_as_text(at12, broker):
    statement_id, _ = file_statement(at12, at12.browser(), last_name="Boshaft", nuts3="AT123")
    page = f"/office/statements/{statement_id}"
    broker.get(page)
    assert broker.post(f"{page}/withdraw", {"reason": "<script>alert(1)</script>"}).status_code == 302
    broker.get(page)
    assert "<script>alert(1)" not in broker.page and "&lt;script&gt;alert(1)" in broker.page


def test_without_the_csrf_token_nothing_happens(at12, broker):
    statement_id, _ = file_statement(at12, at12.browser(), last_name="Ohnetoken", nuts3="AT123")
    broker.get("/office/statements")
    response = broker.post(f"/office/statements/{statement_id}/erase", {"understood": "on"}, csrf=False)
    assert response.status_code in (400, 403)
    assert at12.ok("GET", f"/support-statements/{statement_id}")["status"] == "active"


def test_an_unknown_statement_is_not_found_and_only_staff_act(at12):
    browser = at12.browser()
    browser.login("broker")
    assert browser.get("/office/statements/00000000-0000-4000-8000-000000000000").status_code == 404
    statement_id, _ = file_statement(at12, at12.browser(), last_name="Fremd", nuts3="AT123")
    assessor = at12.browser()
    assessor.login("assessor")
    assert assessor.post(f"/office/statements/{statement_id}/withdraw", {}).status_code == 403
    assert at12.ok("GET", f"/support-statements/{statement_id}")["status"] == "active"
