"""Queries of proposals (with their revisions), negotiation messages, agreements and impact records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select, update

from services.common.clock import utcnow
from services.common.errors import NotFound
from services.enquiries.lifecycle import deals
from services.enquiries.lifecycle.impact import ImpactRecord
from services.enquiries.lifecycle.tables import agreement, impact, message, proposal, proposal_revision

TERM_FIELDS = ("quantity", "unit", "price", "currency", "delivery_date", "conditions")


def _terms(row) -> deals.Terms:
    return deals.Terms(row.quantity, row.unit, row.price, row.currency, row.delivery_date, row.conditions)


def _term_values(terms: deals.Terms) -> dict:
    return {name: getattr(terms, name) for name in TERM_FIELDS}


# --- proposals ---------------------------------------------------------------------------------------

def _proposal(row) -> deals.Proposal:
    return deals.Proposal(row.id, row.enquiry_id, row.organisation_id, row.offer_id, _terms(row), row.created_by,
                          row.created_at, row.revision, row.status)


def load_proposal(conn: Connection, enquiry_id: str, proposal_id: str, lock: bool = False) -> deals.Proposal:
    query = select(proposal).where(proposal.c.id == str(proposal_id), proposal.c.enquiry_id == str(enquiry_id))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no proposal {proposal_id} on enquiry {enquiry_id}")
    return _proposal(row)


def proposals_of(conn: Connection, enquiry_id: str, organisation_id: str | None = None) -> list[deals.Proposal]:
    query = select(proposal).where(proposal.c.enquiry_id == enquiry_id)
    if organisation_id is not None:
        query = query.where(proposal.c.organisation_id == organisation_id)
    return [_proposal(r) for r in conn.execute(query.order_by(proposal.c.created_at, proposal.c.id))]


def save_proposal(conn: Connection, p: deals.Proposal, actor: str, new: bool = False) -> None:
    now = utcnow()
    row = dict(id=p.id, enquiry_id=p.enquiry_id, organisation_id=p.organisation_id, offer_id=p.offer_id,
               revision=p.revision, status=p.status, created_by=p.created_by, **_term_values(p.terms), updated_at=now)
    if new:
        conn.execute(insert(proposal).values(**row, created_at=p.created_at))
    else:
        conn.execute(update(proposal).where(proposal.c.id == p.id).values(**row))
    if new or p.revised:
        conn.execute(insert(proposal_revision).values(proposal_id=p.id, revision=p.revision, revised_by=actor,
                                                      revised_at=now, **_term_values(p.terms)))
        p.revised = False


@dataclass(frozen=True)
class Revision:
    revision: int
    terms: deals.Terms
    revised_by: str
    revised_at: datetime


def revisions_of(conn: Connection, proposal_id: str) -> list[Revision]:
    rows = conn.execute(select(proposal_revision).where(proposal_revision.c.proposal_id == proposal_id)
                        .order_by(proposal_revision.c.revision))
    return [Revision(r.revision, _terms(r), r.revised_by, r.revised_at) for r in rows]


# --- messages ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Message:
    id: int
    enquiry_id: str
    organisation_id: str | None
    author: str
    party: str
    body: str
    at: datetime


def add_message(conn: Connection, enquiry_id: str, organisation_id: str | None, author: str, party: str,
                body: str) -> Message:
    at = utcnow()
    id_ = conn.execute(insert(message).values(enquiry_id=enquiry_id, organisation_id=organisation_id, author=author,
                                              party=party, body=body, at=at).returning(message.c.id)).scalar_one()
    return Message(id_, enquiry_id, organisation_id, author, party, body, at)


def messages_of(conn: Connection, enquiry_id: str, thread_of: str | None = None) -> list[Message]:
    """Every message; with `thread_of`, only those of that social enterprise's thread and general notes."""
    query = select(message).where(message.c.enquiry_id == enquiry_id)
    if thread_of is not None:
        query = query.where(or_(message.c.organisation_id == thread_of, message.c.organisation_id.is_(None)))
    return [Message(r.id, r.enquiry_id, r.organisation_id, r.author, r.party, r.body, r.at)
            for r in conn.execute(query.order_by(message.c.id))]


# --- agreements --------------------------------------------------------------------------------------

def _agreement(row) -> deals.Agreement:
    return deals.Agreement(row.id, row.enquiry_id, row.proposal_id, row.proposal_revision, row.organisation_id,
                           row.offer_id, _terms(row), row.made_at, row.made_by, row.status, row.delivered_at,
                           version=row.version)


def load_agreement(conn: Connection, enquiry_id: str, agreement_id: str, lock: bool = False) -> deals.Agreement:
    query = select(agreement).where(agreement.c.id == str(agreement_id), agreement.c.enquiry_id == str(enquiry_id))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no agreement {agreement_id} on enquiry {enquiry_id}")
    return _agreement(row)


def agreements_of(conn: Connection, enquiry_id: str, lock: bool = False) -> list[deals.Agreement]:
    query = select(agreement).where(agreement.c.enquiry_id == enquiry_id).order_by(agreement.c.made_at, agreement.c.id)
    return [_agreement(r) for r in conn.execute(query.with_for_update() if lock else query)]


def save_agreement(conn: Connection, a: deals.Agreement, new: bool = False) -> None:
    row = dict(id=a.id, enquiry_id=a.enquiry_id, proposal_id=a.proposal_id, proposal_revision=a.proposal_revision,
               organisation_id=a.organisation_id, offer_id=a.offer_id, **_term_values(a.terms), status=a.status,
               made_at=a.made_at, made_by=a.made_by, delivered_at=a.delivered_at, version=a.version)
    if new:
        conn.execute(insert(agreement).values(**row))
    else:
        conn.execute(update(agreement).where(agreement.c.id == a.id).values(**row))


# --- impact ------------------------------------------------------------------------------------------

IMPACT_FIELDS = ("id", "agreement_id", "enquiry_id", "year", "value_paid", "currency", "value_paid_eur",
                 "material_diverted_kg", "regional_share", "distance_km", "production_nuts3", "integration_hours",
                 "recorded_at", "basis")


def save_impact(conn: Connection, record: ImpactRecord, recorded_by: str) -> None:
    conn.execute(insert(impact).values(recorded_by=recorded_by, **{f: getattr(record, f) for f in IMPACT_FIELDS}))


def impacts_of(conn: Connection, enquiry_id: str) -> list[ImpactRecord]:
    rows = conn.execute(select(impact).where(impact.c.enquiry_id == enquiry_id).order_by(impact.c.recorded_at))
    return [ImpactRecord(**{f: getattr(r, f) for f in IMPACT_FIELDS}) for r in rows]
