"""Wakes the relay when another process commits outbox rows: PostgreSQL LISTEN on the schema's channel.

A writer's outbox statement calls `pg_notify` on its schema's channel (services/common/outbox.py), and
PostgreSQL delivers the notification when the transaction commits, to every connection listening, in
whichever process. The listener holds one autocommit connection of its own, sets the relay's `wake` on
each notification, and reconnects when the connection is lost. Notifications sent while it was away
are gone, so after each (re)connection it wakes the relay once: the relay then finds whatever committed
meanwhile. Its idle poll still runs, so a lost notification only costs latency, never an event.

Writers NOTIFY only while the relay asks for it (services/common/outbox.outbox_wakeup): the listener asks
each time it connects, and the relay itself stops asking while a stream of writes keeps it busy and asks
again when the stream ends (`want`, called from Relay.run_forever).
"""
from __future__ import annotations

import logging
import threading

import psycopg
from psycopg import sql
from sqlalchemy import Engine

from services.common.outbox import WAKEUP_CHANNEL_SQL, want_wakeups

log = logging.getLogger("sopro.relay_wakeup")


class RelayWakeup:
    """LISTEN for the outbox of `engine`'s schema; set `wake` on each notification until `stop`."""

    def __init__(self, engine: Engine, wake: threading.Event, reconnect_seconds: float = 1.0,
                 check_stop_seconds: float = 0.5):
        self.engine = engine
        self.wake = wake
        self.reconnect_seconds = reconnect_seconds
        self.check_stop_seconds = check_stop_seconds
        self.listening = threading.Event()  # set while a connection listens (tests and health wait on it)
        self.connections = 0  # how many times it connected and listened
        self.notifications = 0
        self._conn: psycopg.Connection | None = None

    def run_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._listen_until(stop)
            except psycopg.Error as exc:  # the database restarted, or the connection was terminated
                log.warning("relay wake-up listener lost its connection (%s); reconnecting in %.1fs",
                            exc, self.reconnect_seconds)
                stop.wait(self.reconnect_seconds)
            finally:
                self.listening.clear()
                self._close()

    def _listen_until(self, stop: threading.Event) -> None:
        args, params = self.engine.dialect.create_connect_args(self.engine.url)
        self._conn = psycopg.connect(*args, **{**params, "autocommit": True})
        channel = self._conn.execute(f"SELECT {WAKEUP_CHANNEL_SQL}").fetchone()[0]
        self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        self.want(True)
        self.connections += 1
        self.wake.set()  # whatever committed while no one listened
        self.listening.set()
        while not stop.is_set():
            for _ in self._conn.notifies(timeout=self.check_stop_seconds):
                self.notifications += 1
                self.wake.set()

    def want(self, wanted: bool) -> None:
        """Ask writers to NOTIFY on commit, or to spare it (the relay polls meanwhile)."""
        with self.engine.begin() as conn:
            want_wakeups(conn, wanted)

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None
