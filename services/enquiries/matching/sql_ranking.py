"""The shortlist's cut in SQL: each offer's score bounded from below and above, so that the database
returns only the few offers that can reach the top, and ranking.py orders those exactly.

ranking.py stays the one definition of the score, its reasons and the order with its tie-breaks. SQL
cannot reproduce it to the last bit (Python rounds each criterion to 0.1, SQLite stores quantities as
floats, `casefold` has no SQL twin, the distance here is a chord on the unit sphere, not a haversine), so
it computes two bounds, `low <= score <= high` (high including the supporter's +5 when the registry may
grant it). With T the `limit`-th best `low` among the eligible offers, at least `limit` offers score
T or more, so every offer of the true top (ties included) has `high >= T`: fetching `high >= T` and
ranking that in Python gives exactly the order of ranking everything. Offers that may cover the quantity
alone (`usable_high >= quantity`, substitutable) are fetched too, for the split decision.

The CPV level (exact), the label (a valid label sharing a division), the segment and the NUTS points are
exact in SQL; capacity and distance are bounded:
- free capacity: capacity_per_week x days / 7 less overlapping commitments, within 0.002 of Python's
  (which floors to 0.001); a unit counts as the same only on an exact spelling for `low`, on equal
  lower case (or any non-ASCII spelling) for `high`;
- distance: the chord c between unit vectors gives R*c <= km <= R*c*(1 + c^2/4) (2 asin(c/2) for c <= 1.4),
  and the delivery radius is judged on the far end for `low` and on the near end for `high`.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import (
    Float, Select, and_, case, cast, exists, false, func, literal, literal_column, null, or_, select, true,
)
from sqlalchemy.sql import ColumnElement

from services.contracts.cpv import significant_prefix
from services.enquiries.matching import store
from services.enquiries.matching.ranking import (
    CAPACITY_MAX, CPV_EXACT, CPV_LEVELS, DISTANCE_MAX, DISTANCE_ZERO_KM, EARTH_RADIUS_KM, LABEL_HELD,
    LABEL_MISSING_REQUIRED, NUTS_POINTS, SEGMENT_POINTS, SUBSTITUTABLE, SUPPORTER, MatchRequest,
)

# Python rounds capacity, distance and the sum to 0.1 (at most 0.15 in all), plus float noise.
ROUNDING = 0.2
# SQL's gross capacity is not floored to 0.001 as capacity.gross is; floats add noise.
CAPACITY_SLACK = 0.002
KM_SLACK = 1e-6
NEVER = -1e18
SUBSTITUTABLE_POINTS = min(points for _, level, points in CPV_LEVELS if level in SUBSTITUTABLE)

# The columns a Candidate is built from (service._candidate), in order.
CANDIDATE_COLUMNS = ("offer_id", "organisation_id", "title", "cpv_codes", "capacity_per_week", "unit",
                     "lead_time_days", "price_min", "price_max", "currency", "delivery_radius_km", "name", "nuts3",
                     "lat", "lon", "labour_market_segment", "workers_in_integration")


@dataclass(frozen=True)
class Cut:
    """What the database answers for one request."""

    rows: list  # CANDIDATE_COLUMNS of the offers that may reach the top or cover the quantity alone
    considered: int  # eligible offers (sharing a division; labelled, when the request requires the label)
    excluded_unlabelled: int


def cut(conn, request: MatchRequest, limit: int, supporters_possible: bool) -> Cut:
    """The offers that may make the top `limit` (or cover the quantity alone), and the counts."""
    scored = _scored(conn.dialect.name, request, supporters_possible).cte("scored")
    eligible = scored.c.labelled if request.label_required else true()
    if limit > 0:
        threshold = func.coalesce(select(scored.c.low).where(eligible).order_by(scored.c.low.desc())
                                  .limit(1).offset(limit - 1).scalar_subquery(), NEVER)
        may_top = scored.c.high >= threshold
    else:
        may_top = false()
    quantity = request.quantity
    may_cover = (and_(scored.c.substitutable, scored.c.usable_high >= float(quantity))
                 if quantity is not None and quantity > 0 else false())
    picked = select(*(scored.c[name] for name in CANDIDATE_COLUMNS)).where(eligible, or_(may_top, may_cover)) \
        .subquery("picked")
    counts = select(func.count().label("all_"), func.coalesce(func.sum(case((scored.c.labelled, 1), else_=0)), 0)
                    .label("labelled")).subquery("counts")
    rows = conn.execute(select(counts.c.all_, counts.c.labelled, *picked.c)
                        .select_from(counts.outerjoin(picked, true()))).all()
    everyone, labelled = rows[0][0], rows[0][1]
    found = [row[2:] for row in rows if row[2] is not None]
    if request.label_required:
        return Cut(found, labelled, everyone - labelled)
    return Cut(found, everyone, 0)


def substitutes(conn, request: MatchRequest) -> list:
    """CANDIDATE_COLUMNS of every eligible offer at group level or better that may have usable capacity:
    what a split may draw on."""
    scored = _scored(conn.dialect.name, request, False).subquery("scored")
    eligible = scored.c.labelled if request.label_required else true()
    return conn.execute(select(*(scored.c[name] for name in CANDIDATE_COLUMNS))
                        .where(eligible, scored.c.substitutable, scored.c.usable_high > 0)).all()


# --- the bounds ----------------------------------------------------------------------------------

def _scored(dialect: str, request: MatchRequest, supporters_possible: bool) -> Select:
    base = _base(dialect, request).subquery("base")
    b = base.c
    label = case((b.labelled, LABEL_HELD), else_=LABEL_MISSING_REQUIRED if request.label_required else 0)
    fixed = b.cpv + label + b.segment
    low = fixed + _capacity_points(request, b.free_low, b.comparable_low) + b.distance_low - ROUNDING
    high = fixed + _capacity_points(request, b.free_high, b.comparable_high) + b.distance_high + ROUNDING
    if supporters_possible:
        high = high + SUPPORTER
    return select(*(b[name] for name in CANDIDATE_COLUMNS), b.labelled, low.label("low"), high.label("high"),
                  (b.cpv >= SUBSTITUTABLE_POINTS).label("substitutable"),
                  case((b.comparable_high, b.free_high), else_=0.0).label("usable_high"))


def _base(dialect: str, request: MatchRequest) -> Select:
    """Eligible offers with their exact CPV points, label, segment points, and the raw bounds of capacity
    and distance. OFFSET 0 keeps PostgreSQL from inlining it (and evaluating the label's EXISTS twice)."""
    offer, org, code = store.matching_offer, store.matching_organisation, store.matching_offer_code
    divisions = sorted({c[:2] for c in request.cpv_codes})
    fit = (select(code.c.offer_id, func.max(_cpv_points(code.c.prefix, request.cpv_codes)).label("cpv"))
           .where(code.c.division.in_(divisions)).group_by(code.c.offer_id).subquery("fit"))
    free = _free_capacity(dialect, request, offer)
    comparable_low, comparable_high = _same_unit(dialect, request, offer.c.unit)
    distance_low, distance_high = _distance_points(request, org, offer.c.delivery_radius_km)
    columns = dict(zip(CANDIDATE_COLUMNS, (
        offer.c.id, offer.c.organisation_id, offer.c.title, offer.c.cpv_codes, offer.c.capacity_per_week,
        offer.c.unit, offer.c.lead_time_days, offer.c.price_min, offer.c.price_max, offer.c.currency,
        offer.c.delivery_radius_km, org.c.name, org.c.nuts3, org.c.lat, org.c.lon, org.c.labour_market_segment,
        org.c.workers_in_integration)))
    return (
        select(*(column.label(name) for name, column in columns.items()), fit.c.cpv,
               _labelled(request.today, offer).label("labelled"),
               case(*((org.c.labour_market_segment == s, p) for s, p in SEGMENT_POINTS.items()), else_=0)
               .label("segment"),
               func.max(free - CAPACITY_SLACK, 0.0).label("free_low") if dialect == "sqlite"
               else func.greatest(free - CAPACITY_SLACK, 0.0).label("free_low"),
               func.max(free + CAPACITY_SLACK, 0.0).label("free_high") if dialect == "sqlite"
               else func.greatest(free + CAPACITY_SLACK, 0.0).label("free_high"),
               comparable_low.label("comparable_low"), comparable_high.label("comparable_high"),
               distance_low.label("distance_low"), distance_high.label("distance_high"))
        .select_from(fit.join(offer, offer.c.id == fit.c.offer_id).join(org, org.c.id == offer.c.organisation_id))
        .where(offer.c.status == store.OFFER_PUBLISHED, org.c.status == store.ORGANISATION_ACTIVE,
               org.c.kind == store.SOCIAL_ENTERPRISE)
        .offset(0)
    )


def _cpv_points(prefix: ColumnElement, requested) -> ColumnElement:
    """ranking.cpv_fit's points of one offered code (by its significant prefix), best over the requested
    codes: exact (under the requested code), then category, class, group, division by shared digits."""
    wants = sorted({significant_prefix(c) for c in requested})
    whens = [(or_(*(prefix.like(w + "%") for w in wants)), CPV_EXACT)]
    for digits, _level, points in CPV_LEVELS:
        heads = sorted({w[:digits] for w in wants if len(w) >= digits})
        if heads:
            whens.append((or_(*(prefix.like(h + "%") for h in heads)), points))
    return case(*whens, else_=null())


def _labelled(today: date, offer) -> ColumnElement:
    """A valid label of the offer's organisation sharing a CPV division with the offer (service._with_label)."""
    lab, lab_div, off_div = store.matching_label, store.matching_label_division, store.matching_offer_division
    return exists(
        select(literal_column("1"))
        .select_from(lab.join(lab_div, lab_div.c.label_id == lab.c.label_id)
                     .join(off_div, off_div.c.division == lab_div.c.division))
        .where(lab.c.holder_organisation_id == offer.c.organisation_id, lab.c.status == store.LABEL_VALID,
               lab.c.valid_until >= today, off_div.c.offer_id == offer.c.id))


# --- capacity ------------------------------------------------------------------------------------

def _free_capacity(dialect: str, request: MatchRequest, offer) -> ColumnElement:
    """capacity_per_week x days / 7 less the commitments overlapping the offer's period (from today + lead
    time to the deadline), as a float, not floored (capacity.free floors to 0.001)."""
    commitment = store.matching_commitment
    lead = func.coalesce(offer.c.lead_time_days, 0)
    days = (request.until - request.today).days - lead
    per_week = cast(func.coalesce(offer.c.capacity_per_week, 0), Float)
    gross = case((and_(days > 0, per_week > 0), per_week * days / 7.0), else_=0.0)
    committed = (select(func.coalesce(func.sum(cast(commitment.c.quantity, Float)), 0.0))
                 .where(commitment.c.offer_id == offer.c.id, commitment.c.status == store.COMMITMENT_ACTIVE,
                        commitment.c.start_on <= request.until, commitment.c.until >= request.today,
                        commitment.c.until >= _days_after(dialect, request.today, lead))
                 .scalar_subquery())
    return gross - committed


def _days_after(dialect: str, day: date, days: ColumnElement) -> ColumnElement:
    if dialect == "sqlite":  # dates are ISO text there
        return func.date(literal(day.isoformat()), func.printf("+%d days", days))
    return literal(day) + days


def _same_unit(dialect: str, request: MatchRequest, unit: ColumnElement) -> tuple[ColumnElement, ColumnElement]:
    """(surely the same unit, maybe the same unit) as ranking._same_unit's casefold comparison."""
    wanted = request.unit
    if not wanted:
        return true(), true()
    unknown = or_(unit.is_(None), unit == "")
    spellings = sorted({s for s in (wanted, wanted.lower(), wanted.upper(), wanted.title(), wanted.capitalize())
                        if s.casefold() == wanted.casefold()})
    surely = or_(unknown, unit.in_(spellings))
    if not wanted.isascii():
        return surely, true()
    non_ascii = unit.op("GLOB")("*[^ -~]*") if dialect == "sqlite" else unit.op("~")("[^ -~]")
    return surely, or_(unknown, func.lower(unit) == wanted.lower(), func.upper(unit) == wanted.upper(), non_ascii)


def _capacity_points(request: MatchRequest, free: ColumnElement, comparable: ColumnElement) -> ColumnElement:
    quantity = request.quantity
    if quantity is None or quantity <= 0:
        return case((and_(comparable, free > 0), CAPACITY_MAX), else_=0)
    q = float(quantity)
    return case((~comparable, 0.0), (free >= q, float(CAPACITY_MAX)), else_=CAPACITY_MAX * free / q)


# --- distance ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _sqlite_has_sqrt() -> bool:
    try:
        sqlite3.connect(":memory:").execute("SELECT sqrt(1)")
        return True
    except sqlite3.OperationalError:  # built without its math functions
        return False


def _distance_points(request: MatchRequest, org, radius: ColumnElement) -> tuple[ColumnElement, ColumnElement]:
    """(low, high) bounds of ranking._distance's points."""
    nuts = _nuts_points(request, org)
    if request.delivery_lat is None or request.delivery_lon is None:
        return nuts, nuts
    here = store.unit_vector(request.delivery_lat, request.delivery_lon)
    located = and_(org.c.ux.is_not(None), org.c.uy.is_not(None), org.c.uz.is_not(None),
                   org.c.lat.is_not(None), org.c.lon.is_not(None))
    if not _sqlite_has_sqrt():
        # No sqrt: the distance is only known to give 0 to 15 points (ranking.py decides).
        return case((located, 0.0), else_=nuts), case((located, float(DISTANCE_MAX)), else_=nuts)
    chord = func.sqrt((org.c.ux - here["ux"]) * (org.c.ux - here["ux"]) + (org.c.uy - here["uy"]) *
                      (org.c.uy - here["uy"]) + (org.c.uz - here["uz"]) * (org.c.uz - here["uz"]))
    near = EARTH_RADIUS_KM * chord - KM_SLACK
    far = EARTH_RADIUS_KM * chord * (1 + chord * chord / 4) + KM_SLACK

    def points(km):
        within = or_(radius.is_(None), km <= radius)
        return case((and_(within, km < DISTANCE_ZERO_KM), DISTANCE_MAX * (1 - km / DISTANCE_ZERO_KM)), else_=0.0)

    return case((located, points(far)), else_=nuts), case((located, points(near)), else_=nuts)


def _nuts_points(request: MatchRequest, org) -> ColumnElement:
    place = request.delivery_nuts3
    if not place:
        return literal(0.0)
    nuts3 = org.c.nuts3
    whens = [(func.substr(nuts3, 1, digits) == place[:digits], float(points)) for digits, _, points in NUTS_POINTS]
    return case((or_(nuts3.is_(None), nuts3 == ""), 0.0), *whens, else_=0.0)
