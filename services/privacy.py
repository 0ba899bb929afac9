"""Data export for a person (GDPR art. 15 and 20): everything a site holds about them, as one document.

Each service that keeps personal data answers for its own tables in its `privacy` module; the
composition root lists them as the service's exporter and eraser. This composes them, plus the site's
user account if its username is the address. Nothing here reaches the hub: the hub holds no person.
"""
from __future__ import annotations

from sqlalchemy import func, select

from services.bootstrap import services_of
from services.common import notifications
from services.common.users import auth_user
from services.common.clock import utcnow
from services.common.config import Settings
from services.common.db import make_engine
from services.common.errors import NotFound
from services.composition import Service
from services.hub.privacy import erased_statements
from services.registry import handlers, privacy as registry_privacy
from services.registry.rules import ERASED
from services.registry.statement_store import load_statement
from services.registry.statements import erasure_ground


def collect(conn, services: tuple[Service, ...], email: str | None, statement: str | None) -> dict[str, list]:
    records: dict[str, list] = {}
    if statement and not email:  # the statement's address finds the rest
        email = registry_privacy.statement_email(conn, statement)[1]
    for service in services:
        if service.exporter is not None:
            records.update(service.exporter(conn, email=email, statement=statement))
    if email:
        users = conn.execute(select(auth_user.c.username, auth_user.c.roles, auth_user.c.organisation_id,
                                    auth_user.c.active)
                             .where(func.lower(auth_user.c.username) == email.strip().casefold()))
        records["user_accounts"] = [dict(r._mapping) for r in users]
        records.update(notifications.personal_records(conn, email))
    return records


def export_person(settings: Settings, email: str | None = None, statement_id: str | None = None) -> dict:
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            records = collect(conn, services_of(settings), email, statement_id)
    finally:
        engine.dispose()
    return {
        "site": settings.site_id, "site_name": settings.site.name,
        "exported_at": utcnow().isoformat(),
        "query": {"email": email, "statement": statement_id},
        "count": sum(len(v) for v in records.values()),
        "records": records,
    }


# --- erasure after a restore -------------------------------------------------------------------------
# A backup older than an erasure brings the person back. The hub keeps every statement's status and
# never a person, so it is the record of what was erased: list it there, and erase again at the site.

def erased_at_hub(hub_engine, site_id: str) -> list[str]:
    """The ids of `site_id`'s support statements the hub knows as erased (the hub answers for its store)."""
    with hub_engine.connect() as conn:
        return erased_statements(conn, site_id)


def reapply_erasures(runtime, statement_ids: list[str], actor: str, today=None) -> dict[str, str]:
    """Erase again each listed statement that holds personal data; returns what happened to each."""
    outcome = {}
    for statement_id in statement_ids:
        try:
            with runtime.engine.connect() as conn:
                statement = load_statement(conn, statement_id)
        except NotFound:
            outcome[statement_id] = "unknown here"
            continue
        if statement.status == ERASED:
            outcome[statement_id] = "already erased"
            continue
        handlers.erase_support_statement(runtime.uow(), statement_id, actor, "backup_restored")
        outcome[statement_id] = "erased again"
    return outcome


# --- erasure of a person -----------------------------------------------------------------------------

def erase_person(runtime, email: str, actor: str, ground: str = "request") -> dict[str, int]:
    """Erase everything the site holds about the address (GDPR art. 17), whatever the state of the record:
    support statements (through their handler, so the hub learns they no longer count), organisations'
    contact persons, enquiries' contacts and label complaints' contacts. Returns how many of each."""
    erasure_ground(ground)  # 422 before anything is erased
    with runtime.engine.connect() as conn:
        statement_ids = registry_privacy.statements_of(conn, email)
    for statement_id in statement_ids:
        handlers.erase_support_statement(runtime.uow(), statement_id, actor, ground)
    erased = {"support_statements": len(statement_ids)}
    with runtime.engine.begin() as conn:
        erased.update(registry_privacy.erase_contacts(conn, email))
        for service in services_of(runtime.settings):
            if service.eraser is not None:
                erased.update(service.eraser(conn, email, actor, ground))
        erased.update(notifications.erase(conn, email))
    return erased
