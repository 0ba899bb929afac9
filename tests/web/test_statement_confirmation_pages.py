"""Confirming a statement of support on the pages: the link's page (a button, so that a mail scanner
following the link confirms nothing) and the brokers' list of statements awaiting confirmation, in the
page's language."""
from __future__ import annotations

from services.registry.confirmation_store import pending_confirmation_links

STATEMENT = {"kind": "person", "first_name": "Teréz", "last_name": "Kovácsné", "email": "terez@example.hu",
             "nuts3": "HU221", "consent": "on"}


def file_statement(site, browser, **fields) -> tuple[str, str]:
    """(statement id, its token) of a statement filed through the public form."""
    browser.get("/support")
    assert browser.post("/support", {**STATEMENT, **fields}).status_code == 302
    found = site.ok("GET", f"/support-statements?q={fields.get('last_name', STATEMENT['last_name'])}")["items"]
    with site.runtime.engine.connect() as conn:
        waiting = {row["statement_id"]: row["link"] for row in pending_confirmation_links(conn)}
    statement_id = found[0]["id"]
    return statement_id, waiting[statement_id].rsplit("/", 1)[1]


def test_the_link_shows_a_button_and_confirms_once(hu22):
    browser = hu22.browser()
    statement_id, token = file_statement(hu22, browser, last_name="Linkelt")
    assert browser.get(f"/support/confirm/{token}?lang=hu").status_code == 200
    assert "Nyilatkozatom megerősítése" in browser.page  # the button
    assert hu22.ok("GET", f"/support-statements/{statement_id}")["confirmed_at"] is None  # opening is not enough

    assert browser.post(f"/support/confirm/{token}").status_code == 200
    assert "megerősítette" in browser.page
    assert hu22.ok("GET", f"/support-statements/{statement_id}")["confirmed_by"] == "e-mail"
    assert browser.post(f"/support/confirm/{token}").status_code == 409
    assert "már felhasználták" in browser.page  # already used, said plainly
    assert browser.post("/support/confirm/no-such-link").status_code == 404
    assert "nem érvényes" in browser.page


def test_a_broker_confirms_statements_awaiting_confirmation(hu22):
    statement_id, _ = file_statement(hu22, hu22.browser(), last_name="Irodai")
    broker = hu22.browser()
    broker.login("broker")
    broker.get("/office/statements?lang=hu")
    assert "Irodai" in broker.page and "Megerősítésre vár" in broker.page
    response = broker.post(f"/office/statements/{statement_id}/confirm")
    assert response.status_code == 302
    assert hu22.ok("GET", f"/support-statements/{statement_id}")["confirmed_by"] == "broker"
    broker.get("/office/statements")
    assert "Irodai" not in broker.page
    broker.post(f"/office/statements/{statement_id}/confirm", follow_redirects=True)
    assert "nem erősíthető meg" in broker.page  # confirmed already: said, not counted twice
    broker.get("/office/statements?confirmed=yes")
    assert "Irodai" in broker.page


def test_only_staff_see_the_statements(hu22):
    browser = hu22.browser()
    assert browser.get("/office/statements").status_code == 302  # to the login
    browser.login("assessor")
    assert browser.get("/office/statements").status_code == 403
