"""A site in-process for API tests: its runtime, a Flask test client and a token per user.

Test modules subclass `Site` for their own domain helpers (registering an enterprise, granting a
label); the users, the calls and the matching projection are the same for all of them.
"""
from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from services.bootstrap import create_app
from services.common.passwords import hash_password
from services.common.users import add_user
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.enquiries.matching.consumers import HANDLERS as MATCHING_HANDLERS
from tests.support.migrated import bootstrap
from tests.support.tokens import PASSWORD, logged_in

API = "/api/v1"
STAFF = (("admin", ["site_admin"], None), ("broker", ["broker"], None))


class Logins(dict):
    """{username: Authorization header}, each user logged in through the API when a call first needs it.

    A site's fixture makes users for every role its module needs, and each test calls as a few of them:
    a login costs scrypt's verification (~50 ms), so only those are logged in. A user that a test
    deactivates or changes before its first call therefore logs in afterwards, as a client would."""

    def __init__(self, client, password: str):
        super().__init__()
        self.client, self.password = client, password

    def __missing__(self, username: str) -> dict:
        self[username] = logged_in(self.client, username, self.password)
        return self[username]


@functools.cache
def password_hash(password: str) -> str:
    """One scrypt hash per process for the tests' shared password (services.common.passwords)."""
    return hash_password(password)


class Site:
    """A running site. `acting_as` is who calls when a call names no one; `None` calls anonymously.
    Every user has `password`."""

    acting_as = "broker"
    password = PASSWORD

    def __init__(self, settings, users=STAFF):
        self.runtime = bootstrap(settings)
        self.site_id = self.runtime.site_id
        self.app = create_app(self.runtime)
        self.client = self.app.test_client()
        self.headers = Logins(self.client, self.password)
        self._projected = 0
        for username, roles, organisation_id in users:
            self.add_user(username, roles, organisation_id)

    def add_user(self, username: str, roles, organisation_id: str | None = None) -> None:
        """A user with the site's password; `headers[username]` logs it in through the API when first used."""
        with self.runtime.engine.begin() as conn:
            add_user(conn, username, None, roles, organisation_id, password_hash=password_hash(self.password))

    def call(self, method: str, path: str, as_: str | None = "", expect: int | None = None, client=None, **kwargs):
        """A call to the API as user `as_` ("" is `acting_as`). No call may fail with a server error."""
        as_ = self.acting_as if as_ == "" else as_
        headers = self.headers[as_] if as_ else {}
        resp = (client or self.client).open(f"{API}{path}", method=method, headers=headers, **kwargs)
        assert resp.status_code < 500, resp.get_data(as_text=True)
        if expect is not None:
            assert resp.status_code == expect, resp.get_data(as_text=True)
        return resp

    def ok(self, method: str, path: str, as_: str | None = "", expect: int = 200, **kwargs):
        return self.call(method, path, as_, expect=expect, **kwargs).json

    def project_registry(self) -> None:
        """Feed the registry's new outbox events to the matching projection, as the site's consumer does."""
        self._projected = project_registry(self.runtime, self._projected)

    def outbox_rows(self, prefix: str = "") -> list:
        return outbox_rows(self.runtime, prefix)


def outbox_rows(runtime, prefix: str = "") -> list:
    """(type, aggregate id, aggregate version, data) of the site's outbox events whose type starts with
    `prefix`, in the order they were written."""
    with runtime.engine.connect() as conn:
        return conn.execute(select(outbox.c.type, outbox.c.aggregate_id, outbox.c.aggregate_version, outbox.c.data)
                            .where(outbox.c.type.like(f"{prefix}%")).order_by(outbox.c.id)).all()


def project_registry(runtime, after: int) -> int:
    """Apply the registry's outbox events after outbox id `after` to the site's matching projection, as
    its consumer would; returns the last id applied."""
    with runtime.engine.begin() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.id > after, outbox.c.type.like("registry.%"))
                            .order_by(outbox.c.id)).all()
        for r in rows:
            handler = MATCHING_HANDLERS.get(r.type)
            if handler is not None:
                handler(conn, Envelope(
                    id=r.event_id, type=r.type, version=r.version, site=runtime.site_id, stream=r.stream, seq=r.id,
                    aggregate_id=r.aggregate_id, aggregate_version=r.aggregate_version,
                    occurred_at=r.occurred_at.isoformat(), correlation_id=None, causation_id=None, data=r.data))
            after = r.id
    return after


def race(site: Site, calls: list) -> list:
    """Run `calls` (each a function of a test client) at once, one thread and client each."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        client = site.app.test_client()
        barrier.wait(timeout=60)
        return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
