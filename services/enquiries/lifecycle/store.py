"""Queries of the lifecycle's enquiries and their audit trail (proposals and agreements: `deals_store`).

Handlers load an enquiry locked (`SELECT ... FOR UPDATE` on PostgreSQL) and save it in the same
transaction, so two requests never move one enquiry from the same state.
"""
from __future__ import annotations

from datetime import date
from typing import Collection
from decimal import Decimal

from sqlalchemy import Connection, and_, exists, insert, or_, select, true, update

from services.common.clock import utcnow
from services.common.db import Page, next_in_counter, paged, starting_with
from services.common.errors import NotFound
from services.enquiries.lifecycle.model import Enquiry, reference
from services.enquiries.lifecycle.transitions import MATCHING, NEGOTIATING, OPEN, AuditEntry
from services.enquiries.lifecycle.values import Client, Contact, Delivery, PublicText, ResidualMaterial
from services.enquiries.lifecycle.tables import COMPONENT, counter, enquiry, enquiry_cpv, transition

__all__ = ["COMPONENT"]


def next_reference(conn: Connection, site_id: str, year: int) -> str:
    """The next human reference, e.g. AT12-E-2026-0007; the counter row stays locked until commit."""
    return reference(site_id, year, next_in_counter(conn, counter, year=year))


# --- enquiries ---------------------------------------------------------------------------------------

def _material(data: dict | None) -> ResidualMaterial | None:
    if not data:
        return None
    return ResidualMaterial(data["material"], Decimal(data["amount"]), data["unit"], data["frequency"])


def _enquiry(row) -> Enquiry:
    contact = Contact(row.contact_name, row.contact_email, row.contact_phone) if row.contact_name else None
    return Enquiry(
        id=row.id, reference=row.reference, type=row.type, title=row.title, description=row.description,
        client=Client(row.client_kind, row.client_organisation_id, contact), created_at=row.created_at,
        cpv_codes=list(row.cpv_codes), quantity=row.quantity, unit=row.unit, deadline=row.deadline,
        delivery=Delivery(row.delivery_nuts3, row.delivery_lat, row.delivery_lon), budget=row.budget,
        currency=row.currency, label_required=row.label_required, cross_border_allowed=row.cross_border_allowed,
        cross_border_flagged=row.cross_border_flagged, residual_material=_material(row.residual_material),
        state=row.state, submitted_at=row.submitted_at, case_study_id=row.case_study_id, version=row.version,
        public_text=None if row.public_title is None else PublicText(
            row.public_title, row.public_description, row.public_approved_by, row.public_approved_at),
    )


def load_enquiry(conn: Connection, id_: str, lock: bool = False) -> Enquiry:
    query = select(enquiry).where(enquiry.c.id == str(id_))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no enquiry {id_}")
    return _enquiry(row)


def save_enquiry(conn: Connection, e: Enquiry, new: bool = False) -> None:
    contact = e.client.contact or Contact(None)
    material = e.residual_material
    public = e.public_text or PublicText(None, None, None, None)
    row = dict(
        id=e.id, reference=e.reference, type=e.type, title=e.title, description=e.description,
        client_kind=e.client.kind, client_organisation_id=e.client.organisation_id, contact_name=contact.name,
        contact_email=contact.email, contact_phone=contact.phone, cpv_codes=list(e.cpv_codes), quantity=e.quantity,
        unit=e.unit, deadline=e.deadline, delivery_nuts3=e.delivery.nuts3, delivery_lat=e.delivery.lat,
        delivery_lon=e.delivery.lon, budget=e.budget, currency=e.currency, label_required=e.label_required,
        cross_border_allowed=e.cross_border_allowed, cross_border_flagged=e.cross_border_flagged,
        residual_material=None if material is None else {
            "material": material.material, "amount": str(material.amount), "unit": material.unit,
            "frequency": material.frequency},
        state=e.state, submitted_at=e.submitted_at, case_study_id=e.case_study_id, version=e.version,
        public_title=public.title, public_description=public.description, public_approved_by=public.approved_by,
        public_approved_at=public.approved_at, updated_at=utcnow(),
    )
    if new:
        conn.execute(insert(enquiry).values(**row, created_at=e.created_at))
    else:
        conn.execute(update(enquiry).where(enquiry.c.id == e.id).values(**row))
    conn.execute(enquiry_cpv.delete().where(enquiry_cpv.c.enquiry_id == e.id))
    if e.cpv_codes:
        conn.execute(insert(enquiry_cpv), [{"enquiry_id": e.id, "code": c} for c in e.cpv_codes])


def _open_in(divisions: Collection[str]):
    """Open for proposals, with a CPV code in one of `divisions`."""
    fitting = or_(*[starting_with(enquiry_cpv.c.code, d) for d in sorted(divisions)])
    return and_(enquiry.c.state.in_((MATCHING, NEGOTIATING)),
                exists().where(enquiry_cpv.c.enquiry_id == enquiry.c.id, fitting))


def search_enquiries(conn: Connection, *, page: int = 1, per_page: int = 50, state: str | None = None,
                     type: str | None = None, cpv: str | None = None, client_organisation_id: str | None = None,
                     member_of: str | None = None, open_in_divisions: Collection[str] = (),
                     cross_border_flagged: bool | None = None) -> Page[Enquiry]:
    """`cpv`: a code prefix. `member_of`: what a member sees, its organisation's own enquiries and those
    open for proposals with a CPV code in one of `open_in_divisions` (a social enterprise's offers')."""
    t = enquiry
    conditions = []
    if state:
        conditions.append(t.c.state == state)
    if member_of is not None:
        own = t.c.client_organisation_id == member_of
        conditions.append(or_(own, _open_in(open_in_divisions)) if open_in_divisions else own)
    if type:
        conditions.append(t.c.type == type)
    if client_organisation_id:
        conditions.append(t.c.client_organisation_id == client_organisation_id)
    if cross_border_flagged is not None:
        conditions.append(t.c.cross_border_flagged == cross_border_flagged)
    if cpv:
        conditions.append(exists().where(enquiry_cpv.c.enquiry_id == t.c.id, starting_with(enquiry_cpv.c.code, cpv)))
    return paged(conn, select(t).where(and_(true(), *conditions)), (t.c.created_at.desc(), t.c.id), page, per_page,
                 _enquiry)


def overdue_enquiry_ids(conn: Connection, today: date) -> list[str]:
    """Enquiries still looking for a supplier whose deadline has passed, oldest deadline first."""
    rows = conn.execute(select(enquiry.c.id).where(enquiry.c.state.in_(OPEN), enquiry.c.deadline < today)
                        .order_by(enquiry.c.deadline, enquiry.c.id))
    return [r.id for r in rows]


# --- the audit trail ---------------------------------------------------------------------------------

def audit(conn: Connection, entry: AuditEntry | None) -> None:
    if entry is None:
        return
    conn.execute(insert(transition).values(
        enquiry_id=entry.enquiry_id, from_state=entry.from_state, to_state=entry.to_state, actor=entry.actor,
        party=entry.party, at=entry.at, reason=entry.reason))


def audit_trail(conn: Connection, enquiry_id: str) -> list[AuditEntry]:
    rows = conn.execute(select(transition).where(transition.c.enquiry_id == enquiry_id).order_by(transition.c.id))
    return [AuditEntry(r.enquiry_id, r.from_state, r.to_state, r.actor, r.party, r.at, r.reason) for r in rows]
