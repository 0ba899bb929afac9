"""Support statements in the registry's tables: loading, saving, search, and their audit (who confirmed,
withdrew or erased a statement, when, and which fields were erased; never the erased values)."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from services.common.clock import utcnow
from services.common.db import Page, containing, starting_with
from services.registry.persistence import load_row, save, search_text
from services.registry.search import in_statuses, page_of
from services.registry.statements import Person, SupportStatement
from services.registry.tables import statement_audit, support_statement


def statement_from_row(row) -> SupportStatement:
    return SupportStatement(
        id=row.id, reference=row.reference, kind=row.kind, given_on=row.given_on, nuts3=row.nuts3,
        consent=row.consent,
        person=Person(row.first_name, row.last_name, row.phone, row.phone_kind, row.email),
        organisation_name=row.organisation_name, organisation_kind=row.organisation_kind,
        status=row.status, confirmed_at=row.confirmed_at, confirmed_by=row.confirmed_by, version=row.version,
        language=row.language, newsletter=row.newsletter, organisation_id=row.organisation_id,
    )


def load_statement(conn: Connection, id_: str, lock: bool = False) -> SupportStatement:
    return statement_from_row(load_row(conn, support_statement, id_, "support statement", lock))


def save_statement(conn: Connection, s: SupportStatement, expected_version: int) -> None:
    save(conn, support_statement, dict(
        id=s.id, reference=s.reference, kind=s.kind, first_name=s.person.first_name, last_name=s.person.last_name,
        phone=s.person.phone, phone_kind=s.person.phone_kind, email=s.person.email,
        organisation_name=s.organisation_name, organisation_kind=s.organisation_kind, consent=s.consent,
        given_on=s.given_on, nuts3=s.nuts3, status=s.status, confirmed_at=s.confirmed_at,
        confirmed_by=s.confirmed_by, version=s.version, language=s.language, newsletter=s.newsletter,
        organisation_id=s.organisation_id,
        search_text=search_text(s.person.first_name, s.person.last_name, s.person.email, s.organisation_name),
    ), expected_version)


def search_statements(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(),
                      kind: str | None = None, organisation_kind: str | None = None, nuts: str | None = None,
                      q: str | None = None, confirmed: bool | None = None) -> Page:
    """`q` finds a statement by the person's or organisation's name (to answer an erasure request)."""
    t = support_statement
    conditions = in_statuses(t, statuses)
    if confirmed is not None:
        conditions.append(t.c.confirmed_at.is_not(None) if confirmed else t.c.confirmed_at.is_(None))
    if kind:
        conditions.append(t.c.kind == kind)
    if organisation_kind:
        conditions.append(t.c.organisation_kind == organisation_kind)
    if nuts:
        conditions.append(starting_with(t.c.nuts3, nuts))
    if q:
        conditions.append(containing(t.c.search_text, q.casefold()))
    return page_of(conn, t, conditions, page, per_page, statement_from_row)


def audit(conn: Connection, statement_id: str, action: str, actor: str, fields: list[str],
          reason: str | None = None, ground: str | None = None) -> None:
    conn.execute(insert(statement_audit).values(
        statement_id=statement_id, action=action, actor=actor, at=utcnow(), fields=fields, reason=reason,
        ground=ground))


def forget_reasons(conn: Connection, statement_id: str) -> None:
    """On erasure: earlier free-text reasons (a withdrawal's) might name the person too."""
    conn.execute(update(statement_audit).where(statement_audit.c.statement_id == statement_id).values(reason=None))


def audit_trail(conn: Connection, statement_id: str) -> list[dict]:
    rows = conn.execute(select(statement_audit).where(statement_audit.c.statement_id == statement_id)
                        .order_by(statement_audit.c.id))
    return [dict(r._mapping) for r in rows]
