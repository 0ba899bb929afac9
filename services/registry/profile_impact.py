"""A social enterprise's impact totals on its public page (issue 18, item 3): shown only when its own member
agreed (`impact_consent`), for the last twelve months, as the enquiries service totals them through the port
`ImpactTotals` (`services.contracts.ports`; provided by ENQUIRIES in `services.composition`). Aggregated
figures only; below the network's suppression threshold the port withholds them and the page says so.
"""
from __future__ import annotations

from services.common.clock import utc_today
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import ImpactTotals, PublicImpact, last_twelve_months
from services.registry.impact_consent import load_consent
from services.registry.organisations import Organisation


def profile_impact(org: Organisation) -> PublicImpact | None:
    """What the organisation's public page states about its impact; None: nothing (not a social enterprise,
    or it has not agreed)."""
    if not org.is_social_enterprise:
        return None
    with current_runtime().engine.connect() as conn:
        if not load_consent(conn, org.id).shown:
            return None
    return port(ImpactTotals).public_totals(org.id, *last_twelve_months(utc_today()))
