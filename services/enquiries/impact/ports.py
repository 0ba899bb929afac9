"""The enquiries service's implementation of the port `ImpactTotals` (`services.contracts.ports`), provided
by the composition root (`provides` of ENQUIRIES in `services.composition`) for a social enterprise's public
profile (the registry's)."""
from __future__ import annotations

from datetime import date

from services.common.runtime import Runtime
from services.contracts.ports import PublicImpact
from services.enquiries.impact import se_report


class Totals:
    """`ImpactTotals`: a social enterprise's delivered deals, totalled as its public profile may state them."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    def public_totals(self, organisation_id: str, start: date, end: date) -> PublicImpact:
        with self._runtime.engine.connect() as conn:
            return se_report.public_totals(conn, self._runtime.settings, organisation_id, start, end)
