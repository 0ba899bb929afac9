"""The brokers' archive of ended enquiries (issue 14, "Brokers cannot find closed enquiries"): closed,
cancelled and expired enquiries listed with reference, title, state and end date, searched by reference
or title, a page at a time; a wrong search is said beside its field, never a 500."""
from __future__ import annotations

import pytest

from services.enquiries.lifecycle.ended import PER_PAGE
from tests.support.web import field_errors, form_message, new_enquiry

ARCHIVE = "/office/enquiries/ended"


def cancelled(site, title: str) -> tuple[str, str]:
    """(id, reference) of a new enquiry the broker cancelled."""
    enquiry_id = new_enquiry(site, title)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", "broker", json={"to": "cancelled", "reason": "no budget"})
    return enquiry_id, site.ok("GET", f"/enquiries/{enquiry_id}")["reference"]


def test_the_board_links_to_the_archive_which_finds_an_ended_enquiry_by_title_or_reference(at12, broker):
    _, reference = cancelled(at12, "Gartenbänke aus Lärche")
    open_one = new_enquiry(at12, "Gartenbänke aus Eiche")
    broker.get("/office/enquiries?lang=de")
    assert ARCHIVE in broker.page
    assert broker.get(f"{ARCHIVE}?q=gartenbänke").status_code == 200
    assert reference in broker.page and "Gartenbänke aus Lärche" in broker.page
    assert "Storniert" in broker.page or "storniert" in broker.page.lower()
    assert "Gartenbänke aus Eiche" not in broker.page and open_one not in broker.page  # still open: on the board
    broker.get(f"{ARCHIVE}?q={reference.lower()}")
    assert "Gartenbänke aus Lärche" in broker.page
    broker.get(f"{ARCHIVE}?q=Gartenb&state=closed")
    assert "Gartenbänke aus Lärche" not in broker.page


def test_a_search_for_a_percent_sign_matches_itself_only(at12, broker):
    cancelled(at12, "Rabatt 50% Paletten")
    broker.get(f"{ARCHIVE}?q=50%25")
    assert "Rabatt 50% Paletten" in broker.page
    broker.get(f"{ARCHIVE}?q=%25%25%25")
    assert "Rabatt 50% Paletten" not in broker.page


def test_the_archive_pages(at12, broker):
    for n in range(PER_PAGE + 1):
        cancelled(at12, f"Seitenweise {n:02d}")
    broker.get(f"{ARCHIVE}?q=Seitenweise")
    assert broker.page.count("Seitenweise ") == PER_PAGE and "page=2" in broker.page
    broker.get(f"{ARCHIVE}?q=Seitenweise&page=2")
    assert broker.page.count("Seitenweise ") == 1 and "page=1" in broker.page


@pytest.mark.parametrize(("query", "field", "german", "hungarian"), [
    ("state=submitted", "f-state", "Bitte wählen Sie eine der Möglichkeiten.", "Kérjük, válasszon a lehetőségek közül."),
    ("q=" + "x" * 101, "f-q", "Bitte geben Sie zwischen 1 und 100 Zeichen ein.", None),
])
def test_a_wrong_search_is_said_beside_its_field_in_the_page_language(hu22, broker, query, field, german, hungarian):
    assert broker.get(f"{ARCHIVE}?{query}&lang=de").status_code == 422
    assert field_errors(broker.page) == {field: [german]} and "<table" not in broker.page
    hu_broker = hu22.browser()
    hu_broker.login("broker")
    assert hu_broker.get(f"{ARCHIVE}?{query}&lang=hu").status_code == 422
    shown = field_errors(hu_broker.page)[field]
    assert shown != [german] and (hungarian is None or shown == [hungarian])


@pytest.mark.parametrize("page", ["0", "abc", "1e9"])
def test_a_wrong_page_number_is_said_above_the_form(broker, page):
    assert broker.get(f"{ARCHIVE}?page={page}&lang=de").status_code == 422
    assert form_message(broker.page) and not field_errors(broker.page)


def test_hostile_text_is_shown_escaped_and_matched_literally(at12, broker):
    hostile = "<script>alert(1)</script>' OR 1=1 --"
    assert broker.get(f"{ARCHIVE}", query_string={"q": hostile}).status_code == 200
    assert "<script>alert(1)" not in broker.page and "&lt;script&gt;" in broker.page


def test_only_staff_see_the_archive(at12):
    browser = at12.browser()
    assert browser.get(ARCHIVE).status_code == 302
    browser.login("assessor")
    assert browser.get(ARCHIVE).status_code == 403
