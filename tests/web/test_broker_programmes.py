"""Closing a consultation programme and cancelling a mistaken booking (issue 14, "Brokers cannot close a
programme or cancel a booking"): each asks first on a page of its own (a link, then a button: no script),
then calls the API's handler; doing it twice is a 409 said in the page's language; without the CSRF token
nothing happens."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from tests.support.web import form_message

TERMS = {"funder": "Land", "starts_on": f"{date.today().year}-01-01", "ends_on": f"{date.today().year}-12-31",
         "places": 2, "first_consultation_hours": "4", "further_hours": "10"}


def programme_with_booking(site, name: str) -> tuple[str, str, str]:
    """(programme id, application id, booking id): a firm with a place and 1.5 hours booked."""
    programme = site.ok("POST", "/programmes", "broker", expect=201, json={"name": name, **TERMS})["id"]
    application = site.ok("POST", f"/programmes/{programme}/applications", "broker", expect=201,
                          json={"firm_name": f"Firma {name}"})["id"]
    # named to sort after the other tests' consultants, which pick the first one offered
    consultant = site.ok("POST", "/consultants", "broker", expect=201, json={
        "name": f"Zoltán Berater {name}", "expertise": ["39"], "languages": ["de", "hu"]})["id"]
    booking = site.ok("POST", f"/programmes/{programme}/bookings", "broker", expect=201, json={
        "application_id": application, "consultant_id": consultant, "date": date.today().isoformat(),
        "hours": "1.5", "kind": "first_consultation"})["id"]
    return programme, application, booking


def used_hours(site, programme: str) -> Decimal:
    return Decimal(site.ok("GET", f"/programmes/{programme}/report", "broker")["hours_total"])


def test_a_booking_is_cancelled_after_asking(at12, broker):
    programme, _, booking = programme_with_booking(at12, "Storno")
    page = f"/office/programmes/{programme}"
    broker.get(f"{page}?lang=de")
    cancel = f"{page}/bookings/{booking}/cancel"
    assert cancel in broker.page
    assert broker.get(cancel).status_code == 200  # the question, nothing cancelled yet
    assert "1,5" in broker.page and used_hours(at12, programme) == Decimal("1.5")
    assert broker.post(cancel).status_code == 302
    assert used_hours(at12, programme) == 0
    broker.get(page)
    assert cancel not in broker.page
    assert broker.post(cancel).status_code == 409
    assert form_message(broker.page) == "Diese Buchung ist bereits storniert."


def test_a_programme_is_closed_after_asking(hu22):
    broker = hu22.browser()
    broker.login("broker")
    programme, _, booking = programme_with_booking(hu22, "Lezárandó")
    page = f"/office/programmes/{programme}"
    broker.get(f"{page}?lang=hu")
    assert f"{page}/close" in broker.page
    assert broker.get(f"{page}/close").status_code == 200
    assert hu22.ok("GET", f"/programmes/{programme}", "broker")["status"] == "open"
    assert broker.post(f"{page}/close").status_code == 302
    assert hu22.ok("GET", f"/programmes/{programme}", "broker")["status"] == "closed"
    broker.get(page)
    assert f"{page}/close" not in broker.page and f"/bookings/{booking}/cancel" not in broker.page
    assert broker.post(f"{page}/close").status_code == 409
    assert form_message(broker.page) == "A program már le van zárva."
    assert broker.post(f"{page}/bookings/{booking}/cancel").status_code == 409  # closed: bookings stay
    assert form_message(broker.page) == "A program le van zárva: foglalásai már nem módosíthatók."
    assert used_hours(hu22, programme) == Decimal("1.5")


@pytest.mark.parametrize("path", ["close", "bookings/{booking}/cancel"])
def test_without_the_csrf_token_nothing_happens(at12, broker, path):
    programme, _, booking = programme_with_booking(at12, f"Ohne Token {path[:5]}")
    broker.get(f"/office/programmes/{programme}")
    response = broker.post(f"/office/programmes/{programme}/{path.format(booking=booking)}", csrf=False)
    assert response.status_code in (400, 403)
    assert at12.ok("GET", f"/programmes/{programme}", "broker")["status"] == "open"
    assert used_hours(at12, programme) == Decimal("1.5")


def test_unknown_ids_are_not_found_and_only_staff_act(at12, broker):
    programme, _, booking = programme_with_booking(at12, "Fremd")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert broker.get(f"/office/programmes/{programme}/bookings/{unknown}/cancel").status_code == 404
    assert broker.get(f"/office/programmes/{unknown}/close").status_code == 404
    assessor = at12.browser()
    assessor.login("assessor")
    assert assessor.post(f"/office/programmes/{programme}/close").status_code == 403
    assert at12.ok("GET", f"/programmes/{programme}", "broker")["status"] == "open"


def test_the_report_lists_hours_by_firm_for_a_spreadsheet(at12, broker):
    programme, _, _ = programme_with_booking(at12, "Bericht")
    at12.ok("POST", f"/programmes/{programme}/applications", "broker", expect=201,
            json={"firm_name": "=HYPERLINK(\"http://evil.example\")"})
    broker.get(f"/office/programmes/{programme}?lang=de")
    report = f"/office/programmes/{programme}/report.csv"
    assert report in broker.page
    response = broker.client.get(report)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Unternehmen", "Status", "Erstberatung", "Weitere", "Stunden insgesamt", "Verbleibende Stunden"]
    firm = next(r for r in rows if r[0] == "Firma Bericht")
    assert [Decimal(v) for v in firm[2:]] == [Decimal("1.5"), 0, Decimal("1.5"), Decimal("12.5")]
    assert any(r[0] == "'=HYPERLINK(\"http://evil.example\")" for r in rows)  # never a formula
