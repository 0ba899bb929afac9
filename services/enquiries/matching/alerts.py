"""Which of the site's social enterprises an enquiry fits, for their members' enquiry alert (the tender
alerts of procurement portals, by CPV and region).

The shortlist (`service.shortlist`) ranks every published offer sharing a CPV division with the enquiry
and, when the enquiry requires the label, keeps only labelled ones. An alert is stricter than a place on
the shortlist, as an alert is a mail and should mean "you could do this":

- CPV: the offer can stand in for what is asked (`Ranked.substitutable`: the same code, category, class
  or group); sharing only a division is too broad to tell anyone.
- capacity: when the enquiry gives a quantity, the offer's free capacity before the deadline covers it
  (`Ranked.covers`, in the enquiry's unit; an offer counting in another unit does not).
- region: with coordinates on both sides, the delivery place lies within the offer's delivery radius (or,
  without one, within `ranking.DISTANCE_ZERO_KM`, where distance stops scoring); with NUTS codes only, the
  social enterprise is in the delivery's NUTS-2 region; when neither side's place is known, the region
  rules nothing out.
- label: when required, only label holders (the shortlist already left the others out).

One `Fit` per organisation: its best-ranked offer that fits. No I/O beyond the shortlist's reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection

from services.enquiries.matching import service
from services.enquiries.matching.ranking import DISTANCE_ZERO_KM, MatchRequest, Ranked, cpv_fit

__all__ = ["Fit", "fitting", "fits"]

NUTS2_DIGITS = 4
EVERY_OFFER = 1_000_000  # the shortlist's limit: an alert looks at every candidate


@dataclass(frozen=True)
class Fit:
    """Why an organisation's offer fits the enquiry: what the mail says."""

    organisation_id: str
    organisation_name: str
    offer_id: str
    offer_title: str
    requested_code: str  # the enquiry's CPV code that the offer fits best
    offered_code: str  # the offer's CPV code that fits it
    cpv_level: str  # "exact", "category", "class" or "group"
    distance_km: float | None
    delivery_radius_km: int | None
    nuts3: str | None  # where the social enterprise is
    free_capacity: Decimal | None  # in the enquiry's unit before its deadline; None when no quantity is asked
    label_number: str | None


def fitting(conn: Connection, request: MatchRequest, exclude_organisation: str | None = None) -> list[Fit]:
    """The site's social enterprises the request fits (see the module), best first, one `Fit` each;
    `exclude_organisation` (the enquiry's client) is left out. An enquiry without CPV codes fits no one."""
    if not request.cpv_codes:
        return []
    found: dict[str, Fit] = {}
    for ranked in service.shortlist(conn, request, limit=EVERY_OFFER).candidates:
        candidate = ranked.candidate
        if candidate.organisation_id in found or candidate.organisation_id == exclude_organisation:
            continue
        if fits(request, ranked):
            found[candidate.organisation_id] = _fit(request, ranked)
    return list(found.values())


def fits(request: MatchRequest, ranked: Ranked) -> bool:
    if not ranked.substitutable:
        return False
    if request.quantity is not None and request.quantity > 0 and not ranked.covers(request.quantity):
        return False
    if request.label_required and not ranked.candidate.labelled:
        return False
    return in_region(request, ranked)


def in_region(request: MatchRequest, ranked: Ranked) -> bool:
    candidate = ranked.candidate
    if ranked.distance_km is not None:
        radius = candidate.delivery_radius_km
        return ranked.distance_km <= (radius if radius is not None else DISTANCE_ZERO_KM)
    if request.delivery_nuts3 and candidate.nuts3:
        return request.delivery_nuts3[:NUTS2_DIGITS] == candidate.nuts3[:NUTS2_DIGITS]
    return True


def _fit(request: MatchRequest, ranked: Ranked) -> Fit:
    c = ranked.candidate
    requested, offered = _best_pair(request.cpv_codes, c.cpv_codes)
    asked = request.quantity is not None and request.quantity > 0
    return Fit(c.organisation_id, c.organisation_name, c.offer_id, c.title, requested, offered, ranked.cpv_level,
               ranked.distance_km, c.delivery_radius_km, c.nuts3, ranked.usable_capacity if asked else None,
               c.label_number)


def _best_pair(requested, offered) -> tuple[str, str]:
    """The (requested, offered) pair of codes the ranking's CPV fit scores highest."""
    best, best_points = (requested[0], offered[0] if offered else ""), -1.0
    for want in requested:
        for have in offered:
            fit = cpv_fit((want,), (have,))
            if fit is not None and fit[1] > best_points:
                best, best_points = (want, have), fit[1]
    return best
