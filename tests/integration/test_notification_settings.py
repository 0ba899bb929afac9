"""A person's mail through the pages, against a real SMTP server on loopback: the settings page (address,
language, at once / daily summary / off per kind), the RFC 8058 one-click unsubscribe, the daily digest,
and the single-use, expiring links of a password reset and an invitation. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.common import notifications
from services.common.account_links import account_link
from services.common.clock import utcnow
from services.common.notifications import notification
from services.web import mail_digest
from services.web.notify import MailSite
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.lifecycle import LifecycleSite, enquiry_body
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.tokens import PASSWORD
from tests.support.web import Browser, field_errors

SETTINGS = "/account/notifications"
BROKER = "broker@at12.example"


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, smtp_server):
    db_url = pg_url_if(request, request.param)
    s = LifecycleSite(lambda site_id, db_url: make_settings(site_id, db_url=db_url, mail=mail_settings(smtp_server.port)),
                      db_url)
    yield s
    s.runtime.engine.dispose()


def file_enquiry(site, title="Pallet furniture for the canteen") -> str:
    org = site.company(name=f"Bau {title[:20]}", username=f"client-{abs(hash(title)) % 10**8}")
    return site.ok("POST", "/enquiries", expect=201, json=enquiry_body(submit=True, client_organisation_id=org,
                                                                        title=title))["id"]


def broker_page(site, lang="de") -> Browser:
    browser = Browser(site.app)
    browser.login("broker", PASSWORD)
    assert browser.get(f"{SETTINGS}?lang={lang}").status_code == 200
    return browser


def save(browser, **values):
    form = {"email": BROKER, "language": "", "mode.enquiry_filed": "now", "mode.part_forwarded": "now",
            "mode.part_answered": "now", "mode.consortium_agreed": "now", "mode.consortium_short": "now",
            "mode.label_application_submitted": "now", "mode.complaint_filed": "now", **values}
    return browser.post(SETTINGS, form)


def test_the_settings_page_keeps_the_address_and_refuses_a_bad_one_beside_its_field(site, smtp_server):
    browser = broker_page(site)
    assert "Meine Benachrichtigungen" in browser.page and 'name="mode.enquiry_filed"' in browser.page
    assert 'name="mode.enquiry_alert"' not in browser.page  # a member's kind, not a broker's
    for bad in ("no-at-sign", "a@b", "broker@at12.example\r\nBcc: victim@example.org", "Anna <a@at12.example>"):
        assert save(browser, email=bad).status_code == 422
        assert field_errors(browser.page)["f-email"] == ["Bitte geben Sie eine E-Mail-Adresse ein, etwa name@example.org."]
    assert save(browser, **{"mode.enquiry_filed": "sometimes"}).status_code == 422
    assert "f-mode-enquiry_filed" in field_errors(browser.page)
    with site.runtime.engine.connect() as conn:
        assert notifications.contact_of(conn, "broker") is None  # nothing kept from a refused form

    assert save(browser, language="hu").status_code == 302
    with site.runtime.engine.connect() as conn:
        assert notifications.contact_of(conn, "broker") == (BROKER, "hu")
    file_enquiry(site)
    assert deliver(site.runtime) == 1
    (mail,) = mails_to(smtp_server, BROKER)
    assert mail.language == "hu" and mail.subject.startswith("Új megkeresés")
    assert f"{site.runtime.settings.site.url}{SETTINGS}?lang=hu" in mail.text


def test_off_and_daily_summary_are_honoured_and_the_summary_groups_the_mails(site, smtp_server):
    browser = broker_page(site)
    assert save(browser, **{"mode.enquiry_filed": "off"}).status_code == 302
    file_enquiry(site, "Benches one")
    assert deliver(site.runtime) == 0 and mails_to(smtp_server, BROKER) == []

    assert save(browser, **{"mode.enquiry_filed": "digest"}).status_code == 302
    file_enquiry(site, "Benches two")
    file_enquiry(site, "Benches three")
    assert deliver(site.runtime) == 0  # they wait for the summary
    mail_site = MailSite(site.runtime.settings.site.url, ("de", "en"))
    assert mail_digest.compose_due(site.runtime.engine, mail_site, utcnow()) == 0  # written after today's hour
    tomorrow = utcnow() + timedelta(days=1)
    assert mail_digest.compose_due(site.runtime.engine, mail_site, tomorrow.replace(hour=7)) == 1
    assert mail_digest.compose_due(site.runtime.engine, mail_site, tomorrow.replace(hour=8)) == 0  # once a day
    assert deliver(site.runtime, now=lambda: tomorrow.replace(hour=8)) == 1
    (digest,) = mails_to(smtp_server, BROKER)
    assert digest.subject == "Ihre tägliche Zusammenfassung: 2 Benachrichtigungen"
    assert "Benches two" in digest.text and "Benches three" in digest.text and "Benches one" not in digest.text
    assert "/office/enquiries/" in digest.text and not digest.list_unsubscribe  # a summary of choices made


def test_one_post_to_the_list_unsubscribe_address_stops_that_kind_of_mail(site, smtp_server):
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", BROKER, "de")
    file_enquiry(site, "Benches one")
    assert deliver(site.runtime) == 1
    (mail,) = mails_to(smtp_server, BROKER)
    assert mail.list_unsubscribe_post == "List-Unsubscribe=One-Click"
    url = mail.list_unsubscribe.strip("<>")
    assert url.startswith(f"{site.runtime.settings.site.url}/notifications/unsubscribe/") and url in mail.text
    path = url.removeprefix(site.runtime.settings.site.url)

    anonymous = site.app.test_client()  # a mail client: no cookie, no form token
    assert anonymous.get(path, headers={"Accept": "text/html"}).status_code == 200  # a GET changes nothing
    with site.runtime.engine.connect() as conn:
        assert notifications.chosen_mode(conn, "broker", "enquiry_filed") is None
    response = anonymous.post(path, data="List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 204
    with site.runtime.engine.connect() as conn:
        assert notifications.chosen_mode(conn, "broker", "enquiry_filed") == "off"
    file_enquiry(site, "Benches two")
    assert deliver(site.runtime) == 0 and len(mails_to(smtp_server, BROKER)) == 1

    page = anonymous.get("/notifications/unsubscribe/" + "x" * 43, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<h1>" in page.get_data(as_text=True)
    browser = broker_page(site)
    assert 'value="off" checked' in browser.page  # the settings page shows it, and turns it on again
    assert save(browser, **{"mode.enquiry_filed": "now"}).status_code == 302
    file_enquiry(site, "Benches three")
    assert deliver(site.runtime) == 1


def test_a_password_reset_link_works_once_and_expires(site, smtp_server):
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", BROKER, "de")
    browser = Browser(site.app)
    browser.get("/login?lang=de")
    assert "/account/password/forgot" in browser.page
    browser.get("/account/password/forgot?lang=de")
    assert browser.post("/account/password/forgot", {"who": ""}).status_code == 422
    answer_unknown = browser.post("/account/password/forgot", {"who": "nobody@at12.example"})
    assert answer_unknown.status_code == 200
    answer = browser.post("/account/password/forgot", {"who": BROKER.upper()})
    assert answer.status_code == 200 and answer.get_data(as_text=True) == answer_unknown.get_data(as_text=True)
    assert deliver(site.runtime) == 1
    (mail,) = mails_to(smtp_server, BROKER)
    assert mail.subject == "Setzen Sie Ihr SoPro-Passwort zurück" and not mail.list_unsubscribe  # mandatory
    path = link_in(mail, "/account/password/reset/").removeprefix(site.runtime.settings.site.url)

    assert browser.get(path).status_code == 200 and "broker" in browser.page
    assert browser.post(path, {"password": "short"}).status_code == 422
    assert browser.post(path, {"password": "a new password 2026"}).status_code == 302
    assert browser.get(path).status_code == 410 and "bereits verwendet" in browser.page  # used
    browser.login("broker", "a new password 2026")

    browser.get("/account/password/forgot?lang=de")
    browser.post("/account/password/forgot", {"who": "broker"})
    deliver(site.runtime)
    newest = mails_to(smtp_server, BROKER)[-1]
    path = link_in(newest, "/account/password/reset/").removeprefix(site.runtime.settings.site.url)
    with site.runtime.engine.begin() as conn:
        conn.execute(update(account_link).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert browser.get(path).status_code == 410 and "abgelaufen" in browser.page
    assert browser.post(path, {"password": "another password 2026"}).status_code == 410
    assert browser.get("/account/password/reset/not-a-token").status_code == 404


def test_an_invited_user_chooses_a_password_through_the_mailed_link(site, smtp_server):
    admin = Browser(site.app)
    admin.login("admin", PASSWORD)
    admin.get("/office/users?lang=de")
    assert admin.post("/office/users", {"username": "anna", "roles": ["broker"]}).status_code == 422
    assert "f-password" in field_errors(admin.page)
    assert admin.post("/office/users", {"username": "anna", "roles": ["broker"],
                                        "email": "anna\r\n@at12.example"}).status_code == 422
    assert "f-email" in field_errors(admin.page)
    assert admin.post("/office/users", {"username": "anna", "roles": ["broker"],
                                        "email": "anna@at12.example"}).status_code == 302
    assert deliver(site.runtime) == 1
    (mail,) = mails_to(smtp_server, "anna@at12.example")
    assert mail.language == "de" and "anna" in mail.text
    path = link_in(mail, "/account/invitation/").removeprefix(site.runtime.settings.site.url)
    anna = Browser(site.app)
    assert anna.get(path).status_code == 200
    assert anna.post(path, {"password": "annas own password"}).status_code == 302
    anna.login("anna", "annas own password")
    assert anna.get(path).status_code == 410
    with site.runtime.engine.connect() as conn:
        assert conn.execute(select(notification.c.kind)).scalars().all() == ["invitation"]


def test_the_summary_goes_to_the_person_as_they_are_when_it_is_written(site, smtp_server):
    """Queued for the summary, then the address changes and one kind is turned off: the summary goes to the
    new address without that kind; a deactivated user's queued mails are dropped, not sent."""
    from services.common.users import add_user, update_user

    with site.runtime.engine.begin() as conn:
        add_user(conn, "broker2", PASSWORD, ["broker"])
        for user, address in (("broker", BROKER), ("broker2", "broker2@at12.example")):
            notifications.set_contact(conn, user, address, "de")
            notifications.choose(conn, user, "enquiry_filed", "digest")
    file_enquiry(site, "Benches one")
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", "new.broker@at12.example", "hu")
        update_user(conn, "broker2", active=False)
    mail_site = MailSite(site.runtime.settings.site.url, ("de", "en"))
    tomorrow = (utcnow() + timedelta(days=1)).replace(hour=7)
    assert mail_digest.compose_due(site.runtime.engine, mail_site, tomorrow) == 1
    assert deliver(site.runtime, now=lambda: tomorrow) == 1
    (digest,) = mails_to(smtp_server, "new.broker@at12.example")
    assert digest.language == "hu" and "Benches one" in digest.text
    assert f'<a href="{site.runtime.settings.site.url}/office/enquiries/' in digest.html
    assert mails_to(smtp_server, BROKER) == [] and mails_to(smtp_server, "broker2@at12.example") == []
    with site.runtime.engine.connect() as conn:
        dropped = conn.execute(select(notification.c.subscriber, notification.c.last_error)
                               .where(notification.c.delivery == "dropped")).all()
    assert dropped == [("broker2", "dropped: the user is deactivated")]

    file_enquiry(site, "Benches two")
    with site.runtime.engine.begin() as conn:
        notifications.choose(conn, "broker", "enquiry_filed", "off")
    later = tomorrow + timedelta(days=1)
    assert mail_digest.compose_due(site.runtime.engine, mail_site, later) == 0  # turned off since: nothing
    with site.runtime.engine.connect() as conn:
        assert conn.execute(select(notification.c.last_error).where(notification.c.subscriber == "broker",
                                                                    notification.c.delivery == "dropped")).scalars().all() \
            == ["dropped: the kind was turned off"]


def test_a_one_click_unsubscribe_is_not_counted_as_an_anonymous_write(make_settings):
    """Mail providers send the RFC 8058 POSTs from shared servers: many in a minute must all work, where the
    site allows an address only 5 anonymous writes a minute (the 6th statement of support is refused)."""
    site = LifecycleSite(lambda site_id, db_url: make_settings(site_id, db_url=db_url,
                                                              public_write_rate_limit="5/minute"), None)
    with site.runtime.engine.begin() as conn:
        tokens = [notifications.unsubscribe_token(conn, f"user{i}", "enquiry_filed") for i in range(12)]
    client = site.app.test_client()
    for token in tokens:
        response = client.post(f"/notifications/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 204
    statements = [client.post("/api/v1/support-statements", json={"kind": "person"}).status_code for _ in range(6)]
    assert statements[-1] == 429, statements  # the limit is there, for what files something
    site.runtime.engine.dispose()


def test_a_sent_account_link_is_not_kept_in_the_outbox(site, smtp_server):
    """The SMTP server has the reset link; the site's copy of the mail keeps no word of it (a copy of the
    database opens no account), while an unsent one still waits whole."""
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", BROKER, "de")
    browser = Browser(site.app)
    browser.get("/account/password/forgot?lang=de")
    browser.post("/account/password/forgot", {"who": "broker"})
    with site.runtime.engine.connect() as conn:
        (waiting,) = conn.execute(select(notification).where(notification.c.kind == "password_reset")).all()
    assert "/account/password/reset/" in waiting.body_text and waiting.action_url
    assert deliver(site.runtime) == 1
    link = link_in(mails_to(smtp_server, BROKER)[0], "/account/password/reset/")
    token = link.split("/account/password/reset/")[1].split("?")[0]
    with site.runtime.engine.connect() as conn:
        (sent,) = conn.execute(select(notification).where(notification.c.kind == "password_reset")).all()
    assert sent.sent_at is not None and sent.action_url is None
    assert token not in sent.body_text + sent.body_html and "/account/password/reset/" not in sent.body_text
