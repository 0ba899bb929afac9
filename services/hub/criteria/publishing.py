"""The agency publishes a new version of the label's criteria catalogue for the whole network.

`publish` checks the catalogue (the contract's rules: every text in de, hu and en, unique ids, scores and
thresholds within their ranges) and the publication's own rules (the next version number, a day not in
the past), then stores the version and appends one `hub.criteria.published` per member site to the
hub's outbox, all in one transaction: the relay signs and sends each to its site (`to` set). A site
never writes a version itself; it stores what the hub sent (services/label/consumers.py).

A site that joins the network later (added to the federation file after a publication) is sent every
version it has not been sent: `send_to_joined_sites`, a job of the hub's `sopro tick`. The hub's outbox,
which is also the feed a site heals gaps from and is never pruned, is the record of what went where.
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from sqlalchemy import select
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


def send_to_joined_sites(uow: UnitOfWork, sites: list[str]) -> list[tuple[str, int]]:
    """Send each published version to every site in `sites` it was never sent to (a site that joined
    later), oldest first, in one transaction; (site, version) for each message written."""
    sent: list[tuple[str, int]] = []
    with uow:
        # Version 1 is bundled at every site. Two ticks at once may both send a version: harmless, a site
        # keeps a version it holds already as it is.
        versions = store.all_versions(uow.conn)[1:]
        if not versions:
            return sent
        had = {(row.to_site, int(row.aggregate_id)) for row in uow.conn.execute(
            select(outbox.outbox.c.to_site, outbox.outbox.c.aggregate_id)
            .where(outbox.outbox.c.type == CriteriaPublished.TYPE))}
        for site in sites:
            for version in versions:
                if (site, version.version) in had:
                    continue
                event = CriteriaPublished(**CatalogueData().load(version.body))
                outbox.append(uow.conn, uow.site_id, [Recorded(event, str(event.version), 1)], to=site)
                sent.append((site, version.version))
        uow.commit()
    return sent
