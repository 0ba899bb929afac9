"""Two senders on one PostgreSQL database never take the same notification: a claim skips the rows
another sender holds locked (FOR UPDATE SKIP LOCKED) and, once committed, their lease."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.common import notifications
from services.common.clock import utcnow
from services.common.db import make_engine
from services.common.migrate import KERNEL, upgrade
from services.common.notification_sender import LEASE, claim_due
from services.common.notifications import notification

pytestmark = pytest.mark.services


@pytest.fixture
def engine(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine, [KERNEL])
    yield engine
    engine.dispose()


def test_a_claim_skips_rows_another_sender_holds_and_then_their_lease(engine):
    now = utcnow()
    with engine.begin() as conn:
        for i in range(10):
            notifications.enqueue(conn, key=f"k{i}", kind="test", recipient=f"p{i}@at12.example", language="de",
                                  subject="s", text_body="t", html_body="h", now=now)
    with engine.connect() as other:  # another sender, in the middle of its claim
        other.begin()
        held = other.execute(select(notification.c.id).order_by(notification.c.id).limit(4)
                             .with_for_update(skip_locked=True)).scalars().all()
        mine = claim_due(engine, now, limit=10)  # does not wait for the other sender's lock
        assert len(held) == 4 and len(mine) == 6 and not set(held) & {r.id for r in mine}
        other.rollback()
    assert {r.id for r in claim_due(engine, now, limit=10)} == set(held)  # the leased six are not due
    assert claim_due(engine, now, limit=10) == []
    assert len(claim_due(engine, now + LEASE, limit=10)) == 10  # an expired lease: taken again, attempt 2
    with engine.connect() as conn:
        assert set(conn.execute(select(notification.c.attempts)).scalars()) == {2}
