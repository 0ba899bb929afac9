"""A social enterprise's own impact report at this site: `report.build` for the deals it delivered, with the
site's settings (its country, the federation's rates and impact policy), and the totals its public profile
may state (`public_totals`: aggregated figures only, withheld below the network's suppression threshold).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from services.common.config import Settings
from services.contracts.impact_policy import ImpactPolicy
from services.contracts.ports import PublicImpact
from services.enquiries.impact import reading
from services.enquiries.impact.model import SOCIAL_ENTERPRISE, Party, Report


def delivered_by(conn: Connection, settings: Settings, organisation_id: str, name: str, start: date, end: date,
                 page: int = 1, per_page: int = 100) -> Report:
    return reading.build_for(conn, settings, Party(organisation_id, name, SOCIAL_ENTERPRISE), start, end, page,
                             per_page)


def public_totals(conn: Connection, settings: Settings, organisation_id: str, start: date,
                  end: date) -> PublicImpact:
    """The totals of the deals the organisation delivered from `start` to `end`; below the threshold the
    figures (and the number of deals) are withheld, so that no single deal's price can be read off."""
    minimum = ImpactPolicy.of(settings.federation).suppression_min_deals
    totals = delivered_by(conn, settings, organisation_id, "", start, end, per_page=1).totals
    if totals.deals < minimum:
        return PublicImpact(start, end, minimum, figures_shown=False)
    return PublicImpact(start, end, minimum, figures_shown=True, deals=totals.deals,
                        integration_hours=totals.integration_hours,
                        material_diverted_kg=totals.material_diverted_kg,
                        value_delivered_eur=totals.value_paid_eur)
