"""A social enterprise's consent to show its impact totals on its public profile (issue 18, item 3).

Not shown until the organisation's own member says so; the decision is kept with who made it and when,
and can be taken back at any time. The registry answers the port `ImpactConsent`
(`services.contracts.ports`) for the social enterprise's impact page (enquiries), where the member decides;
the profile page (`registry_pages.showcase`) asks it before showing the totals.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from services.common.errors import Conflict, Forbidden
from services.common.runtime import Runtime
from services.contracts.ports import ImpactConsentState
from services.registry.organisation_store import load_organisation
from services.registry.rules import ACTIVE
from services.registry.tables import impact_consent


def load_consent(conn: Connection, organisation_id: str) -> ImpactConsentState:
    t = impact_consent
    row = conn.execute(select(t).where(t.c.organisation_id == organisation_id)).first()
    if row is None:
        return ImpactConsentState(organisation_id, shown=False)
    return ImpactConsentState(organisation_id, bool(row.shown), row.decided_by, row.decided_at)


def save_consent(conn: Connection, state: ImpactConsentState) -> None:
    t = impact_consent
    conn.execute(delete(t).where(t.c.organisation_id == state.organisation_id))
    conn.execute(insert(t).values(organisation_id=state.organisation_id, shown=state.shown,
                                  decided_by=state.decided_by, decided_at=state.decided_at))


def decide(conn: Connection, organisation_id: str, shown: bool, by: str, at: datetime) -> ImpactConsentState:
    """Only an active social enterprise decides (unknown: the store's 404; another kind: 403)."""
    org = load_organisation(conn, organisation_id, lock=True)
    if not org.is_social_enterprise:
        raise Forbidden("only a social enterprise shows impact totals on its profile")
    if org.status != ACTIVE:
        raise Conflict("the organisation is withdrawn", {"status": [org.status]})
    state = ImpactConsentState(organisation_id, bool(shown), by, at)
    save_consent(conn, state)
    return state


class Consents:
    """`ImpactConsent`: the decision in the registry's own transaction."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    def consent(self, organisation_id: str) -> ImpactConsentState:
        with self._runtime.engine.connect() as conn:
            return load_consent(conn, organisation_id)

    def decide(self, organisation_id: str, shown: bool, by: str, at: datetime) -> ImpactConsentState:
        with self._runtime.engine.begin() as conn:
            return decide(conn, organisation_id, shown, by, at)
