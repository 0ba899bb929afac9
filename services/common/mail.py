"""Mail through a real SMTP server: the site's mail settings, and one message composed and handed over.

The settings come from the process's environment, like the database and the bus (a site's SMTP server
and its password are deployment secrets, not part of the public federation file):
SOPRO_SMTP_HOST, SOPRO_SMTP_PORT, SOPRO_SMTP_SECURITY (none, starttls, tls), SOPRO_SMTP_USER,
SOPRO_SMTP_PASSWORD or SOPRO_SMTP_PASSWORD_FILE (a mounted secret), SOPRO_MAIL_FROM.
No SOPRO_SMTP_HOST: the site sends no mail, and its notifications wait in the outbox.
"""
from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

SECURITIES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # none | starttls | tls
    sender: str  # the From address
    user: str | None = None
    password: str | None = None  # never logged: see __repr__
    timeout: float = 30.0

    def __repr__(self) -> str:  # the password stays out of logs and tracebacks
        return f"MailSettings(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"


def load_mail_settings(env: dict, site_id: str) -> MailSettings | None:
    host = env.get("SOPRO_SMTP_HOST")
    if not host:
        return None
    security = (env.get("SOPRO_SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITIES:
        raise ValueError(f"SOPRO_SMTP_SECURITY must be one of {', '.join(SECURITIES)}, not {security!r}")
    password = env.get("SOPRO_SMTP_PASSWORD")
    if not password and env.get("SOPRO_SMTP_PASSWORD_FILE"):
        password = Path(env["SOPRO_SMTP_PASSWORD_FILE"]).read_text(encoding="utf-8").strip()
    sender = env.get("SOPRO_MAIL_FROM") or f"noreply@{site_id.lower()}.sopro.invalid"
    return MailSettings(host=host, port=int(env.get("SOPRO_SMTP_PORT") or DEFAULT_PORTS[security]),
                        security=security, sender=sender, user=env.get("SOPRO_SMTP_USER") or None,
                        password=password or None)


def message_id(idempotency_key: str, sender: str) -> str:
    """The same key gives the same Message-ID: a mail sent twice (see services.common.notification_sender)
    is recognisably one mail to the receiving side."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    domain = sender.rpartition("@")[2] or "sopro.invalid"
    return f"<{digest}@{domain}>"


def compose(sender: str, recipient: str, subject: str, text: str, html: str, language: str,
            idempotency_key: str, unsubscribe_url: str | None = None) -> EmailMessage:
    """A text and an HTML part. EmailMessage refuses CR/LF in header values, so no header can be injected.
    With `unsubscribe_url`, the RFC 8058 one-click headers: a mail client POSTs
    "List-Unsubscribe=One-Click" to that https address, and the kind of mail stops."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id(idempotency_key, sender)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a notification
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg["Content-Language"] = language  # after the parts: set_content clears the Content-* headers
    return msg


class SmtpMailer:
    """Hands messages to the configured SMTP server, one connection per batch."""

    def __init__(self, settings: MailSettings):
        self.settings = settings

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.user:
            smtp.login(s.user, s.password or "")
        return smtp
