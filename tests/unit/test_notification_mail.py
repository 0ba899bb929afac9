"""The pieces of the mail outbox without a server: backoff, the mail settings, a composed message."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.mail import MailSettings, compose, load_mail_settings, message_id
from services.common.notification_sender import BASE_DELAY, MAX_DELAY, backoff
from services.common.notifications import valid_address


def test_backoff_doubles_from_the_base_and_stops_at_the_cap():
    assert backoff(0) == timedelta(0)
    assert [backoff(n) for n in (1, 2, 3, 4)] == [BASE_DELAY, 2 * BASE_DELAY, 4 * BASE_DELAY, 8 * BASE_DELAY]
    assert backoff(20) == MAX_DELAY and backoff(10_000) == MAX_DELAY  # no overflow on a long outage
    assert all(backoff(n) <= backoff(n + 1) for n in range(40))


def test_backoff_takes_its_own_base_and_cap():
    assert backoff(3, base=timedelta(seconds=1), cap=timedelta(seconds=3)) == timedelta(seconds=3)
    assert backoff(2, base=timedelta(seconds=1), cap=timedelta(seconds=3)) == timedelta(seconds=2)


def test_mail_settings_come_from_the_environment_with_the_password_from_a_secret_file(tmp_path):
    assert load_mail_settings({}, "AT12") is None  # no server: mail waits in the outbox
    secret = tmp_path / "smtp_password"
    secret.write_text("s3cret\n", encoding="utf-8")
    settings = load_mail_settings({"SOPRO_SMTP_HOST": "mail.example", "SOPRO_SMTP_SECURITY": "TLS",
                                   "SOPRO_SMTP_USER": "at12", "SOPRO_SMTP_PASSWORD_FILE": str(secret),
                                   "SOPRO_MAIL_FROM": "noreply@at12.example"}, "AT12")
    assert (settings.host, settings.port, settings.security, settings.user, settings.password, settings.sender) == (
        "mail.example", 465, "tls", "at12", "s3cret", "noreply@at12.example")
    assert "s3cret" not in repr(settings)
    plain = load_mail_settings({"SOPRO_SMTP_HOST": "localhost", "SOPRO_SMTP_PORT": "2525",
                                "SOPRO_SMTP_SECURITY": "none"}, "HU22")
    assert (plain.port, plain.security, plain.sender, plain.user) == (2525, "none", "noreply@hu22.sopro.invalid", None)
    assert load_mail_settings({"SOPRO_SMTP_HOST": "mail.example"}, "AT12").port == 587  # starttls by default
    with pytest.raises(ValueError, match="SOPRO_SMTP_SECURITY"):
        load_mail_settings({"SOPRO_SMTP_HOST": "mail.example", "SOPRO_SMTP_SECURITY": "ssl3"}, "AT12")


def test_a_mail_has_a_text_and_an_html_part_and_a_message_id_of_its_key():
    msg = compose("noreply@at12.example", "broker@at12.example", "Neue Anfrage", "Text", "<p>Text</p>", "de",
                  "enquiry_filed:1:broker")
    assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Content-Language"] == "de" and msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"] == message_id("enquiry_filed:1:broker", "noreply@at12.example")
    assert msg["Message-ID"].endswith("@at12.example>")
    assert message_id("a", "x@y.example") != message_id("b", "x@y.example")


@pytest.mark.parametrize("subject, recipient", [("Hi\r\nBcc: victim@example.org", "broker@at12.example"),
                                                ("Hi", "broker@at12.example\nBcc: victim@example.org")])
def test_a_header_injection_is_refused(subject, recipient):
    with pytest.raises(ValueError):
        compose("noreply@at12.example", recipient, subject, "Text", "<p>Text</p>", "de", "k")


def test_settings_repr_names_no_password():
    assert "pw" not in repr(MailSettings("h", 25, "none", "a@b.example", user="u", password="pw"))


@pytest.mark.parametrize("address", ["broker@at12.example", "anna.huber+sopro@mail.example.at", "a@b.hu"])
def test_a_plain_address_is_valid(address):
    assert valid_address(address)


@pytest.mark.parametrize("address", ["", "broker", "broker@", "@at12.example", "broker@localhost", "a b@c.example",
                                     "broker@at12.example\r\nBcc: victim@example.org", "Anna <anna@a.example>",
                                     "a@b@c.example", "a@-b.example"])
def test_a_malformed_address_is_refused(address):
    assert not valid_address(address)


def test_the_enquiry_mail_subject_is_one_line_whatever_the_title():
    from types import SimpleNamespace

    from services.enquiries.lifecycle.filed_notice import mail
    from services.web.mail_layout import render, words

    def rendered(title, language):
        enquiry = SimpleNamespace(id="1", reference="AT12-E-2026-0001", title=title, deadline=None)
        return render(mail(enquiry)(words(language, "http://127.0.0.1:8012")), language, None, None)

    subject, text, html = rendered("Bänke\r\nBcc: victim@example.org", "de")
    assert subject == "Neue Anfrage AT12-E-2026-0001: Bänke Bcc: victim@example.org"
    assert "http://127.0.0.1:8012/office/enquiries/1?lang=de" in text
    compose("noreply@at12.example", "broker@at12.example", subject, text, html, "de", "k")  # accepted
    assert "<script>" not in rendered("<script>x</script>", "hu")[2]


def test_a_mail_one_can_turn_off_carries_the_one_click_unsubscribe_headers():
    msg = compose("noreply@at12.example", "a@at12.example", "S", "t", "<p>h</p>", "de", "k",
                  "https://at12.example/notifications/unsubscribe/abc")
    assert msg["List-Unsubscribe"] == "<https://at12.example/notifications/unsubscribe/abc>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert compose("noreply@at12.example", "a@at12.example", "S", "t", "<p>h</p>", "de", "k")["List-Unsubscribe"] is None


def test_the_sender_thread_stops_at_once_while_idle():
    import threading
    import time

    from services.common.notification_sender import _idle

    stop, wake = threading.Event(), threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    _idle(stop, wake, 30.0)
    assert time.monotonic() - started < 1.0
    wake.set()
    _idle(threading.Event(), wake, 30.0)  # woken: returns at once, and the wake-up is used up
    assert not wake.is_set()
