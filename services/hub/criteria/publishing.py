"""The agency publishes a new version of the label's criteria catalogue for the whole network.

`publish` checks the catalogue (the contract's rules: every text in de, hu and en, unique ids, scores and
thresholds within their ranges) and the publication's own rules (the next version number, a day not in
the past), then stores the version and appends one `hub.criteria.published` per member site to the
hub's outbox, all in one transaction: the relay signs and sends each to its site (`to` set). A site
never writes a version itself; it stores what the hub sent (services/label/consumers.py).
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from sqlalchemy.exc import IntegrityError

from services.common import outbox
from services.common.clock import utcnow
from services.common.errors import Conflict, Invalid
from services.common.events import Recorded
from services.common.uow import UnitOfWork
from services.contracts.events.criteria import CatalogueData, CriteriaPublished
from services.hub.criteria import store


def check(body: dict, newest: int, today: date) -> dict:
    """The loaded catalogue, or Invalid with field messages (the contract's and the publication's)."""
    try:
        loaded = CatalogueData().load(body)
    except ma.ValidationError as exc:
        errors, loaded = dict(exc.messages), exc.valid_data or {}
    else:
        errors = {}
    if "version" not in errors and loaded.get("version") is not None and loaded["version"] != newest + 1:
        errors["version"] = [f"the next version is {newest + 1}"]
    if "applies_from" not in errors and loaded.get("applies_from") is not None and loaded["applies_from"] < today:
        errors["applies_from"] = ["must not be in the past"]
    if errors:
        raise Invalid("the catalogue cannot be published", errors)
    return loaded


def publish(uow: UnitOfWork, body: dict, sites: list[str], actor: str, today: date) -> store.Version:
    """Store version `body["version"]` and send it to every site in `sites`, in one transaction."""
    with uow:
        newest = store.newest(uow.conn, lock=True)
        loaded = check(body, newest.version, today)
        event = CriteriaPublished(**loaded)
        data = Recorded(event, str(event.version), 1).data()
        published_at = utcnow()
        try:
            store.add(uow.conn, data, loaded["applies_from"], published_at, actor)
        except IntegrityError:  # another agency admin published this number a moment ago
            raise Conflict(f"version {event.version} has just been published", {"version": ["published already"]}) \
                from None
        for site in sites:
            outbox.append(uow.conn, uow.site_id, [Recorded(event, str(event.version), 1)], to=site)
        uow.commit()
    return store.Version(event.version, loaded["applies_from"], published_at, actor, data)
