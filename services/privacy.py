"""Data export for a person (GDPR art. 15 and 20): everything a site holds about them, as one document.

Each service that keeps personal data answers for its own tables in its `privacy` module
(`personal_records(conn, email=..., statement=...)`); this composes them, plus the site's user
account if its username is the address. Nothing here reaches the hub: the hub holds no person.
"""
from __future__ import annotations

import importlib
from datetime import datetime, timezone

from sqlalchemy import func, select

from services.common.config import Settings
from services.common.db import make_engine


def _privacy_module(service: str):
    try:
        return importlib.import_module(f"services.{service}.privacy")
    except ModuleNotFoundError as exc:
        if exc.name == f"services.{service}.privacy":
            return None
        raise


def collect(conn, services: tuple[str, ...], email: str | None, statement: str | None) -> dict[str, list]:
    from services.common.auth import auth_user

    records: dict[str, list] = {}
    if statement and not email:  # the statement's address finds the rest
        registry = _privacy_module("registry")
        email = registry.statement_email(conn, statement)[1] if registry else None
    for service in services:
        module = _privacy_module(service)
        if module is not None:
            records.update(module.personal_records(conn, email=email, statement=statement))
    if email:
        users = conn.execute(select(auth_user.c.username, auth_user.c.roles, auth_user.c.organisation_id,
                                    auth_user.c.active)
                             .where(func.lower(auth_user.c.username) == email.strip().casefold()))
        records["user_accounts"] = [dict(r._mapping) for r in users]
    return records


def export_person(settings: Settings, email: str | None = None, statement_id: str | None = None) -> dict:
    from services.bootstrap import services_of

    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            records = collect(conn, services_of(settings), email, statement_id)
    finally:
        engine.dispose()
    return {
        "site": settings.site_id, "site_name": settings.site.name,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "query": {"email": email, "statement": statement_id},
        "count": sum(len(v) for v in records.values()),
        "records": records,
    }


# --- erasure after a restore -------------------------------------------------------------------------
# A backup older than an erasure brings the person back. The hub keeps every statement's status and
# never a person, so it is the record of what was erased: list it there, and erase again at the site.

def erased_at_hub(hub_engine, site_id: str) -> list[str]:
    """The ids of `site_id`'s support statements the hub knows as erased (the hub answers for its store)."""
    from services.hub.privacy import erased_statements

    with hub_engine.connect() as conn:
        return erased_statements(conn, site_id)


def reapply_erasures(runtime, statement_ids: list[str], actor: str, today=None) -> dict[str, str]:
    """Erase again each listed statement that holds personal data; returns what happened to each."""
    from services.common.errors import NotFound
    from services.registry import handlers, model, store

    outcome = {}
    for statement_id in statement_ids:
        try:
            with runtime.engine.connect() as conn:
                statement = store.load_statement(conn, statement_id)
        except NotFound:
            outcome[statement_id] = "unknown here"
            continue
        if statement.status == model.ERASED:
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
    from services.bootstrap import services_of
    from services.enquiries import privacy as enquiries_privacy
    from services.label import privacy as label_privacy
    from services.registry import handlers, model, privacy as registry_privacy

    model.erasure_ground(ground)  # 422 before anything is erased
    with runtime.engine.connect() as conn:
        statement_ids = registry_privacy.statements_of(conn, email)
    for statement_id in statement_ids:
        handlers.erase_support_statement(runtime.uow(), statement_id, actor, ground)
    erased = {"support_statements": len(statement_ids)}
    services = services_of(runtime.settings)
    with runtime.engine.begin() as conn:
        erased.update(registry_privacy.erase_contacts(conn, email))
        if "enquiries" in services:
            erased.update(enquiries_privacy.erase_person(conn, email, actor, ground))
        if "label" in services:
            erased.update(label_privacy.erase_person(conn, email, actor, ground))
    return erased
