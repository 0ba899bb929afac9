"""The origin site follows its cross-border order: the use case behind the hub's consortium snapshots.

One snapshot, in the consumer's transaction (so the enquiry's move, its audit entries, its events and
the message's tracking row commit together):

1. keep it if it is the newest (a late or replayed snapshot stops here and changes nothing);
2. once the consortium is agreed, make the client-facing agreement, or bring its lines up to date;
3. move the enquiry forward as far as the snapshot goes, one state at a time, as the system.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Mapping

from sqlalchemy import Connection

from services.common.config import load_federation
from services.common.envelope import Envelope
from services.common.errors import Conflict, NotFound
from services.common.uow import UnitOfWork
from services.web.notify import MailSite
from services.enquiries.crossborder import origin, origin_store, store
from services.enquiries.crossborder.origin import ClientAgreement
from services.enquiries.lifecycle import handlers as lifecycle, notices as lifecycle_notices, store as enquiry_store
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import CANCELLED, EXPIRED, Actor

log = logging.getLogger("sopro.enquiries.crossborder")

HUB = Actor("hub", system=True)  # who moves the enquiry: the site, on the hub's report


@dataclass(frozen=True)
class SiteMoney:
    currency: str  # the site's
    rates_to_eur: Mapping[str, Decimal]  # the federation's


def site_money(site_id: str) -> SiteMoney:
    """The site's currency and the federation's rates, from the federation file the process runs with
    (a consumer has no runtime at hand; a snapshot is rare enough to read it each time)."""
    federation = load_federation()
    return SiteMoney(federation.site(site_id).currency, federation.rates_to_eur)


def follow_consortium(conn: Connection, env: Envelope, money: SiteMoney, now: datetime,
                      mail_site: MailSite | None = None) -> None:
    """Keep the hub's picture if it is the newest and follow it; the client's members hear of the moves
    it makes (agreed, in production, delivered) through `mail_site` (None: no mail)."""
    snapshot = origin.upgrade(env.data, env.version, money.rates_to_eur)
    newest = store.save_consortium(conn, {
        "id": str(snapshot["order_id"]), "enquiry_id": str(snapshot["enquiry_id"]),
        "aggregate_version": env.aggregate_version, "status": snapshot["status"], "snapshot": snapshot,
        "correlation_id": env.correlation_id, "updated_at": now,
    })
    if not newest:
        log.info("consortium %s: snapshot %s is not newer than the one kept", snapshot["order_id"], env.id)
        return
    try:
        enquiry = enquiry_store.load_enquiry(conn, str(snapshot["enquiry_id"]), lock=True)
    except NotFound:
        log.warning("consortium %s names enquiry %s, which this site does not have", snapshot["order_id"],
                    snapshot["enquiry_id"])
        return
    agreement = origin_store.load_agreement(conn, enquiry.id)
    target = origin.stage(snapshot, agreed_before=agreement is not None)
    if agreement is None:
        if target is None or enquiry.state in (CANCELLED, EXPIRED):
            return
        origin_store.add_agreement(conn, ClientAgreement.make(snapshot, enquiry.unit, money.currency,
                                                              money.rates_to_eur, now))
    elif agreement.order_id != str(snapshot["order_id"]):
        log.warning("enquiry %s is agreed with the consortium of order %s; order %s changes nothing", enquiry.id,
                    agreement.order_id, snapshot["order_id"])
        return
    else:
        origin_store.save_lines(conn, agreement.order_id, agreement.follow(snapshot, now))
    _move_on(conn, env, enquiry, target, now, mail_site)


def _move_on(conn: Connection, env: Envelope, enquiry: Enquiry, target: str | None, now: datetime,
             mail_site: MailSite | None = None) -> None:
    """Move the enquiry towards `target` one state at a time. A move the lifecycle refuses (say, a local
    agreement of the same enquiry is not delivered yet) stops there: the broker takes it on; the message
    is applied all the same, never a poison one."""
    entries, facts = [], lifecycle.facts(conn, enquiry.id, now)
    for step in origin.steps(enquiry.state, target):
        try:
            entries.append(enquiry.move(step, HUB, facts, now, origin.AUDIT_REASONS[step]))
        except Conflict as refused:
            log.warning("enquiry %s stays %s: %s", enquiry.reference, enquiry.state, refused.message)
            break
    if entries:
        lifecycle.save(_within(conn, env), enquiry, *entries)
        for entry in entries:  # keyed per move: a redelivered picture makes no move, so no second mail
            lifecycle_notices.state_changed(conn, mail_site, enquiry, entry, now)


def _within(conn: Connection, env: Envelope) -> UnitOfWork:
    """A unit of work in the consumer's transaction (the consumer commits it), whose events carry the
    order's correlation id and name the hub's message as their cause."""
    return UnitOfWork.joining(conn, env.to, correlation_id=env.correlation_id, causation_id=str(env.id))
