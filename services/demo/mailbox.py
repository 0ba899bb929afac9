"""The embedded demo's SMTP server (aiosmtpd on loopback): it receives every mail the sites send and
keeps them in memory for the "demo mailbox" page. Nothing leaves the machine.

A mail handed over twice with the same Message-ID (a sender that died between the server's reply and
marking the row sent, services/common/notification_sender.py) is kept once: `received` counts the
handovers, `mails()` lists each Message-ID once.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    language: str
    text: str
    html: str
    list_unsubscribe: str = ""  # RFC 8058: <https://...>, with List-Unsubscribe-Post beside it
    list_unsubscribe_post: str = ""


def parse(raw: bytes, envelope_from: str, recipients: list[str]) -> Mail:
    msg: EmailMessage = message_from_bytes(raw, policy=policy.default)
    text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    return Mail(message_id=str(msg["Message-ID"] or ""), sender=envelope_from, recipients=tuple(recipients),
                subject=str(msg["Subject"] or ""), language=str(msg["Content-Language"] or ""),
                text=text_part.get_content() if text_part else "", html=html_part.get_content() if html_part else "",
                list_unsubscribe=str(msg["List-Unsubscribe"] or ""),
                list_unsubscribe_post=str(msg["List-Unsubscribe-Post"] or ""))


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self._lock = threading.Lock()
        self.received: list[Mail] = []  # every handover, duplicates included

    async def handle_DATA(self, server, session, envelope):
        mail = parse(envelope.original_content or envelope.content, envelope.mail_from, envelope.rcpt_tos)
        with self._lock:
            self.received.append(mail)
        return "250 OK"

    def mails(self) -> list[Mail]:
        """Each Message-ID once, newest first."""
        seen, unique = set(), []
        with self._lock:
            for mail in reversed(self.received):
                if mail.message_id not in seen:
                    seen.add(mail.message_id)
                    unique.append(mail)
        return unique


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class MailServer:
    """The SMTP server on `host:port` (a free port if none); `start()`, `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, mailbox: Mailbox | None = None):
        self.host, self.port = host, port or free_port(host)
        self.mailbox = mailbox or Mailbox()
        self._controller: Controller | None = None

    def start(self) -> "MailServer":
        self._controller = Controller(self.mailbox, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
