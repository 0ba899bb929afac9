"""Organisations that support the platform (issue 19, item 6).

The statement of support says enquiries are negotiated primarily to social enterprises that support the
platform. An organisation *supports the platform* while a statement on behalf of an organisation names it
(`registry_support_statement.organisation_id`) and that statement is active and confirmed: the same rule by
which a statement counts in the statistics (a link mailed to its address, or a broker's confirmation), so a
statement anyone filed counts for priority only once somebody vouched for it, and a withdrawn or erased one
no longer does.

A statement comes to name an organisation in two ways: a broker links an organisation's statement to a
registered organisation (`link_statement`, the statement's office page), or the organisation's own member
declares its support from their office (`declare_support`): a statement of kind organisation, linked at
once, which counts once confirmed like any other.

The registry answers the port `PlatformSupporters` (`services.contracts.ports`) with `Supporters`; the
enquiries' matching asks it to rank supporters higher. The organisation a statement names stays at the
site: the statement's events carry kind and region only.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import Connection, select

from services.common.db import batches
from services.common.errors import Conflict, invalid
from services.common.runtime import Runtime
from services.common.uow import UnitOfWork
from services.registry import handlers
from services.registry.organisation_store import load_organisation
from services.registry.rules import ACTIVE
from services.registry.statement_store import audit, load_statement, save_statement, statement_from_row
from services.registry.statements import Person, SupportStatement
from services.registry.tables import organisation, support_statement


def supporting(conn: Connection, organisation_ids: Iterable[str] | None = None) -> frozenset[str]:
    """The organisations (of `organisation_ids`, else all) named by an active, confirmed statement."""
    t = support_statement
    query = select(t.c.organisation_id).distinct().where(
        t.c.organisation_id.is_not(None), t.c.kind == "organisation", t.c.status == ACTIVE,
        t.c.confirmed_at.is_not(None))
    if organisation_ids is None:
        return frozenset(conn.execute(query).scalars())
    found: set[str] = set()
    for some in batches(sorted(set(map(str, organisation_ids)))):
        found.update(conn.execute(query.where(t.c.organisation_id.in_(some))).scalars())
    return frozenset(found)


def statements_of(conn: Connection, organisation_id: str) -> list[SupportStatement]:
    """The statements naming the organisation, newest first (its member's office shows them)."""
    t = support_statement
    rows = conn.execute(select(t).where(t.c.organisation_id == organisation_id)
                        .order_by(t.c.given_on.desc(), t.c.reference.desc()))
    return [statement_from_row(row) for row in rows]


def organisation_choices(conn: Connection) -> list[tuple[str, str]]:
    """(id, "name · town") of the site's active organisations by name: whom a statement may name."""
    t = organisation
    rows = conn.execute(select(t.c.id, t.c.name, t.c.town).where(t.c.status == ACTIVE))
    return sorted(((r.id, f"{r.name} · {r.town}") for r in rows), key=lambda choice: choice[1].casefold())


def _registered(conn: Connection, organisation_id: str):
    """The active organisation; an unknown or withdrawn one is invalid input at `organisation_id`."""
    row = conn.execute(select(organisation.c.status).where(organisation.c.id == str(organisation_id))).first()
    if row is None:
        raise invalid("organisation_id", "no such organisation at this site")
    if row.status != ACTIVE:
        raise invalid("organisation_id", f"the organisation is {row.status}")
    return load_organisation(conn, str(organisation_id))


def link_statement(uow: UnitOfWork, statement_id: str, organisation_id: str | None, actor: str) -> SupportStatement:
    """A broker names the registered organisation behind an organisation's statement (None: unlinks it).
    404 unknown statement; 422 a person's statement or an unknown or withdrawn organisation; 409 a withdrawn
    or erased statement. No event: which organisation supports stays at the site."""
    with uow:
        statement = load_statement(uow.conn, statement_id, lock=True)
        if organisation_id is not None:
            _registered(uow.conn, organisation_id)
        statement.link(None if organisation_id is None else str(organisation_id))
        save_statement(uow.conn, statement, statement.version)
        audit(uow.conn, statement.id, "linked" if organisation_id else "unlinked", actor, [])
        uow.commit()
    return statement


def declare_support(uow: UnitOfWork, organisation_id: str, email: str | None, today: date, site_url: str = "",
                    languages: tuple[str, ...] = (), language: str | None = None) -> SupportStatement:
    """The organisation's own member declares its support: a statement on behalf of the organisation, in
    its name, kind and region, linked to it. It counts once confirmed: by the link mailed to `email`, or by
    a broker. 422 for a withdrawn organisation; 409 while an active statement names it already (withdrawn
    ones aside: an organisation may declare again after a withdrawal)."""
    with uow.engine.connect() as conn:
        org = _registered(conn, organisation_id)
        if any(s.status == ACTIVE for s in statements_of(conn, org.id)):
            raise Conflict("the organisation has already declared its support", code="support_declared")
    fields = dict(kind="organisation", consent=True, nuts3=org.nuts3, organisation_name=org.name,
                  organisation_kind=org.kind, person=Person(email=email or None), organisation_id=org.id)
    return handlers.file_support_statement(uow, fields, today, site_url, languages, language)


class Supporters:
    """`PlatformSupporters`: read in the caller's connection (see the port)."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    def supporting(self, conn: Connection, organisation_ids: Iterable[str]) -> frozenset[str]:
        wanted = list(organisation_ids)
        return supporting(conn, wanted) if wanted else frozenset()
