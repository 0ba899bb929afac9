"""Ranking social enterprises' offers for an enquiry (pure domain code, no I/O).

Each candidate gets points on six criteria and a reason for each, e.g. "CPV 39111000 exact: +40":

| criterion | max | how |
|---|---|---|
| CPV fit | 40 | the best pair of requested and offered codes: exact (or narrower than asked) 40, same category 32, class 26, group 18, division 8 |
| free capacity | 25 | share of the quantity its free capacity covers before the deadline |
| distance | 15 | full at the delivery place, falling to 0 at 200 km; 0 beyond the offer's delivery radius; by NUTS region when coordinates are missing |
| label | 10 | +10 if it holds "socio-ecologically produced"; -10 if the enquiry requires it and it does not |
| labour-market segment | 10 | third labour market 10, second 6: work first for those furthest from regular jobs |
| supports the platform | 5 | +5 if its organisation supports the platform (a confirmed, active statement of support names it) |

The platform's support is a bonus on top of the other five, which keep their meaning and their 100 points
(a score above 100 is a supporter's). The statement of support says enquiries are negotiated primarily to
social enterprises that support the platform, so among equally fitting offers the supporter comes first;
5 points are half a label, so support alone never outweighs a better CPV level (at least 8 apart) or a
label; it may outweigh a few kilometres or a little capacity: a priority, not a licence. `supporter` comes from the
registry through the port `PlatformSupporters` (service.load_candidates); it defaults False.

A candidate whose codes share not even a division with the enquiry is dropped. Ties go to more free
capacity, then the lower price. `labelled` comes from the site's label projection (service.load_candidates):
a valid label of the organisation sharing a CPV division with the offer; it defaults False.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Iterable

from services.contracts.cpv import is_under, significant_prefix

CPV_EXACT = 40
CPV_LEVELS = ((5, "category", 32), (4, "class", 26), (3, "group", 18), (2, "division", 8))  # shared digits
CAPACITY_MAX = 25
DISTANCE_MAX = 15
DISTANCE_ZERO_KM = 200.0
NUTS_POINTS = ((5, "in the delivery region", 15), (4, "in the delivery NUTS-2 region", 8),
               (2, "in the delivery country", 3))
LABEL_HELD, LABEL_MISSING_REQUIRED = 10, -10
SEGMENT_POINTS = {"third_labour_market": 10, "second_labour_market": 6}
SUPPORTER = 5
# Without a deadline, capacity is counted over this horizon from today.
DEFAULT_HORIZON = timedelta(weeks=8)
# Levels at which an offer can stand in for what was asked (count as covering, join a split).
SUBSTITUTABLE = frozenset({"exact", "category", "class", "group"})

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class MatchRequest:
    """What an enquiry needs. `today` is passed in (pure code reads no clock).

    quantity and unit: how much, in which unit (None: capacity is not scored, nothing is split).
    deadline: delivery date (None: DEFAULT_HORIZON from today). Delivery place: coordinates if known,
    else its NUTS-3 region.
    """

    cpv_codes: tuple[str, ...]
    today: date
    quantity: Decimal | None = None
    unit: str | None = None
    deadline: date | None = None
    delivery_lat: float | None = None
    delivery_lon: float | None = None
    delivery_nuts3: str | None = None
    label_required: bool = False

    @property
    def until(self) -> date:
        return self.deadline or self.today + DEFAULT_HORIZON


@dataclass(frozen=True)
class Candidate:
    """One published offer of an active social enterprise, with its free capacity before the deadline."""

    offer_id: str
    organisation_id: str
    organisation_name: str
    title: str
    cpv_codes: tuple[str, ...]
    free_capacity: Decimal
    unit: str
    lead_time_days: int
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str
    delivery_radius_km: int | None = None
    lat: float | None = None
    lon: float | None = None
    nuts3: str | None = None
    labour_market_segment: str | None = None
    workers_in_integration: int | None = None
    labelled: bool = False
    label_number: str | None = None
    supporter: bool = False  # its organisation supports the platform

    @property
    def unit_price(self) -> Decimal | None:
        """The middle of the price range (or its one known end): the estimate a split is priced at."""
        known = [p for p in (self.price_min, self.price_max) if p is not None]
        return sum(known) / len(known) if known else None


@dataclass(frozen=True)
class Ranked:
    """A candidate with its score, the points per criterion, and a reason for each (`reasons`)."""

    candidate: Candidate
    score: float
    points: dict[str, float] = field(hash=False)
    cpv_level: str
    distance_km: float | None
    usable_capacity: Decimal  # free capacity in the enquiry's unit; 0 when the units differ
    # (format, *args) per criterion: formatted only when asked, as most candidates never are.
    why: tuple[tuple, ...] = field(hash=False, repr=False, compare=False)

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        return tuple(fmt.format(*args) for fmt, *args in self.why)

    @property
    def substitutable(self) -> bool:
        return self.cpv_level in SUBSTITUTABLE

    def covers(self, quantity: Decimal | None) -> bool:
        return quantity is not None and self.substitutable and self.usable_capacity >= quantity


def rank(request: MatchRequest, candidates: Iterable[Candidate]) -> list[Ranked]:
    """Every candidate that shares at least a CPV division with the request, best first."""
    ranked = [r for r in (score(request, c) for c in candidates) if r is not None]
    ranked.sort(key=_order)
    return ranked


def _order(r: Ranked):
    price = r.candidate.unit_price
    return (-r.score, -r.usable_capacity, price is None, price or 0, r.candidate.offer_id)


def score(request: MatchRequest, candidate: Candidate) -> Ranked | None:
    fit = cpv_fit(request.cpv_codes, candidate.cpv_codes)
    if fit is None:
        return None
    level, cpv_points, cpv_why = fit
    usable, capacity_points, capacity_why = _capacity(request, candidate)
    distance, distance_points, distance_why = _distance(request, candidate)
    label_points, label_why = _label(request, candidate)
    segment_points, segment_why = _segment(candidate)
    support_points, support_why = _support(candidate)
    points = {"cpv": cpv_points, "capacity": capacity_points, "distance": distance_points, "label": label_points,
              "segment": segment_points, "support": support_points}
    why = (cpv_why, capacity_why, distance_why, label_why, segment_why, support_why)
    return Ranked(candidate, round(sum(points.values()), 1), points, level, distance, usable, why)


# --- CPV ---------------------------------------------------------------------------------------------

def cpv_fit(requested: Iterable[str], offered: Iterable[str]) -> tuple[str, float, tuple] | None:
    """(level, points, why) of the best-fitting pair of codes; None if no pair shares a division."""
    best = None
    for want in requested:
        for have in offered:
            fit = _pair_fit(want, have)
            if fit is not None and (best is None or fit[1] > best[1]):
                best = fit
    return best


@lru_cache(maxsize=16384)
def _pair_fit(want: str, have: str) -> tuple[str, float, tuple] | None:
    # Cached: a site has a few thousand codes in use, and every shortlist compares the same pairs.
    if have == want:
        return "exact", CPV_EXACT, ("CPV {} exact: {:+g}", have, CPV_EXACT)
    if is_under(have, want):
        return "exact", CPV_EXACT, ("CPV {} within the requested {}: {:+g}", have, want, CPV_EXACT)
    shared = len(os.path.commonprefix([significant_prefix(want), significant_prefix(have)]))
    for digits, level, points in CPV_LEVELS:
        if shared >= digits:
            return level, points, ("CPV {} shares the {} {} with {}: {:+g}", have, level, want[:digits], want, points)
    return None


# --- capacity ----------------------------------------------------------------------------------------

def _same_unit(request: MatchRequest, candidate: Candidate) -> bool:
    return not request.unit or not candidate.unit or request.unit.casefold() == candidate.unit.casefold()


def _capacity(request: MatchRequest, candidate: Candidate) -> tuple[Decimal, float, tuple]:
    free, unit, until = candidate.free_capacity, candidate.unit, request.until
    if not _same_unit(request, candidate):
        return Decimal(0), 0, ("capacity in {}, the enquiry counts in {}: not comparable: +0", unit, request.unit)
    if request.quantity is None or request.quantity <= 0:
        points = CAPACITY_MAX if free > 0 else 0
        return free, points, ("{:f} {} free before {}: {:+g}", free, unit, until, points)
    share = float(min(Decimal(1), free / request.quantity))
    points = round(CAPACITY_MAX * share, 1)
    return free, points, ("{:f} {} free before {}, {:.0%} of {:f}: {:+g}", free, unit, until, share,
                          request.quantity, points)


# --- distance ----------------------------------------------------------------------------------------

def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _distance(request: MatchRequest, candidate: Candidate) -> tuple[float | None, float, tuple]:
    if None not in (request.delivery_lat, request.delivery_lon, candidate.lat, candidate.lon):
        km = haversine_km(request.delivery_lat, request.delivery_lon, candidate.lat, candidate.lon)
        radius = candidate.delivery_radius_km
        if radius is not None and km > radius:
            return km, 0, ("{:.0f} km away, beyond its delivery radius of {} km: +0", km, radius)
        points = round(DISTANCE_MAX * max(0.0, 1 - km / DISTANCE_ZERO_KM), 1)
        if radius is None:
            return km, points, ("{:.0f} km from the delivery place: {:+g}", km, points)
        return km, points, ("{:.0f} km from the delivery place (delivery radius {} km): {:+g}", km, radius, points)
    if request.delivery_nuts3 and candidate.nuts3:
        for digits, where, points in NUTS_POINTS:
            if request.delivery_nuts3[:digits] == candidate.nuts3[:digits]:
                return None, points, ("{} ({}): {:+g}", where, candidate.nuts3, points)
        return None, 0, ("{} is outside the delivery country: +0", candidate.nuts3)
    return None, 0, ("distance unknown: +0",)


# --- label, segment and support -------------------------------------------------------------------

def _label(request: MatchRequest, candidate: Candidate) -> tuple[float, tuple]:
    if candidate.labelled:
        return LABEL_HELD, ("holds the label 'socio-ecologically produced': {:+g}", LABEL_HELD)
    if request.label_required:
        return LABEL_MISSING_REQUIRED, ("label required, not held: {:+g}", LABEL_MISSING_REQUIRED)
    return 0, ("no label: +0",)


def _segment(candidate: Candidate) -> tuple[float, tuple]:
    segment = candidate.labour_market_segment
    points = SEGMENT_POINTS.get(segment or "", 0)
    what = segment.replace("_", " ") if segment else "labour-market segment unknown"
    workers = candidate.workers_in_integration
    if workers:
        return points, ("{}, {} workers in integration: {:+g}", what, workers, points)
    return points, ("{}: {:+g}", what, points)


def _support(candidate: Candidate) -> tuple[float, tuple]:
    if candidate.supporter:
        return SUPPORTER, ("supports the platform: {:+g}", SUPPORTER)
    return 0, ("not a supporter of the platform: +0",)
