"""Mail in tests: a real SMTP server on loopback (aiosmtpd, services/demo/mailbox.py), the site settings
that point at it, one sending round of a site's outbox, and the mails one address received."""
from __future__ import annotations

import re

from services.common import notification_sender
from services.common.mail import MailSettings, SmtpMailer
from services.demo.mailbox import Mail, MailServer

__all__ = ["MailServer", "mail_settings", "deliver", "mails_to", "link_in"]


def mail_settings(port: int, site_id: str = "AT12") -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none",
                        sender=f"noreply@{site_id.lower()}.sopro.example", timeout=5.0)


def deliver(runtime, **kwargs) -> int:
    """One sending round of the site's outbox to its SMTP server; how many mails were sent."""
    return notification_sender.deliver_due(runtime.engine, SmtpMailer(runtime.settings.mail), **kwargs)


def mails_to(server: MailServer, address: str) -> list[Mail]:
    """The mails `address` received, each once, oldest first."""
    return [m for m in reversed(server.mailbox.mails()) if address.casefold() in (r.casefold() for r in m.recipients)]


def link_in(mail: Mail, path_part: str) -> str:
    """The first link in the mail's text whose address contains `path_part` (AssertionError if none)."""
    for url in re.findall(r"https?://\S+", mail.text):
        if path_part in url:
            return url
    raise AssertionError(f"no link with {path_part!r} in the mail {mail.subject!r}:\n{mail.text}")
