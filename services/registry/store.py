"""The registry's tables and the queries its handlers and API need. SQLite and PostgreSQL alike.

Aggregates are saved with optimistic locking: an update names the version it was loaded at, and a
concurrent change in between turns into a 409 instead of a lost update.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, DateTime, Float, ForeignKey, Integer, String,
    Table, Text, and_, exists, func, insert, or_, select, true, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from services.common.db import BigId, Component, ExactDecimal, is_postgres, new_metadata
from services.common.errors import Conflict, NotFound
from services.registry import model as m

metadata = new_metadata()
COMPONENT = Component("registry", metadata, Path(__file__).parent / "migrations" / "versions")

def _timestamps():
    return [Column("created_at", DateTime(timezone=True), nullable=False),
            Column("updated_at", DateTime(timezone=True), nullable=False)]


organisation = Table(
    "registry_organisation", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("registration_number", String(64), nullable=False),
    Column("registration_key", String(64), nullable=False, unique=True),
    Column("street", String(200), nullable=False),
    Column("postcode", String(16), nullable=False),
    Column("town", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("nuts3", String(5), nullable=False, index=True),
    Column("lat", Float),
    Column("lon", Float),
    Column("labour_market_segment", String(32)),
    Column("workers_in_integration", Integer),
    Column("website", String(300)),
    # Personal data of the contact person: shown to staff only, never in events.
    Column("contact_name", String(200)),
    Column("contact_email", String(254)),
    Column("contact_phone", String(32)),
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

offer = Table(
    "registry_offer", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("organisation_id", String(36), ForeignKey("registry_organisation.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("capacity_per_week", ExactDecimal(18, 4), nullable=False),
    Column("unit", String(50), nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("price_min", ExactDecimal(18, 4)),
    Column("price_max", ExactDecimal(18, 4)),
    Column("currency", String(3), nullable=False),
    Column("delivery_radius_km", Integer),
    Column("cross_border", Boolean, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

# One row per code of an offer or case study: CPV prefix search with an index, on both databases.
offer_cpv = Table(
    "registry_offer_cpv", metadata,
    Column("offer_id", String(36), ForeignKey("registry_offer.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(8), primary_key=True, index=True),
)

support_statement = Table(
    "registry_support_statement", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    # Personal data of the paper form: set to NULL on erasure.
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("phone", String(32)),
    Column("phone_kind", String(8)),
    Column("email", String(254)),
    Column("organisation_name", String(200)),
    Column("organisation_kind", String(32)),
    Column("consent", Boolean, nullable=False),
    Column("given_on", Date, nullable=False),
    Column("nuts3", String(5), nullable=False, index=True),
    # Recomputed on every save, so erasure empties it of the person's data too.
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("confirmed_by", String(100)),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

# Who confirmed, withdrew or erased a statement, when, and which fields were erased; never the erased
# values. A withdrawal's free-text reason stays until the statement is erased; an erasure keeps only its
# ground (one of model.ERASURE_GROUNDS), never a text that might name the person.
statement_audit = Table(
    "registry_support_statement_audit", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("statement_id", String(36), ForeignKey("registry_support_statement.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("reason", String(500)),
    Column("ground", String(32)),
)

# The confirmation link of a statement with an e-mail address: only the token's hash (confirmation.py).
statement_confirmation = Table(
    "registry_statement_confirmation", metadata,
    Column("statement_id", String(36), ForeignKey("registry_support_statement.id"), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# Links waiting to be mailed to the statement's address (the sender comes with issue 15 and deletes a
# row once delivered); deleted too when the statement is confirmed or erased.
confirmation_mail = Table(
    "registry_confirmation_mail", metadata,
    Column("statement_id", String(36), ForeignKey("registry_support_statement.id"), primary_key=True),
    Column("link", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

case_study = Table(
    "registry_case_study", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("client_organisation_id", String(36), ForeignKey("registry_organisation.id")),
    Column("social_enterprise_id", String(36), ForeignKey("registry_organisation.id")),
    Column("value_paid_eur", ExactDecimal(18, 4)),
    Column("material_diverted_kg", ExactDecimal(18, 4)),
    Column("integration_hours", ExactDecimal(18, 4)),
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

case_study_cpv = Table(
    "registry_case_study_cpv", metadata,
    Column("case_study_id", String(36), ForeignKey("registry_case_study.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(8), primary_key=True, index=True),
)

# The per-site counters behind human references, one per letter and year.
counter = Table(
    "registry_counter", metadata,
    Column("letter", String(1), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)


def search_text(*parts: str | None) -> str:
    """What free-text search looks in: casefolded in Python, because SQLite's lower() is ASCII-only."""
    return "\n".join(p for p in parts if p).casefold()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def next_reference(conn: Connection, site_id: str, kind: str, year: int) -> str:
    """The next human reference of a kind of record, e.g. AT12-O-2026-0007. Safe under concurrency:
    the counter row is locked by the increment until the caller's transaction ends."""
    letter = m.REFERENCE_LETTERS[kind]
    ins = (postgresql.insert if is_postgres(conn) else sqlite.insert)(counter)
    conn.execute(ins.values(letter=letter, year=year, value=0).on_conflict_do_nothing())
    number = conn.execute(
        update(counter).where(counter.c.letter == letter, counter.c.year == year)
        .values(value=counter.c.value + 1).returning(counter.c.value)
    ).scalar_one()
    return m.reference(site_id, letter, year, number)


def _save(conn: Connection, table: Table, row: dict, expected_version: int) -> None:
    """Insert a new aggregate (expected version 0) or update the one loaded at `expected_version`."""
    what, now = table.name.removeprefix("registry_"), utcnow()
    try:
        if expected_version == 0:
            conn.execute(insert(table).values(**row, created_at=now, updated_at=now))
            return
        done = conn.execute(update(table).where(table.c.id == row["id"], table.c.version == expected_version)
                            .values(**row, updated_at=now))
    except IntegrityError:
        # A concurrent writer took a unique value (e.g. the registration number) after our check.
        raise Conflict(f"{what} conflicts with a record saved meanwhile", code="concurrent_write") from None
    if done.rowcount != 1:
        raise Conflict(f"{what} {row['id']} was changed concurrently; reload and retry", code="concurrent_update")


def _replace_codes(conn: Connection, table: Table, key: str, owner_id: str, codes: list[str]) -> None:
    conn.execute(table.delete().where(table.c[key] == owner_id))
    if codes:
        conn.execute(insert(table), [{key: owner_id, "code": code} for code in codes])


def _one(conn: Connection, table: Table, id_: str, what: str, lock: bool):
    query = select(table).where(table.c.id == str(id_))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {id_}")
    return row


# --- organisations -----------------------------------------------------------------------------------

def _organisation(row) -> m.Organisation:
    return m.Organisation(
        id=row.id, reference=row.reference, kind=row.kind, name=row.name, registration_number=row.registration_number,
        address=m.Address(row.street, row.postcode, row.town, row.country), nuts3=row.nuts3,
        coordinates=m.Coordinates(row.lat, row.lon) if row.lat is not None else None,
        labour_market_segment=row.labour_market_segment, workers_in_integration=row.workers_in_integration,
        website=row.website,
        contact=m.ContactPerson(row.contact_name, row.contact_email, row.contact_phone) if row.contact_name else None,
        status=row.status, version=row.version,
    )


def load_organisation(conn: Connection, id_: str, lock: bool = False) -> m.Organisation:
    return _organisation(_one(conn, organisation, id_, "organisation", lock))


def registration_taken(conn: Connection, key: str, other_than: str | None = None) -> bool:
    query = select(organisation.c.id).where(organisation.c.registration_key == key)
    if other_than:
        query = query.where(organisation.c.id != other_than)
    return conn.execute(query).first() is not None


def save_organisation(conn: Connection, org: m.Organisation, expected_version: int) -> None:
    contact = org.contact or m.ContactPerson(None)
    _save(conn, organisation, dict(
        id=org.id, reference=org.reference, kind=org.kind, name=org.name, registration_number=org.registration_number,
        registration_key=org.registration_key, street=org.address.street, postcode=org.address.postcode,
        town=org.address.town, country=org.address.country, nuts3=org.nuts3,
        lat=org.coordinates.lat if org.coordinates else None, lon=org.coordinates.lon if org.coordinates else None,
        labour_market_segment=org.labour_market_segment, workers_in_integration=org.workers_in_integration,
        website=org.website, contact_name=contact.name, contact_email=contact.email, contact_phone=contact.phone,
        search_text=search_text(org.name, org.address.town), status=org.status, version=org.version,
    ), expected_version)


# --- offers ------------------------------------------------------------------------------------------

def _offer(row) -> m.Offer:
    return m.Offer(
        id=row.id, reference=row.reference, organisation_id=row.organisation_id, title=row.title,
        description=row.description, cpv_codes=list(row.cpv_codes), capacity_per_week=row.capacity_per_week,
        unit=row.unit, lead_time_days=row.lead_time_days, currency=row.currency, price_min=row.price_min,
        price_max=row.price_max, delivery_radius_km=row.delivery_radius_km, cross_border=row.cross_border,
        status=row.status, version=row.version,
    )


def load_offer(conn: Connection, id_: str, lock: bool = False) -> m.Offer:
    return _offer(_one(conn, offer, id_, "offer", lock))


def published_offers_of(conn: Connection, organisation_id: str) -> list[m.Offer]:
    rows = conn.execute(select(offer).where(offer.c.organisation_id == organisation_id,
                                            offer.c.status == m.PUBLISHED).order_by(offer.c.created_at))
    return [_offer(r) for r in rows]


def save_offer(conn: Connection, o: m.Offer, expected_version: int) -> None:
    _save(conn, offer, dict(
        id=o.id, reference=o.reference, organisation_id=o.organisation_id, title=o.title, description=o.description,
        cpv_codes=list(o.cpv_codes), capacity_per_week=o.capacity_per_week, unit=o.unit,
        lead_time_days=o.lead_time_days, price_min=o.price_min, price_max=o.price_max, currency=o.currency,
        delivery_radius_km=o.delivery_radius_km, cross_border=o.cross_border,
        search_text=search_text(o.title, o.description), status=o.status, version=o.version,
    ), expected_version)
    _replace_codes(conn, offer_cpv, "offer_id", o.id, o.cpv_codes)


# --- support statements ------------------------------------------------------------------------------

def _statement(row) -> m.SupportStatement:
    return m.SupportStatement(
        id=row.id, reference=row.reference, kind=row.kind, given_on=row.given_on, nuts3=row.nuts3,
        consent=row.consent,
        person=m.Person(row.first_name, row.last_name, row.phone, row.phone_kind, row.email),
        organisation_name=row.organisation_name, organisation_kind=row.organisation_kind,
        status=row.status, confirmed_at=row.confirmed_at, confirmed_by=row.confirmed_by, version=row.version,
    )


def load_statement(conn: Connection, id_: str, lock: bool = False) -> m.SupportStatement:
    return _statement(_one(conn, support_statement, id_, "support statement", lock))


def save_statement(conn: Connection, s: m.SupportStatement, expected_version: int) -> None:
    _save(conn, support_statement, dict(
        id=s.id, reference=s.reference, kind=s.kind, first_name=s.person.first_name, last_name=s.person.last_name,
        phone=s.person.phone, phone_kind=s.person.phone_kind, email=s.person.email,
        organisation_name=s.organisation_name, organisation_kind=s.organisation_kind, consent=s.consent,
        given_on=s.given_on, nuts3=s.nuts3, status=s.status, confirmed_at=s.confirmed_at,
        confirmed_by=s.confirmed_by, version=s.version,
        search_text=search_text(s.person.first_name, s.person.last_name, s.person.email, s.organisation_name),
    ), expected_version)


def audit(conn: Connection, statement_id: str, action: str, actor: str, fields: list[str],
          reason: str | None = None, ground: str | None = None) -> None:
    conn.execute(insert(statement_audit).values(
        statement_id=statement_id, action=action, actor=actor, at=utcnow(), fields=fields, reason=reason,
        ground=ground))


def forget_reasons(conn: Connection, statement_id: str) -> None:
    """On erasure: earlier free-text reasons (a withdrawal's) might name the person too."""
    conn.execute(update(statement_audit).where(statement_audit.c.statement_id == statement_id).values(reason=None))


def add_confirmation(conn: Connection, statement_id: str, token_hash: str, expires_at: datetime, link: str) -> None:
    conn.execute(insert(statement_confirmation).values(statement_id=statement_id, token_hash=token_hash,
                                                       expires_at=expires_at))
    conn.execute(insert(confirmation_mail).values(statement_id=statement_id, link=link, created_at=utcnow()))


def confirmation_by_hash(conn: Connection, token_hash: str):
    """The confirmation row (locked) of a token's hash, or None."""
    c = statement_confirmation
    return conn.execute(select(c).where(c.c.token_hash == token_hash).with_for_update()).first()


def end_confirmation(conn: Connection, statement_id: str, used_at: datetime | None) -> None:
    """The link is used (`used_at`) or moot: either way nothing waits to be mailed any more."""
    if used_at is not None:
        conn.execute(update(statement_confirmation).where(statement_confirmation.c.statement_id == statement_id)
                     .values(used_at=used_at))
    conn.execute(confirmation_mail.delete().where(confirmation_mail.c.statement_id == statement_id))


def pending_confirmation_links(conn: Connection) -> list[dict]:
    """The links waiting for delivery (the mail sender's queue, issue 15)."""
    m_ = confirmation_mail
    return [dict(r._mapping) for r in conn.execute(select(m_).order_by(m_.c.created_at))]


def audit_trail(conn: Connection, statement_id: str) -> list[dict]:
    rows = conn.execute(select(statement_audit).where(statement_audit.c.statement_id == statement_id)
                        .order_by(statement_audit.c.id))
    return [dict(r._mapping) for r in rows]


# --- case studies ------------------------------------------------------------------------------------

def _case_study(row) -> m.CaseStudy:
    return m.CaseStudy(
        id=row.id, reference=row.reference, title=row.title, summary=row.summary, year=row.year,
        cpv_codes=list(row.cpv_codes), client_organisation_id=row.client_organisation_id,
        social_enterprise_id=row.social_enterprise_id,
        impact=m.Impact(row.value_paid_eur, row.material_diverted_kg, row.integration_hours),
        status=row.status, version=row.version,
    )


def load_case_study(conn: Connection, id_: str, lock: bool = False) -> m.CaseStudy:
    return _case_study(_one(conn, case_study, id_, "case study", lock))


def save_case_study(conn: Connection, c: m.CaseStudy, expected_version: int) -> None:
    _save(conn, case_study, dict(
        id=c.id, reference=c.reference, title=c.title, summary=c.summary, year=c.year, cpv_codes=list(c.cpv_codes),
        client_organisation_id=c.client_organisation_id, social_enterprise_id=c.social_enterprise_id,
        value_paid_eur=c.impact.value_paid_eur, material_diverted_kg=c.impact.material_diverted_kg,
        integration_hours=c.impact.integration_hours, search_text=search_text(c.title, c.summary),
        status=c.status, version=c.version,
    ), expected_version)
    _replace_codes(conn, case_study_cpv, "case_study_id", c.id, c.cpv_codes)


# --- search ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int


def _contains(table: Table, text: str):
    """Case-insensitive substring match on the table's search text; the user's % and _ match literally."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return table.c.search_text.like(f"%{escaped}%", escape="\\")


def _starts(column, prefix: str):
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{escaped}%", escape="\\")


def _page(conn: Connection, table: Table, conditions: list, page: int, per_page: int, to_domain) -> Page:
    where = and_(true(), *conditions)
    total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    rows = conn.execute(select(table).where(where).order_by(table.c.created_at, table.c.id)
                        .limit(per_page).offset((page - 1) * per_page))
    return Page([to_domain(r) for r in rows], page, per_page, total)


def _statuses(table: Table, statuses) -> list:
    return [table.c.status.in_(statuses)] if statuses else []


def search_organisations(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(m.ACTIVE,),
                         kind: str | None = None, nuts: str | None = None, q: str | None = None,
                         cpv: str | None = None) -> Page:
    """`cpv`: organisations with a published offer under that CPV prefix."""
    t = organisation
    conditions = _statuses(t, statuses)
    if kind:
        conditions.append(t.c.kind == kind)
    if nuts:
        conditions.append(_starts(t.c.nuts3, nuts))
    if q:
        conditions.append(_contains(t, q))
    if cpv:
        conditions.append(exists().where(offer.c.organisation_id == t.c.id, offer.c.status == m.PUBLISHED,
                                         offer_cpv.c.offer_id == offer.c.id, _starts(offer_cpv.c.code, cpv)))
    return _page(conn, t, conditions, page, per_page, _organisation)


def search_offers(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(m.PUBLISHED,),
                  organisation_id: str | None = None, nuts: str | None = None, q: str | None = None,
                  cpv: str | None = None, cross_border: bool | None = None) -> Page:
    """`nuts`: the region of the offering organisation."""
    t = offer
    conditions = _statuses(t, statuses)
    if organisation_id:
        conditions.append(t.c.organisation_id == organisation_id)
    if nuts:
        conditions.append(exists().where(organisation.c.id == t.c.organisation_id, _starts(organisation.c.nuts3, nuts)))
    if q:
        conditions.append(_contains(t, q))
    if cpv:
        conditions.append(exists().where(offer_cpv.c.offer_id == t.c.id, _starts(offer_cpv.c.code, cpv)))
    if cross_border is not None:
        conditions.append(t.c.cross_border == cross_border)
    return _page(conn, t, conditions, page, per_page, _offer)


def search_statements(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(),
                      kind: str | None = None, organisation_kind: str | None = None, nuts: str | None = None,
                      q: str | None = None, confirmed: bool | None = None) -> Page:
    """`q` finds a statement by the person's or organisation's name (to answer an erasure request)."""
    t = support_statement
    conditions = _statuses(t, statuses)
    if confirmed is not None:
        conditions.append(t.c.confirmed_at.is_not(None) if confirmed else t.c.confirmed_at.is_(None))
    if kind:
        conditions.append(t.c.kind == kind)
    if organisation_kind:
        conditions.append(t.c.organisation_kind == organisation_kind)
    if nuts:
        conditions.append(_starts(t.c.nuts3, nuts))
    if q:
        conditions.append(_contains(t, q))
    return _page(conn, t, conditions, page, per_page, _statement)


def search_case_studies(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(m.PUBLISHED,),
                        cpv: str | None = None, nuts: str | None = None, q: str | None = None,
                        year: int | None = None, organisation_id: str | None = None) -> Page:
    """`nuts`: the region of the case study's social enterprise."""
    t = case_study
    conditions = _statuses(t, statuses)
    if cpv:
        conditions.append(exists().where(case_study_cpv.c.case_study_id == t.c.id,
                                         _starts(case_study_cpv.c.code, cpv)))
    if nuts:
        conditions.append(exists().where(organisation.c.id == t.c.social_enterprise_id,
                                         _starts(organisation.c.nuts3, nuts)))
    if q:
        conditions.append(_contains(t, q))
    if year:
        conditions.append(t.c.year == year)
    if organisation_id:
        conditions.append(or_(t.c.client_organisation_id == organisation_id,
                              t.c.social_enterprise_id == organisation_id))
    return _page(conn, t, conditions, page, per_page, _case_study)
