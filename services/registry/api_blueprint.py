"""The blueprint of the registry's HTTP API (`api` lists the modules adding their views to it), and what
those views share: who is asking and what they may see, and reading."""
from __future__ import annotations

from flask_smorest import Blueprint

from services.common.auth import current_principal
from services.common.errors import Forbidden
from services.common.runtime import current_runtime

blp = Blueprint("registry", __name__, url_prefix="/api/v1", description="Members, offers, support and case studies")

STAFF = ("site_admin", "broker")


def is_staff() -> bool:
    principal = current_principal()
    return principal is not None and principal.has_any(STAFF)


def is_member_of(organisation_id: str) -> bool:
    principal = current_principal()
    return principal is not None and "member" in principal.roles and principal.organisation_id == organisation_id


def actor() -> str:
    return current_principal().subject


def listed_statuses(query: dict, default: str) -> tuple[str, ...]:
    """The statuses a listing shows: the default one for everybody; others, or `all`, for staff."""
    status = query.pop("status", None) or default
    if status != default and not is_staff():
        raise Forbidden(f"only staff can list records that are not {default}")
    return () if status == "all" else (status,)


def read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)
