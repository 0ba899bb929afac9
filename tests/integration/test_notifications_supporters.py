"""Supporters' mail against a real SMTP server on loopback (issue 15): the double opt-in of a statement of
support (its confirmation link mailed in the page language the supporter used, German at AT12 and
Hungarian at HU22; the link confirms once; a used, expired or unknown link is a clear page with a 4xx),
and the newsletter, which reaches only the supporters who asked for it on a confirmed statement, once per
issue, and stops with one POST to its List-Unsubscribe address. On SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from services.common import notifications
from services.common.clock import utcnow
from services.common.notifications import notification
from services.registry.tables import statement_confirmation, support_statement
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.sites import Site
from tests.support.web import Browser

FORM = {"kind": "person", "first_name": "Lena", "last_name": "Pichler", "nuts3": "AT123", "consent": "on"}
FORM_HU = {**FORM, "first_name": "Erzsébet", "last_name": "Szabó", "nuts3": "HU221"}
BUTTON = {"de": "Meine Erklärung bestätigen", "hu": "Nyilatkozatom megerősítése"}


@pytest.fixture(params=BACKENDS)
def make_site(request, make_settings, smtp_server):
    """A site (AT12 or HU22) whose mail goes to the test's SMTP server."""
    made = []

    def make(site_id: str) -> Site:
        db_url = pg_url_if(request, request.param)
        site = Site(make_settings(site_id, db_url=db_url, mail=mail_settings(smtp_server.port, site_id)))
        made.append(site)
        return site

    yield make
    for site in made:
        site.runtime.engine.dispose()


def outbox(site, kind: str | None = None):
    with site.runtime.engine.connect() as conn:
        query = select(notification).order_by(notification.c.id)
        return conn.execute(query.where(notification.c.kind == kind) if kind else query).all()


def statement_of(site, email: str):
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(support_statement).where(support_statement.c.email == email)).one()


def chosen(site, address: str) -> str | None:
    with site.runtime.engine.connect() as conn:
        return notifications.chosen_mode(conn, notifications.subscriber_of(None, address), "newsletter")


def file(site, lang: str, email: str | None, **fields) -> Browser:
    browser = Browser(site.app)
    browser.get(f"/support?lang={lang}")
    form = {**(FORM_HU if site.site_id == "HU22" else FORM), **fields}
    if email:
        form["email"] = email
    response = browser.post("/support", form)
    assert response.status_code == 302, browser.page[:3000]
    return browser


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.mark.parametrize("site_id, lang, subject_start, confirmed_text, used_text", [
    ("AT12", "de", "Bitte bestätigen Sie Ihre Unterstützungserklärung AT12-",
     "Danke: Ihre Erklärung ist bestätigt", "bereits verwendet"),
    ("HU22", "hu", "Kérjük, erősítse meg HU22-", "megerősítette", "már felhasználták"),
])
def test_the_confirmation_mail_arrives_in_the_supporters_language_and_its_link_confirms_once(
        make_site, smtp_server, site_id, lang, subject_start, confirmed_text, used_text):
    site = make_site(site_id)
    address = f"supporter.{lang}@example.org"
    browser = file(site, lang, address)
    assert browser is not None
    statement = statement_of(site, address)
    assert statement.confirmed_at is None and statement.language == lang
    written = outbox(site, "statement_confirmation")  # written with the statement, in its transaction
    assert [(r.recipient, r.language, r.sent_at) for r in written] == [(address, lang, None)]
    assert written[0].idempotency_key == f"statement_confirmation:{statement.id}"

    assert deliver(site.runtime) == 1
    assert deliver(site.runtime) == 0  # sent once
    [mail] = mails_to(smtp_server, address)
    assert mail.language == lang and mail.subject.startswith(subject_start), mail.subject
    assert statement.reference in mail.subject and statement.reference in mail.text
    assert mail.list_unsubscribe == ""  # mandatory: nothing to unsubscribe from
    link = link_in(mail, "/support/confirm/")
    assert link.startswith(f"{site.runtime.settings.site.url}/support/confirm/") and link.endswith(f"?lang={lang}")
    assert f'href="{link}"' in mail.html
    # the hub learns of the statement, never of its address
    events = site.outbox_rows("registry.")
    assert events and not [e for e in events if address in json.dumps(e, default=str)]

    page = Browser(site.app)
    assert page.get(path_of(link)).status_code == 200
    assert BUTTON[lang] in page.page
    assert statement_of(site, address).confirmed_at is None  # opening the link confirms nothing
    assert page.post(urlsplit(link).path).status_code == 200
    assert confirmed_text in page.page
    assert statement_of(site, address).confirmed_by == "e-mail"

    # used: a clear page, on opening and on pressing, never a 500
    assert page.get(path_of(link)).status_code == 409 and used_text in page.page
    assert BUTTON[lang] not in page.page
    assert page.post(urlsplit(link).path).status_code == 409 and used_text in page.page
    assert deliver(site.runtime) == 0  # confirming mails nothing


@pytest.mark.parametrize("lang, expired_text, unknown_text", [
    ("de", "Dieser Link ist abgelaufen", "Dieser Link ist nicht gültig"),
    ("hu", "lejárt", "nem érvényes"),
])
def test_an_expired_or_unknown_link_is_a_clear_page(make_site, smtp_server, lang, expired_text, unknown_text):
    site = make_site("AT12")
    address = "late@example.org"
    file(site, lang, address)
    deliver(site.runtime)
    link = link_in(mails_to(smtp_server, address)[0], "/support/confirm/")
    with site.runtime.engine.begin() as conn:
        conn.execute(update(statement_confirmation).values(expires_at=utcnow() - timedelta(seconds=1)))
    page = Browser(site.app)
    assert page.get(path_of(link)).status_code == 409 and expired_text in page.page
    assert page.post(urlsplit(link).path).status_code == 409 and expired_text in page.page
    assert statement_of(site, address).confirmed_at is None
    for unknown in ("x" * 43, "not-a-token", "ü" * 40):
        assert page.get(f"/support/confirm/{unknown}?lang={lang}").status_code == 404
        assert unknown_text in page.page
        assert page.post(f"/support/confirm/{unknown}").status_code == 404


def test_the_confirmation_is_mandatory_and_written_only_for_a_statement_filed(make_site, smtp_server):
    site = make_site("AT12")
    address = "choosy@example.org"
    with site.runtime.engine.begin() as conn:  # "off" for every kind it could choose: a confirmation still goes
        for kind in ("statement_confirmation", "newsletter"):
            notifications.choose(conn, notifications.subscriber_of(None, address), kind, "off")
    browser = Browser(site.app)
    browser.get("/support?lang=de")
    refused = browser.post("/support", {**FORM, "email": address, "consent": ""})  # no consent: nothing filed
    assert refused.status_code == 422 and outbox(site) == []
    file(site, "de", address)
    file(site, "de", None, last_name="Ohne-Adresse")  # no address: a broker confirms it, no mail
    assert deliver(site.runtime) == 1 and len(mails_to(smtp_server, address)) == 1


# --- the newsletter ----------------------------------------------------------------------------------

def confirm(site, smtp_server, address: str) -> None:
    deliver(site.runtime)
    link = link_in(mails_to(smtp_server, address)[-1], "/support/confirm/")
    assert Browser(site.app).post(urlsplit(link).path).status_code == 200


def newsletter(broker: Browser, number: int, subject_de: str | None = None):
    broker.get("/office/newsletter?lang=de")
    issue = re.search(r'name="issue" value="([^"]+)"', broker.page).group(1)
    form = {"issue": issue, "subject_de": subject_de or f"Neuigkeiten Nr. {number}",
            "text_de": f"Liebe Unterstützerinnen und Unterstützer,\n\nAusgabe {number}.",
            "subject_en": f"News no. {number}", "text_en": f"Dear supporters,\n\nIssue {number}."}
    return broker.post("/office/newsletter", form), form


def test_the_newsletter_reaches_only_opted_in_confirmed_supporters_once_each(make_site, smtp_server):
    site = make_site("AT12")
    asked = {"de": "anna@example.org", "en": "ben@example.org"}
    for lang, address in asked.items():
        file(site, lang, address, newsletter="on", last_name=f"Leser-{lang}")
        confirm(site, smtp_server, address)
    file(site, "de", "unconfirmed@example.org", newsletter="on", last_name="Unbestätigt")
    file(site, "de", "silent@example.org", last_name="Ohne-Newsletter")  # did not tick it
    confirm(site, smtp_server, "silent@example.org")
    file(site, "de", "gone@example.org", newsletter="on", last_name="Zurückgezogen")
    confirm(site, smtp_server, "gone@example.org")
    site.ok("POST", f"/support-statements/{statement_of(site, 'gone@example.org').id}/withdraw",
            json={"reason": "asked"})
    file(site, "de", "paper@example.org", newsletter="on", last_name="Papier")
    site.ok("POST", f"/support-statements/{statement_of(site, 'paper@example.org').id}/confirm")  # a broker's
    deliver(site.runtime)
    assert outbox(site, "newsletter") == []
    # the choice is recorded when the link confirms the address, and only for those who ticked it: a
    # broker's confirmation counts the statement, but the address is not confirmed yet (double opt-in)
    assert {address: chosen(site, address) for address in (
        "anna@example.org", "unconfirmed@example.org", "silent@example.org", "paper@example.org")} == {
        "anna@example.org": "now", "unconfirmed@example.org": None, "silent@example.org": None,
        "paper@example.org": None}
    confirm(site, smtp_server, "paper@example.org")  # the link mailed at filing still opts in
    assert chosen(site, "paper@example.org") == "now"
    paper = statement_of(site, "paper@example.org")
    assert paper.confirmed_by == "broker" and paper.version == 2  # counted once, by the broker

    broker = Browser(site.app)
    broker.login("broker", site.password)
    response, form = newsletter(broker, 1)
    assert response.status_code == 302, broker.page[:3000]
    assert broker.post("/office/newsletter", form).status_code == 302  # the same issue again: nobody twice
    assert deliver(site.runtime) == 3
    got = {m.recipients[0]: m for m in smtp_server.mailbox.mails() if "Nr. 1" in m.subject or "no. 1" in m.subject}
    assert set(got) == {"anna@example.org", "ben@example.org", "paper@example.org"}
    assert got["anna@example.org"].subject == "Neuigkeiten Nr. 1" and got["anna@example.org"].language == "de"
    assert "Ausgabe 1." in got["anna@example.org"].text
    assert got["ben@example.org"].subject == "News no. 1" and got["ben@example.org"].language == "en"
    for mail in got.values():
        assert mail.list_unsubscribe.startswith(f"<{site.runtime.settings.site.url}/notifications/unsubscribe/")
        assert mail.list_unsubscribe_post == "List-Unsubscribe=One-Click"
    broker.get("/office/newsletter?lang=de")
    assert "Neuigkeiten Nr. 1" in broker.page  # the issues sent

    # a subject that would add a header line is refused beside its field; nothing is written
    response, _ = newsletter(broker, 2, subject_de="Hallo\r\nBcc: everyone@example.org")
    assert response.status_code == 422 and "eine Zeile" in broker.page
    assert deliver(site.runtime) == 0

    # "off" (the settings' choice) stops it; erasing a statement forgets the mails to its address
    with site.runtime.engine.begin() as conn:
        notifications.choose(conn, notifications.subscriber_of(None, "ben@example.org"), "newsletter", "off")
    assert newsletter(broker, 3)[0].status_code == 302
    assert deliver(site.runtime) == 2
    assert {r.recipient for r in outbox(site, "newsletter") if "3" in r.subject} == {
        "anna@example.org", "paper@example.org"}
    site.ok("POST", f"/support-statements/{statement_of(site, 'paper@example.org').id}/erase",
            json={"ground": "request"})
    assert "paper@example.org" not in {r.recipient for r in outbox(site)}
    assert chosen(site, "paper@example.org") is None


def test_one_post_to_the_list_unsubscribe_address_stops_the_next_newsletter(make_site, smtp_server):
    site = make_site("HU22")
    address = "olvaso@example.hu"
    file(site, "hu", address, newsletter="on")
    confirm(site, smtp_server, address)
    broker = Browser(site.app)
    broker.login("broker", site.password)
    broker.get("/office/newsletter?lang=hu")
    issue = re.search(r'name="issue" value="([^"]+)"', broker.page).group(1)
    form = {"issue": issue, "subject_hu": "Hírlevél 1", "text_hu": "Kedves támogatóink!",
            "subject_en": "Newsletter 1", "text_en": "Dear supporters!"}
    assert broker.post("/office/newsletter", form).status_code == 302
    deliver(site.runtime)
    [mail] = [m for m in mails_to(smtp_server, address) if m.subject.startswith("Hírlevél")]
    assert mail.language == "hu"
    url = mail.list_unsubscribe.strip("<>")
    one_click = site.app.test_client().post(path_of(url), data="List-Unsubscribe=One-Click",
                                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code in (200, 204), one_click.get_data(as_text=True)[:2000]

    broker.get("/office/newsletter?lang=hu")
    issue = re.search(r'name="issue" value="([^"]+)"', broker.page).group(1)
    assert broker.post("/office/newsletter", {**form, "issue": issue, "subject_hu": "Hírlevél 2"}).status_code == 302
    deliver(site.runtime)
    assert [m.subject for m in mails_to(smtp_server, address) if m.subject.startswith("Hírlevél")] == ["Hírlevél 1"]
