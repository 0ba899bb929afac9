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


class _BoundController(Controller):
    """aiosmtpd on a socket bound beforehand. aiosmtpd binds `host:port` itself and then connects to that
    port to check it is up, so it cannot be given port 0; a port asked of the system and released first
    could be taken by another process in between (aiosmtpd then waits out its ready timeout)."""

    def __init__(self, handler, sock: socket.socket):
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port)
        self._sock = sock

    def _create_server(self):  # aiosmtpd's own extension point (its UnixSocketController overrides it too)
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class MailServer:
    """The SMTP server on `host:port` (a port of the system's choice if none, bound at once); `start()`,
    `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, mailbox: Mailbox | None = None):
        self.host = host
        self._sock = self._bind(port or 0)
        self.port = self._sock.getsockname()[1]
        self.mailbox = mailbox or Mailbox()
        self._controller: Controller | None = None

    def _bind(self, port: int) -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may follow a stop at once
        try:
            sock.bind((self.host, port))
            sock.listen()  # from here on, no other socket can bind the port, with or without SO_REUSEADDR
        except OSError:
            sock.close()
            raise
        return sock

    def start(self) -> "MailServer":
        sock, self._sock = self._sock or self._bind(self.port), None
        self._controller = _BoundController(self.mailbox, sock)
        try:
            self._controller.start()
        except BaseException:
            sock.close()
            self._controller = None
            raise
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._sock is not None:  # never started
            self._sock.close()
            self._sock = None
