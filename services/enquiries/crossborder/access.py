"""Who may see and act on a forwarded part (the API, the pages and the handlers ask here).

The site's staff (broker, site_admin) act on every part. A member of the social enterprise the part
names acts on its own organisation's parts only: another organisation's part is a 404 to it, so that
the part's existence does not leak. Anyone else is refused (403).
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import Forbidden, NotFound
from services.common.tokens import Principal
from services.enquiries.lifecycle.web import STAFF

MEMBER = "member"


@dataclass(frozen=True)
class PartActor:
    subject: str
    organisation_id: str | None = None  # None: staff, acting on every part; else the member's organisation


SYSTEM = PartActor("sopro tick")


def actor_of(principal: Principal | None) -> PartActor:
    """The caller as it acts on parts; 403 for anyone neither staff nor a member naming its organisation."""
    if principal is not None and principal.has_any(STAFF):
        return PartActor(principal.subject)
    if principal is not None and MEMBER in principal.roles and principal.organisation_id:
        return PartActor(principal.subject, principal.organisation_id)
    raise Forbidden("forwarded parts are for the site's brokers and the social enterprise's members")


def require_access(actor: PartActor, part) -> None:
    """The access rule: staff act on any part, a member on its own organisation's (else 404)."""
    if actor.organisation_id is not None and actor.organisation_id != part.organisation_id:
        raise NotFound(f"no forwarded part {part.id}")
