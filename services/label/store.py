"""The label service's tables and the queries its handlers and API need. SQLite and PostgreSQL alike.

Changes are made under row locks (`lock=True` loads SELECT ... FOR UPDATE), so two approvers deciding
the same application, or two grants taking a number, serialise instead of racing.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import (
    JSON, Column, Connection, Date, Integer, LargeBinary, Numeric, String, Table, Text, insert, select, update,
)

from services.common.clock import utcnow
from services.common.db import BigId, Component, Page, UtcDateTime, containing, new_metadata, next_in_counter, paged
from services.common.errors import NotFound
from services.label import model as m

metadata = new_metadata()
COMPONENT = Component("label", metadata, Path(__file__).parent / "migrations" / "versions")

application = Table(
    "label_application", metadata,
    Column("id", String(36), primary_key=True),
    Column("holder_organisation_id", String(36), nullable=False, index=True),
    Column("holder_name", String(200), nullable=False),
    Column("product", String(200), nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("catalogue_version", Integer, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("assessment", JSON),
    Column("decision", JSON),
    Column("label_number", String(40)),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # new: a first application; renewal: re-assessing a label before it expires; spot_check: a label drawn
    # for re-assessment (label_number names the label from the start for the latter two)
    Column("purpose", String(16), nullable=False, server_default="new"),
)

label = Table(
    "label_label", metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("application_id", String(36), nullable=False, index=True),
    Column("holder_organisation_id", String(36), nullable=False, index=True),
    Column("holder_name", String(200), nullable=False),
    # The holder's name casefolded in Python: SQLite's lower() is ASCII-only (Ő, Ä).
    Column("holder_search", String(200), nullable=False),
    Column("product", String(200), nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    # " 18 39 ": the CPV divisions, searchable with LIKE on both databases.
    Column("cpv_divisions", String(200), nullable=False),
    Column("catalogue_version", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("suspended_until", Date),
    Column("reason", Text),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The per-site, per-year counter behind label numbers; its row is locked by the increment.
counter = Table(
    "label_counter", metadata,
    Column("site", String(8), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

complaint = Table(
    "label_complaint", metadata,
    Column("id", String(36), primary_key=True),
    Column("label_number", String(40), index=True),
    Column("text", Text, nullable=False),
    Column("contact", String(254)),  # personal data: staff only, never in events
    Column("status", String(16), nullable=False),
    Column("resolution", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # SHA-256 of the secret in the link the complainant keeps to follow the complaint (the secret is not kept)
    Column("tracking_hash", String(64), unique=True),
)

# The network's criteria catalogues as the agency published them (the hub's signed `hub.criteria.published`),
# plus the bundled first version. A site only stores them: it cannot write a version of its own.
criteria = Table(
    "label_criteria", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applies_from", Date, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("body", JSON, nullable=False),  # the catalogue in the shape of data/criteria-v1.yaml
    Column("event_id", String(36)),  # the hub's message that brought it; None for the bundled version 1
)

# Evidence documents uploaded for an application: kept at the site only, read by assessors and approvers.
document = Table(
    "label_document", metadata,
    Column("id", String(36), primary_key=True),
    Column("application_id", String(36), nullable=False, index=True),
    Column("criterion_id", String(64), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(64), nullable=False),  # from the content, never from the name
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary),  # None once erased (the fingerprint stays for the audit)
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
)

# Appeals against a refusal (an application), a suspension or a revocation (a label).
appeal = Table(
    "label_appeal", metadata,
    Column("id", String(36), primary_key=True),
    Column("against", String(16), nullable=False),  # refused | suspended | revoked
    Column("application_id", String(36), index=True),
    Column("label_number", String(40), index=True),
    Column("holder_organisation_id", String(36), nullable=False, index=True),
    Column("grounds", Text, nullable=False),
    Column("filed_by", String(100), nullable=False),
    Column("excluded", JSON, nullable=False),  # who decided before: none of them may decide the appeal
    Column("status", String(16), nullable=False),  # open | upheld | dismissed
    Column("decided_by", String(100)),
    Column("decision_reason", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime),
)

# The yearly spot-check draws: which valid labels were drawn for re-assessment, from what, with what seed.
spot_check_draw = Table(
    "label_spot_check_draw", metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False, unique=True),
    Column("seed", String(64), nullable=False),
    Column("share", Numeric(5, 4), nullable=False),
    Column("population", JSON, nullable=False),  # the valid label numbers drawn from, sorted
    Column("drawn", JSON, nullable=False),  # the label numbers drawn, in draw order
    Column("drawn_by", String(100), nullable=False),
    Column("drawn_at", UtcDateTime, nullable=False),
)

# Who did what, when and why, to an application, a label or a complaint.
audit = Table(
    "label_audit", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subject", String(16), nullable=False),
    Column("subject_id", String(40), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", Text),
    Column("details", JSON, nullable=False),
)


def _one(conn: Connection, table: Table, column, key: str, what: str, lock: bool):
    query = select(table).where(column == str(key))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {key}", {what.replace(" ", "_"): ["unknown"]})
    return row


def _upsert(conn: Connection, table: Table, row: dict, exists: bool) -> None:
    if exists:
        conn.execute(update(table).where(table.c.id == row["id"]).values(**row))
    else:
        conn.execute(insert(table).values(**row))


# --- counter -----------------------------------------------------------------------------------------

def next_label_number(conn: Connection, site_id: str, year: int) -> str:
    return m.label_number(site_id, year, next_in_counter(conn, counter, site=site_id, year=year))


# --- applications ------------------------------------------------------------------------------------

def _application(row) -> m.Application:
    return m.Application(
        id=row.id, holder_organisation_id=row.holder_organisation_id, holder_name=row.holder_name,
        product=row.product, cpv_codes=list(row.cpv_codes), catalogue_version=row.catalogue_version,
        evidence=dict(row.evidence), status=row.status, assessment=row.assessment, decision=row.decision,
        label_number=row.label_number, version=row.version, purpose=row.purpose)


def load_application(conn: Connection, id_: str, lock: bool = False) -> m.Application:
    return _application(_one(conn, application, application.c.id, id_, "application", lock))


def save_application(conn: Connection, app: m.Application, new: bool = False) -> None:
    now = utcnow()
    row = dict(id=app.id, holder_organisation_id=app.holder_organisation_id, holder_name=app.holder_name,
               product=app.product, cpv_codes=list(app.cpv_codes), catalogue_version=app.catalogue_version,
               evidence=app.evidence, status=app.status, assessment=app.assessment, decision=app.decision,
               label_number=app.label_number, version=app.version, purpose=app.purpose, updated_at=now)
    _upsert(conn, application, {**row, "created_at": now} if new else row, not new)


def list_applications(conn: Connection, organisation_id: str | None, status: str | None,
                      page: int, per_page: int) -> Page:
    query = select(application)
    if organisation_id:
        query = query.where(application.c.holder_organisation_id == organisation_id)
    if status:
        query = query.where(application.c.status == status)
    return paged(conn, query, (application.c.created_at, application.c.id), page, per_page, _application)


def open_reassessment_of(conn: Connection, number: str, purpose: str, statuses: tuple = m.OPEN) -> str | None:
    """The id of label `number`'s renewal (or spot check) application in one of `statuses`, if any."""
    return conn.execute(select(application.c.id).where(
        application.c.label_number == str(number), application.c.purpose == purpose,
        application.c.status.in_(statuses))).scalar()


# --- labels ------------------------------------------------------------------------------------------

def _label(row) -> m.Label:
    return m.Label(
        id=row.id, number=row.number, application_id=row.application_id,
        holder_organisation_id=row.holder_organisation_id, holder_name=row.holder_name, product=row.product,
        cpv_codes=list(row.cpv_codes), catalogue_version=row.catalogue_version, status=row.status,
        valid_from=row.valid_from, valid_until=row.valid_until, suspended_until=row.suspended_until,
        reason=row.reason, version=row.version)


def find_label(conn: Connection, number: str) -> m.Label | None:
    """The label of this site with this number, or None. The verification endpoint's one lookup."""
    row = conn.execute(select(label).where(label.c.number == str(number))).first()
    return _label(row) if row else None


def load_label(conn: Connection, number: str, lock: bool = False) -> m.Label:
    return _label(_one(conn, label, label.c.number, number, "label", lock))


def save_label(conn: Connection, lbl: m.Label, new: bool = False) -> None:
    divisions = " " + " ".join(sorted({c[:2] for c in lbl.cpv_codes})) + " "
    _upsert(conn, label, dict(
        id=lbl.id, number=lbl.number, application_id=lbl.application_id,
        holder_organisation_id=lbl.holder_organisation_id, holder_name=lbl.holder_name,
        holder_search=lbl.holder_name.casefold(), product=lbl.product, cpv_codes=list(lbl.cpv_codes),
        cpv_divisions=divisions, catalogue_version=lbl.catalogue_version,
        status=lbl.status, valid_from=lbl.valid_from, valid_until=lbl.valid_until,
        suspended_until=lbl.suspended_until, reason=lbl.reason, version=lbl.version, updated_at=utcnow()), not new)


def search_labels(conn: Connection, holder: str | None, cpv_division: str | None, status: str | None,
                  page: int, per_page: int) -> Page:
    """The public register. `holder` matches an organisation id or a part of the holder's name."""
    query = select(label)
    if holder:
        query = query.where((label.c.holder_organisation_id == holder)
                            | containing(label.c.holder_search, holder.casefold()))
    if cpv_division:
        query = query.where(label.c.cpv_divisions.like(f"% {cpv_division[:2]} %"))
    if status:
        query = query.where(label.c.status == status)
    return paged(conn, query, (label.c.number,), page, per_page, _label)


def labels_due_to_expire(conn: Connection, today: date) -> list[str]:
    rows = conn.execute(select(label.c.number).where(label.c.status.in_(("valid", "suspended")),
                                                     label.c.valid_until < today)).all()
    return [r.number for r in rows]


def labels_expiring(conn: Connection, today: date, within_days: int) -> list[m.Label]:
    """Valid and suspended labels whose validity ends from today to `within_days` days later."""
    rows = conn.execute(select(label).where(label.c.status.in_(("valid", "suspended")),
                                            label.c.valid_until >= today,
                                            label.c.valid_until <= today + timedelta(days=within_days))
                        .order_by(label.c.valid_until, label.c.number)).all()
    return [_label(r) for r in rows]


def suspensions_lapsed(conn: Connection, today: date) -> list[str]:
    rows = conn.execute(select(label.c.number).where(label.c.status == "suspended",
                                                     label.c.suspended_until < today)).all()
    return [r.number for r in rows]


# --- complaints --------------------------------------------------------------------------------------

def _complaint(row) -> m.Complaint:
    return m.Complaint(id=row.id, label_number=row.label_number, text=row.text, contact=row.contact,
                       status=row.status, resolution=row.resolution)


def load_complaint(conn: Connection, id_: str, lock: bool = False) -> m.Complaint:
    return _complaint(_one(conn, complaint, complaint.c.id, id_, "complaint", lock))


def save_complaint(conn: Connection, c: m.Complaint, new: bool = False) -> None:
    now = utcnow()
    row = dict(id=c.id, label_number=c.label_number, text=c.text, contact=c.contact, status=c.status,
               resolution=c.resolution, updated_at=now)
    _upsert(conn, complaint, {**row, "created_at": now} if new else row, not new)


def list_complaints(conn: Connection, status: str | None, page: int, per_page: int) -> Page:
    query = select(complaint)
    if status:
        query = query.where(complaint.c.status == status)
    return paged(conn, query, (complaint.c.created_at,), page, per_page, _complaint)


# --- audit -------------------------------------------------------------------------------------------

def audit_step(conn: Connection, subject: str, subject_id: str, action: str, actor: str,
               reason: str | None = None, details: dict | None = None) -> None:
    conn.execute(insert(audit).values(subject=subject, subject_id=str(subject_id), action=action, actor=actor,
                                      at=utcnow(), reason=reason, details=details or {}))


def audit_trail(conn: Connection, subject_ids: list[str]) -> list[dict]:
    rows = conn.execute(select(audit).where(audit.c.subject_id.in_([str(s) for s in subject_ids]))
                        .order_by(audit.c.id)).all()
    return [dict(subject=r.subject, subject_id=r.subject_id, action=r.action, actor=r.actor, at=r.at,
                 reason=r.reason, details=r.details) for r in rows]
