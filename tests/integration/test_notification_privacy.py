"""A person's mail data at a site (GDPR): the export lists the address's users and the mails to it
(without their bodies); erasure removes both, sent or not. The hub never holds them."""
from __future__ import annotations

from services.common import notifications
from services.common.clock import utcnow
from services.privacy import collect, erase_person
from tests.support.lifecycle import LifecycleSite


def test_a_persons_mail_data_is_exported_and_erased(make_settings):
    site = LifecycleSite(make_settings, None)
    now = utcnow()
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", "Anna.Huber@at12.example", "de")
        notifications.set_contact(conn, "admin", "admin@at12.example")
        for key, to in (("k1", "Anna.Huber@at12.example"), ("k2", "admin@at12.example")):
            notifications.enqueue(conn, key=key, kind="test", recipient=to, language="de", subject="Betreff",
                                  text_body="Text", html_body="<p>Text</p>", now=now)
    with site.runtime.engine.connect() as conn:
        records = collect(conn, (), "anna.huber@at12.example", None)
    assert [c["username"] for c in records["mail_contacts"]] == ["broker"]
    assert [(n["kind"], n["subject"]) for n in records["notifications"]] == [("test", "Betreff")]

    erased = erase_person(site.runtime, "ANNA.HUBER@at12.example", "dpo")
    assert (erased["mail_contacts"], erased["notifications"]) == (1, 1)
    with site.runtime.engine.connect() as conn:
        assert collect(conn, (), "anna.huber@at12.example", None)["notifications"] == []
        assert len(collect(conn, (), "admin@at12.example", None)["notifications"]) == 1  # others stay
    site.runtime.engine.dispose()


def test_the_choices_and_unsubscribe_links_of_an_address_without_account_are_exported_and_erased(make_settings):
    site = LifecycleSite(make_settings, None)
    supporter = notifications.subscriber_of(None, "Lena.Gruber@example.at")
    with site.runtime.engine.begin() as conn:
        notifications.choose(conn, supporter, "newsletter", "now")
        notifications.unsubscribe_token(conn, supporter, "newsletter")
        notifications.choose(conn, "mail:other@example.at", "newsletter", "now")
    with site.runtime.engine.connect() as conn:
        records = collect(conn, (), "lena.gruber@example.at", None)
    assert records["mail_choices"] == [{"kind": "newsletter", "mode": "now"}]
    erase_person(site.runtime, "lena.gruber@example.at", "dpo")
    with site.runtime.engine.connect() as conn:
        left = [r.subscriber for r in conn.execute(notifications.notification_preference.select())]
        links = conn.execute(notifications.notification_unsubscribe.select()).all()
    assert left == ["mail:other@example.at"] and links == []
    site.runtime.engine.dispose()
