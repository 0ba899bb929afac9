"""Use cases of an enquiry's lifecycle: create, edit, move, shortlist. Each loads the enquiry locked,
calls the domain, and saves state, audit and events in one transaction (the unit of work).

Dependencies come in as parameters: the unit of work, the acting `Actor`, the site's rules and `now`.
Proposals and agreements are in `deals_handlers`, the deadline sweep in `expiry`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from services.common.errors import Conflict, Forbidden
from services.common.uow import UnitOfWork
from services.enquiries.crossborder import origin_store
from services.enquiries.crossborder.model import automatic_request
from services.enquiries.lifecycle import deals, deals_store, filed_notice, matching_port, notices, store
from services.enquiries.lifecycle.alerts import OPENED_FOR_PROPOSALS, notify_enterprises
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import (
    BROKER, CANCELLED, CLIENT, DRAFT, EXPIRED, OPEN, SUBMITTED, Actor, AuditEntry, Facts,
)
from services.enquiries.lifecycle.values import Client, PublicText


@dataclass(frozen=True)
class SiteRules:
    """What a handler needs to know about the site: its id, its currency, and the EUR rates."""

    site_id: str
    currency: str
    rates_to_eur: dict[str, Decimal]
    # Where the site's pages are and its languages, first the default: the brokers' mails link there.
    # No url: no mail (a handler called outside a site, e.g. in a unit test).
    url: str | None = None
    languages: tuple[str, ...] = ()


def new_id() -> str:
    return str(uuid.uuid4())


def facts(conn: Connection, enquiry_id: str, now: datetime) -> Facts:
    proposals = deals_store.proposals_of(conn, enquiry_id)
    agreements = [a for a in deals_store.agreements_of(conn, enquiry_id) if a.status != deals.CANCELLED]
    consortium_agreed, consortium_delivered = origin_store.consortium_progress(conn, enquiry_id)
    return Facts(today=now.date(), open_proposals=sum(p.status == deals.OPEN for p in proposals),
                 active_agreements=len(agreements),
                 undelivered_agreements=sum(a.status == deals.ACTIVE for a in agreements),
                 consortium_agreed=consortium_agreed, consortium_delivered=consortium_delivered)


def save(uow: UnitOfWork, enquiry: Enquiry, *entries: AuditEntry | None, new: bool = False) -> None:
    """Save the enquiry, its audit entries and its events (published enquiries only record events)."""
    store.save_enquiry(uow.conn, enquiry, new=new)
    for entry in entries:
        store.audit(uow.conn, entry)
    uow.record(enquiry)


def create_enquiry(uow: UnitOfWork, actor: Actor, fields: dict, site: SiteRules, now: datetime,
                   submit: bool = False) -> Enquiry:
    """A draft (or, with `submit`, a submitted enquiry). A member files for its own organisation. What
    staff type is public as typed; the text of a member or of the public form waits for a broker's
    approval (`approve_public_text`)."""
    client: Client = fields["client"]
    if not actor.staff and not actor.first_contact and client.organisation_id != actor.organisation_id:
        raise Forbidden("a member files enquiries for its own organisation")
    if actor.staff:
        fields = {**fields, "public_text": PublicText(fields["title"], fields.get("description"), actor.subject, now)}
    with uow:
        reference = store.next_reference(uow.conn, site.site_id, now.year)
        enquiry = Enquiry.create(now.date(), site.currency, id=new_id(), reference=reference, created_at=now,
                                 **fields)
        party = BROKER if actor.staff else CLIENT
        entries = [AuditEntry(enquiry.id, None, DRAFT, actor.subject, party, now, "created")]
        if submit:
            entries.append(enquiry.move(SUBMITTED, actor, Facts(now.date()), now, "filed with the enquiry form"))
        save(uow, enquiry, *entries, new=True)
        if submit:
            _tell_brokers(uow, enquiry, site, now)
        uow.commit()
    return enquiry


def _tell_brokers(uow: UnitOfWork, enquiry: Enquiry, site: SiteRules, now: datetime) -> None:
    """A filed enquiry: its brokers' mails go to the outbox in the filing transaction."""
    if site.url:
        filed_notice.notify_brokers(uow.conn, enquiry, site.url, site.languages, now)


def _tell_enterprises(uow: UnitOfWork, enquiry: Enquiry, target: str, site: SiteRules, now: datetime) -> None:
    """Opened for proposals: the members of the social enterprises whose offers fit it get an enquiry alert
    (lifecycle.alerts), in the transaction of the move."""
    if site.url and target == OPENED_FOR_PROPOSALS:
        notify_enterprises(uow.conn, enquiry, site.url, site.languages, now)


def edit_enquiry(uow: UnitOfWork, actor: Actor, enquiry_id: str, changes: dict, site: SiteRules,
                 now: datetime) -> Enquiry:
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        enquiry.edit(actor, changes, now.date(), site.currency)
        save(uow, enquiry)
        uow.commit()
    return enquiry


def approve_public_text(uow: UnitOfWork, actor: Actor, enquiry_id: str, title: str, description: str | None,
                        now: datetime) -> Enquiry:
    """A broker sets the public version of the enquiry's title and description; a submitted enquiry
    publishes it (an `EnquiryChanged`)."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        enquiry.approve_public_text(actor, title, description, now)
        save(uow, enquiry)
        uow.commit()
    return enquiry


def end_agreements(conn: Connection, uow: UnitOfWork, enquiry_id: str) -> None:
    """The enquiry is cancelled or expired: its active agreements end and give their capacity back."""
    for agreement in deals_store.agreements_of(conn, enquiry_id, lock=True):
        if agreement.status == deals.ACTIVE:
            agreement.cancel_with_enquiry()
            matching_port.release(conn, agreement.id)
            deals_store.save_agreement(conn, agreement)
            uow.record(agreement)


def move_enquiry(uow: UnitOfWork, actor: Actor, enquiry_id: str, target: str, reason: str | None,
                 now: datetime, site: SiteRules | None = None) -> Enquiry:
    """One transition of the table (`model.TRANSITIONS`), made explicitly. When `site` says where the
    site is, a draft filed (submitted) tells the brokers, and a move the client cares about tells the
    client's members (`notices.state_changed`)."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        entry = enquiry.move(target, actor, facts(uow.conn, enquiry.id, now), now, reason)
        if target in (CANCELLED, EXPIRED):
            end_agreements(uow.conn, uow, enquiry.id)
        save(uow, enquiry, entry)
        if target == SUBMITTED and site is not None:
            _tell_brokers(uow, enquiry, site, now)
        if site is not None:
            _tell_enterprises(uow, enquiry, target, site, now)
        notices.state_changed(uow.conn, site, enquiry, entry, now, show_reason=True)  # not the client's own move
        uow.commit()
    return enquiry


def shortlist(uow: UnitOfWork, enquiry_id: str, now: datetime, limit: int = 10):
    """The matching part's ranked shortlist. When the site alone cannot cover the order, the enquiry
    is flagged for cross-border matching (an `EnquiryChanged` the hub acts on)."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        result = _ranked(uow.conn, enquiry, now, limit)
        if result.cross_border_needed and enquiry.flag_cross_border(automatic_request(enquiry)):
            save(uow, enquiry)
        uow.commit()
    return enquiry, result


def preview_shortlist(conn: Connection, enquiry_id: str, now: datetime, limit: int = 10):
    """The same shortlist, changing nothing: the enquiry page shows it, and the broker decides whether and
    on which terms to ask the hub for a consortium (looking at a page must not send a request)."""
    enquiry = store.load_enquiry(conn, enquiry_id)
    return enquiry, _ranked(conn, enquiry, now, limit)


def _ranked(conn: Connection, enquiry, now: datetime, limit: int):
    if enquiry.state not in OPEN:
        raise Conflict(f"cannot shortlist an enquiry that is {enquiry.state}; only while {', '.join(OPEN)}",
                       {"state": [enquiry.state]}, code="not_open")
    return matching_port.shortlist(conn, enquiry, now.date(), limit)
