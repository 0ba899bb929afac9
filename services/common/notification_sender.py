"""The sender of the notification outbox: takes due rows, hands them to the SMTP server, marks them sent.

What is guaranteed (SMTP has no idempotent submission, so exactly-once cannot be promised end to end):
- Nothing is lost: a row leaves the outbox only when the SMTP server has accepted it (250 after DATA).
  While the server is down, or refuses temporarily (4xx), the row waits and is retried with
  exponential backoff.
- A row is taken by one sender at a time: claiming commits `attempts + 1` and a lease
  (`next_attempt_at = now + LEASE`) before anything is sent (FOR UPDATE SKIP LOCKED on PostgreSQL;
  SQLite's writes are serialised).
- A mail is never sent twice for the same key, except when the sender dies in the window between the
  server's 250 and the commit of `sent_at` (milliseconds). Then, after the lease, the row is sent again
  with the same Message-ID (derived from the idempotency key): the duplicate is recognisably the same
  mail, and receivers that deduplicate by Message-ID (the demo mailbox does) show it once.
- A permanent refusal (5xx) is not retried: the row keeps its error and `next_attempt_at` becomes NULL.
Logs name a notification by id and kind, never by its address or content.
"""
from __future__ import annotations

import logging
import smtplib
import threading
import time
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Engine, select, update

from services.common.clock import utcnow
from services.common.db import is_postgres
from services.common.mail import SmtpMailer, compose
from services.common.notification_kinds import SECRET_LINK_KINDS
from services.common.notifications import notification

log = logging.getLogger("sopro.notifications")

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
LEASE = timedelta(minutes=5)  # longer than one SMTP conversation may take (the mailer's timeout is 30 s)


def backoff(attempts: int, base: timedelta = BASE_DELAY, cap: timedelta = MAX_DELAY) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2 base, 4 base, ... never above cap."""
    if attempts < 1:
        return timedelta(0)
    return min(cap, base * (2 ** min(attempts - 1, 30)))


def claim_due(engine: Engine, now: datetime, limit: int = 50) -> list:
    """Take up to `limit` due rows for this sender: their lease and attempt count commit first."""
    with engine.begin() as conn:
        query = (select(notification).where(notification.c.sent_at.is_(None),
                                            notification.c.next_attempt_at <= now)
                 .order_by(notification.c.next_attempt_at, notification.c.id).limit(limit))
        if is_postgres(conn):
            query = query.with_for_update(skip_locked=True)
        rows = conn.execute(query).all()
        if rows:
            conn.execute(update(notification).where(notification.c.id.in_([r.id for r in rows]))
                         .values(attempts=notification.c.attempts + 1, next_attempt_at=now + LEASE))
    return rows


SENT_SECRET = "(sent; its single-use link is not kept)"


def _mark_sent(engine: Engine, row, now: datetime) -> None:
    values = {"sent_at": now, "next_attempt_at": None, "last_error": None}
    if row.kind in SECRET_LINK_KINDS:  # the link opens an account or confirms: no copy stays behind
        values.update(body_text=SENT_SECRET, body_html=SENT_SECRET, action_url=None)
    with engine.begin() as conn:
        conn.execute(update(notification).where(notification.c.id == row.id).values(**values))


def _mark_failed(engine: Engine, row, error: str, now: datetime, permanent: bool) -> None:
    retry_at = None if permanent else now + backoff(row.attempts + 1)
    with engine.begin() as conn:
        conn.execute(update(notification).where(notification.c.id == row.id, notification.c.sent_at.is_(None))
                     .values(next_attempt_at=retry_at, last_error=error[:300]))


def describe(exc: Exception) -> tuple[str, bool]:
    """An error for the row (no address: SMTPRecipientsRefused's text names it) and whether it is permanent."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        code = codes[0] if codes else None
    # 5xx, or a server without SMTPUTF8 for an address that needs it: no retry can mend either
    permanent = (isinstance(code, int) and 500 <= code < 600) or isinstance(exc, smtplib.SMTPNotSupportedError)
    return (f"{type(exc).__name__} {code}" if code else type(exc).__name__), permanent


def deliver_due(engine: Engine, mailer: SmtpMailer, now: Callable[[], datetime] = utcnow, limit: int = 50) -> int:
    """One round: claim the due rows and send them over one SMTP connection. Returns how many were sent."""
    rows = claim_due(engine, now(), limit)
    if not rows:
        return 0
    sent = 0
    try:
        smtp = mailer.connect()
    except (OSError, smtplib.SMTPException) as exc:
        error, _ = describe(exc)
        for row in rows:  # the server is unreachable: every row waits for its next attempt
            _mark_failed(engine, row, error, now(), permanent=False)
        log.warning("notifications: SMTP server unreachable (%s); %d wait", error, len(rows))
        return 0
    try:
        for index, row in enumerate(rows):
            try:
                msg = compose(mailer.settings.sender, row.recipient, row.subject, row.body_text, row.body_html,
                              row.language, row.idempotency_key, row.unsubscribe_url)
            except (ValueError, TypeError) as exc:  # a malformed address or header: no retry can mend it
                _mark_failed(engine, row, f"malformed: {type(exc).__name__}", now(), permanent=True)
                log.warning("notification %s (%s) not sent: malformed", row.id, row.kind)
                continue
            try:
                smtp.send_message(msg)
            except (OSError, smtplib.SMTPException) as exc:
                error, permanent = describe(exc)
                _mark_failed(engine, row, error, now(), permanent)
                log.warning("notification %s (%s) not sent: %s", row.id, row.kind, error)
                # SMTPException is an OSError too: only a lost connection ends the batch
                if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException):
                    for rest in rows[index + 1:]:  # the connection is gone: the rest wait too
                        _mark_failed(engine, rest, error, now(), permanent=False)
                    break
                continue
            _mark_sent(engine, row, now())
            sent += 1
            log.info("notification %s (%s) sent", row.id, row.kind)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent


def run_forever(engine: Engine, mailer: SmtpMailer, stop: threading.Event, idle_seconds: float = 5.0,
                wake: threading.Event | None = None,
                before_round: Callable[[datetime], object] | None = None,
                before_round_every: float = 60.0) -> None:
    """The site's sender thread: a round whenever woken (a commit) or every `idle_seconds`.
    `before_round(now)` writes what becomes due by time alone (the daily digests), at most every
    `before_round_every` seconds; its failure never stops the sending."""
    last_before = float("-inf")
    while not stop.is_set():
        if before_round is not None and time.monotonic() - last_before >= before_round_every:
            last_before = time.monotonic()
            try:
                before_round(utcnow())
            except Exception:  # noqa: BLE001 - the digests wait for the next try; mail goes on
                log.exception("notifications: writing the daily digests failed")
        try:
            deliver_due(engine, mailer)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the thread; the rows wait
            log.exception("notifications: a sending round failed")
        _idle(stop, wake, idle_seconds)


def _idle(stop: threading.Event, wake: threading.Event | None, seconds: float, step: float = 0.2) -> None:
    """Wait until woken, stopped or `seconds` passed; in short steps, so that a stop is seen at once."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        if wake is not None and wake.wait(step):
            break
        if wake is None:
            stop.wait(step)
    if wake is not None:
        wake.clear()
