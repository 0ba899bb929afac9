"""Calling a community event off, through its handlers on a migrated SQLite site (the embedded mode):
everyone registered or waiting is mailed once in their language, the contract's last snapshot says
`cancelled` with the counts, and nobody registers or changes the event afterwards."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.common.clock import utcnow
from services.common.errors import Conflict
from services.common.notifications import notification
from services.community.calendar import handlers, notices
from tests.support.migrated import bootstrap
from tests.support.sites import outbox_rows


def test_calling_an_event_off_tells_everyone_once_and_closes_it(make_settings, site_db):
    runtime = bootstrap(make_settings("HU22", db_url=site_db("HU22")))
    now = utcnow()
    mail = notices.event_mail(runtime)
    event = handlers.create_event(runtime.uow(), runtime.settings.site, {
        "kind": "forum", "scope": "site", "platform_forum": True, "languages": ["hu"],
        "texts": [{"language": "hu", "title": "Platformfórum", "summary": ""},
                  {"language": "de", "title": "Plattformforum", "summary": ""}],
        "starts_at": now + timedelta(days=5), "ends_at": now + timedelta(days=5, hours=2), "venue": "Győr",
        "nuts3": "HU221", "capacity": 1}, now)
    assert event.reference.startswith("HU22-V-") and event.country == "HU"
    for n, language in ((1, "hu"), (2, "de")):
        handlers.register(runtime.uow(), event.id, {"name": f"P{n}", "email": f"p{n}@example.hu",
                                                     "organisation": None, "language": language}, now, mail)
    handlers.cancel_event(runtime.uow(), event.id, now, mail)
    with pytest.raises(Conflict):
        handlers.cancel_event(runtime.uow(), event.id, now, mail)
    with pytest.raises(Conflict):
        handlers.register(runtime.uow(), event.id, {"name": "P3", "email": "p3@example.hu", "organisation": None,
                                                     "language": "hu"}, now, mail)

    with runtime.engine.connect() as conn:
        called_off = conn.execute(select(notification.c.recipient, notification.c.language, notification.c.subject)
                                  .where(notification.c.kind == notices.CALLED_OFF)
                                  .order_by(notification.c.recipient)).all()
    assert [tuple(r) for r in called_off] == [("p1@example.hu", "hu", "Elmarad: Platformfórum"),
                                              ("p2@example.hu", "de", "Abgesagt: Plattformforum")]
    last = outbox_rows(runtime, "community.event.")[-1]
    assert last.type == "community.event.cancelled"
    assert (last.data["status"], last.data["registered"], last.data["waiting"]) == ("cancelled", 1, 1)
    runtime.engine.dispose()
