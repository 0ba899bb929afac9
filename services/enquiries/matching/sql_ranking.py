"""The shortlist's cut in SQL: each offer's score bounded from below and above, so that the database
returns only the few offers that can reach the top, and ranking.py orders those exactly.

ranking.py stays the one definition of the score, its reasons and the order with its tie-breaks. SQL
cannot reproduce it to the last bit (Python rounds each criterion to 0.1, SQLite stores quantities as
floats, `casefold` has no SQL twin, the distance here is a chord on the unit sphere, not a haversine), so
it computes two bounds, `low <= score <= high` (high including the supporter's +5 when the registry may
grant it). With T the `limit`-th best `low` among the eligible offers, at least `limit` offers score
T or more, so every offer of the true top (ties included) has `high >= T`: fetching `high >= T` and
ranking that in Python gives exactly the order of ranking everything. Whether one offer covers the
quantity alone is settled in SQL when a substitutable offer's `usable_low` reaches it; otherwise those
that may (`usable_high >= quantity`) are fetched too, and Python decides.

The statement is plain SQL (a text clause), one per shape of request (which criteria it has, how many
codes), cached with its parameters bound: short enough for psycopg to cache and prepare it. PostgreSQL
plans it once per connection, except where its estimates prefer a custom plan per call (_execute).

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
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import JSON, Connection, TextClause, text

from services.contracts.cpv import significant_prefix
from services.enquiries.matching import store
from services.enquiries.matching.ranking import (
    CAPACITY_MAX, CPV_EXACT, CPV_LEVELS, DISTANCE_MAX, DISTANCE_ZERO_KM, EARTH_RADIUS_KM, LABEL_HELD,
    LABEL_MISSING_REQUIRED, NUTS_POINTS, SEGMENT_POINTS, SUBSTITUTABLE, SUPPORTER, MatchRequest,
)

# Python rounds capacity, distance and the sum to 0.1 (at most 0.15 in all), plus float noise.
ROUNDING = 0.2
# SQL's gross capacity is not floored to 0.001 as capacity.gross is, and floats add noise.
CAPACITY_SLACK = 0.002
KM_SLACK = 1e-6
# When a split is sure, the statement returns the substitutes that may score as much as the SPLIT_BEST-th best
# surely does (and the largest capacities), not all: the split rarely goes further (service._cover then asks
# for all of them).
SPLIT_BEST = 128
# A single offer's tier is first scored on its LIKELIEST code rows: those whose offers may score the most, as
# bounded from the code row alone (its level, the place, segment and weekly capacity it carries, whether the
# offer's organisation holds a valid label): when their top beats what any other could score, the rest is left
# unread.
LIKELIEST = 32
# When a split is sure and the request's best level has at least ROOMY_FROM code rows, the cut first scores those
# offers, those of the ROOMIEST code rows of the divisions by weekly capacity (at group level or better), and the
# labelled: when the others can neither score as much as the SPLIT_BEST-th best nor be among the largest
# capacities, it answers from them alone.
ROOMIEST = 3 * SPLIT_BEST
ROOMY_FROM = 2 * SPLIT_BEST
SUBSTITUTABLE_POINTS = min(points for _, level, points in CPV_LEVELS if level in SUBSTITUTABLE)
DIVISION_POINTS = min(points for _, _, points in CPV_LEVELS)

# The columns a Candidate is built from (service._candidate), in order.
CANDIDATE_COLUMNS = ("id", "organisation_id", "title", "cpv_codes", "capacity_per_week", "unit", "lead_time_days",
                     "price_min", "price_max", "currency", "delivery_radius_km", "name", "nuts3", "lat", "lon",
                     "labour_market_segment", "workers_in_integration")
_COLUMNS = ", ".join(CANDIDATE_COLUMNS)
# After them: the quantity committed in the offer's period (exact), the number of its label (or NULL).
_SOURCES = ", ".join(f"{'g' if name in ('name', 'nuts3', 'lat', 'lon', 'labour_market_segment', 'workers_in_integration') else 'o'}.{name}"
                     for name in CANDIDATE_COLUMNS)
# The scored rows (x) carry only what scores them, through the window functions' sorts; the offer's and the
# organisation's columns are joined to the few that come back.
_SELECTED = _SOURCES + ", x.committed, x.label_number"
_JOINED = "JOIN matching_offer o ON o.id = x.id JOIN matching_organisation g ON g.id = o.organisation_id"
# The cut statement's own columns (everyone … roomy), before each row's candidate columns (_SELECTED).
_LEADING = 12
_TYPES = {"cpv_codes": JSON, "capacity_per_week": store.QUANTITY, "price_min": store.MONEY, "price_max": store.MONEY,
          "committed": store.QUANTITY}


@dataclass(frozen=True)
class Cut:
    """What the database answers for one request."""

    rows: list  # CANDIDATE_COLUMNS, committed, label_number of the offers that may reach the top (or cover alone),
    # and of every substitute when `substitutes_included`
    considered: int  # eligible offers (sharing a division; labelled, when the request requires the label)
    excluded_unlabelled: int
    surely_covered: bool  # an eligible substitutable offer surely has the whole quantity free
    # No offer can cover the quantity alone (a split is needed) and `rows` hold what the split draws on: every
    # eligible offer at group level or better that may have usable capacity (what `substitutes` would return),
    # or, when `split_known_from` is set, those of them that may score that much or more and those that may be
    # among the largest capacities (split.propose_split_of_best).
    substitutes_included: bool = False
    split_known_from: float | None = None


@dataclass(frozen=True)
class _Shape:
    """What the statement's text depends on (the values are bound parameters)."""

    dialect: str
    levels: tuple[tuple[int, int], ...]  # (points, how many prefixes) per CPV level the request can reach
    divisions: int
    quantity: bool
    unit: str  # "" (none asked), "ascii" or "other"
    spellings: int
    coordinates: str  # "", "sqrt" or "bounds" (SQLite without sqrt: 0 to 15 points)
    nuts: bool
    label_required: bool
    supporters_possible: bool
    top: bool
    near: int  # 0: every offer of the divisions; n: only those with a code under one of n prefixes (:g<i>)
    spare: bool = False  # the scored offers include every substitute: return them all when a split is sure
    likeliest: bool = False  # score only the LIKELIEST code rows' offers
    roomy: int = 0  # n: score only the offers with a code under one of n prefixes of the best level (:b<i>), the
    # ROOMIEST code rows' offers of the divisions and the labelled (of those under the :g<i> prefixes)


def cut(conn: Connection, request: MatchRequest, limit: int, supporters_possible: bool) -> Cut:
    """The offers that may make the top `limit` (or cover the quantity alone), and the counts.

    First only the offers fitting at the request's best CPV level, then at group level or better (each an
    index range of their codes): when their `limit`-th best `low` beats the best an offer fitting less well
    could score, the rest of the division is only counted. Otherwise (or when the label is required) every
    offer of the divisions is scored. When no offer of the site can have the quantity free (a split is
    sure), the first tier is group level or better: its rows hold what the split draws on. Before it, when
    the best level has ROOMY_FROM code rows or more, only its offers, those with the largest weekly
    capacities and the labelled are scored (_roomiest_first): enough when the offers left out can neither
    score as much as the SPLIT_BEST-th best of them nor be among the largest capacities.

    With the delivery place's coordinates, the best level is first scored on the offers of its LIKELIEST code
    rows (chosen on matching_offer_code's bounds, before any offer is read): when their `limit`-th best `low`
    beats what an offer left out could score and one of them surely covers the quantity, the rest is left
    unread (only the best level's code rows are read in full as the site grows)."""
    dialect = conn.dialect.name
    if limit > 0 and not request.label_required:
        levels = [points for points, _ in _cpv_levels(sorted({significant_prefix(c) for c in request.cpv_codes}))]
        tiers = [points for points in levels if points >= SUBSTITUTABLE_POINTS]
        if tiers and _split_sure(conn, request):
            tiers = tiers[-1:]
            found = _roomiest_first(conn, request, supporters_possible, limit, levels, tiers[-1])
            if found is not None:
                return found
        for tier in tiers:
            shape, params = _shape_and_params(dialect, request, supporters_possible, limit, near=tier)
            if not shape.near:
                break
            shape = _with_spare(shape, tier == tiers[-1])
            below = max([points for points in levels if points < tier] + [DIVISION_POINTS])
            rows = None
            if shape.coordinates == "sqrt" and not shape.spare and tier == levels[0]:  # the best fits only
                rows = _execute(conn, replace(shape, likeliest=True), params, limit)
                if rows and rows[0].reach is not None:  # some offers were left out
                    if _likeliest_suffice(request, supporters_possible, rows[0], below):
                        return _answer(conn, replace(shape, likeliest=True), params, rows, request)
                    rows = None
            if rows is None:
                rows = _execute(conn, shape, params, limit)
            threshold = rows[0]._mapping["t"] if rows else None  # (Row.t is the row itself)
            if threshold is not None and threshold > _best_below(request, supporters_possible, rows[0].most, below):
                return _answer(conn, shape, params, rows, request)
    shape, params = _shape_and_params(dialect, request, supporters_possible, limit)
    shape = _with_spare(shape, True)
    return _answer(conn, shape, params, _execute(conn, shape, params, max(limit, 1)), request)


def _execute(conn: Connection, shape: _Shape, params: dict, limit: int) -> list:
    values = {**params, "k": limit, "ns": SPLIT_BEST, "m": LIKELIEST, "mc": ROOMIEST}
    if not (shape.likeliest and shape.dialect == "postgresql"):
        return conn.execute(_cut_statement(shape), values).all()
    # Its custom plan costs far less than the generic one as estimated (the code rows' range is estimated
    # from its parameters), so PostgreSQL plans it anew on every call (about 1 ms, as long as the statement
    # runs); the generic plan is the same nested loops and runs as fast. Only for this statement: the
    # caller's transaction gets its setting back. (The setting is the transaction's: if the statement
    # fails, the rollback takes it back, and another statement would only fail in the aborted transaction.)
    previous = conn.execute(_GENERIC_PLANS).scalar()
    rows = conn.execute(_cut_statement(shape), values).all()
    conn.execute(_PLAN_CACHE_MODE, {"mode": previous})
    return rows


_GENERIC_PLANS = text("SELECT current_setting('plan_cache_mode'), "
                      "set_config('plan_cache_mode', 'force_generic_plan', true)")
_PLAN_CACHE_MODE = text("SELECT set_config('plan_cache_mode', :mode, true)")


def _roomiest_first(conn: Connection, request: MatchRequest, supporters_possible: bool, limit: int,
                    levels: list[int], tier: int) -> Cut | None:
    """When a split is sure: the cut from the offers fitting at the request's best level, the ROOMIEST code
    rows' offers (by weekly capacity, at `tier` or better) and the labelled, if they suffice (_roomiest_suffice);
    None otherwise, or when the best level has fewer than ROOMY_FROM code rows (the SPLIT_BEST-th best score
    then hardly comes from it alone)."""
    if levels[0] <= tier:
        return None
    shape, params = _shape_and_params(conn.dialect.name, request, supporters_possible, limit, near=tier,
                                      best=levels[0])
    if not shape.near or not shape.roomy or not shape.quantity:
        return None
    if conn.execute(_best_rows_statement(shape), {**params, "lim": ROOMY_FROM}).scalar() < ROOMY_FROM:
        return None
    shape = replace(shape, spare=True)
    rows = _execute(conn, shape, params, limit)
    below_best = max(points for points in levels[1:] + [DIVISION_POINTS] if points < levels[0])
    below_tier = max([points for points in levels if points < tier] + [DIVISION_POINTS])
    if rows and _roomiest_suffice(request, supporters_possible, rows[0], below_best, below_tier):
        return _answer(conn, shape, params, rows, request)
    return None


def _roomiest_suffice(request: MatchRequest, supporters_possible: bool, first, below_best: int,
                      below_tier: int) -> bool:
    """Whether the offers left out (fitting below the best level, unlabelled, with at most `roomy` a week) can
    neither score as much as the SPLIT_BEST-th best scored one (`known_from`, so the split knows every supplier
    it may take) nor have as much usable capacity as the (2 x kmax)-th largest (`cmin`, so it knows the largest
    capacities); and the top `limit` is theirs too (`t` beats what any of them, or a division-level fit, could
    score)."""
    threshold, known_from, cmin = first._mapping["t"], first.known_from, first._mapping["cmin"]
    if not first.split_sure or threshold is None or known_from is None or cmin is None:
        return False
    roomy = max(float(first.roomy), 0.0) if first.roomy is not None else 0.0
    days = max((request.until - request.today).days, 0)
    if roomy * days / 7 + CAPACITY_SLACK >= float(cmin):
        return False
    outside = _best_below(request, supporters_possible, roomy, below_best, label=0)
    return min(threshold, known_from) > outside and \
        threshold > _best_below(request, supporters_possible, first.most, below_tier)


def _likeliest_suffice(request: MatchRequest, supporters_possible: bool, first, below: int) -> bool:
    """Whether the offers of the LIKELIEST code rows, of those fitting at the request's best level, hold the
    top: their `limit`-th best `low` beats what an offer left out could score (`reach`, the best bound of the
    code rows left out) and what an offer fitting less well could, and one of them surely covers the quantity
    (when one is asked)."""
    threshold, best_low, most, reach = first._mapping["t"], first.best, first.most, first.reach
    if threshold is None or (request.quantity is not None and request.quantity > 0
                             and (best_low is None or best_low < float(request.quantity))):
        return False
    return threshold > max(reach, _best_below(request, supporters_possible, most, below))


def _best_below(request: MatchRequest, supporters_possible: bool, most_per_week, cpv_points: int,
                label: float = LABEL_HELD, distance: float = DISTANCE_MAX) -> float:
    """The highest score an offer fitting at a level worth `cpv_points` can reach (with at most `label` and
    `distance` points): its capacity points are bounded by the site's largest weekly capacity
    (`most_per_week`, an index lookup) over the period."""
    capacity_points = float(CAPACITY_MAX)
    quantity = request.quantity
    if quantity is not None and quantity > 0 and most_per_week is not None:
        most = float(most_per_week) * max((request.until - request.today).days, 0) / 7 + CAPACITY_SLACK
        capacity_points = CAPACITY_MAX * min(1.0, most / float(quantity))
    best = cpv_points + label + max(SEGMENT_POINTS.values()) + capacity_points + distance + ROUNDING
    return best + SUPPORTER if supporters_possible else best


def _with_spare(shape: _Shape, scores_every_substitute: bool) -> _Shape:
    """The shape returning every substitute as well when a split is sure, if it scores them all (every
    offer of the divisions, or the last tier: group level or better): the split then needs no second scan."""
    return replace(shape, spare=shape.quantity and scores_every_substitute)


_MOST_PER_WEEK = text("SELECT MAX(capacity_per_week) FROM matching_offer WHERE status = 'published'")


def _split_sure(conn: Connection, request: MatchRequest) -> bool:
    """No published offer can have the quantity free before the deadline, whatever its lead time and
    commitments (the largest weekly capacity, one index lookup)."""
    if request.quantity is None or request.quantity <= 0:
        return False
    most = conn.execute(_MOST_PER_WEEK).scalar()
    days = max((request.until - request.today).days, 0)
    return most is None or float(most) * days / 7 + CAPACITY_SLACK < float(request.quantity)


def _answer(conn: Connection, shape: _Shape, params: dict, rows, request: MatchRequest) -> Cut:
    if not rows:
        return Cut([], 0, 0, False, substitutes_included=shape.spare)
    first = rows[0]
    everyone, labelled, best_low = first.everyone, first.labelled or 0, first.best
    split_sure = bool(shape.spare and first.split_sure)
    known_from = first.known_from if split_sure else None
    found = [row[_LEADING:] for row in rows if row.picked or row.spare]
    covered = shape.quantity and best_low is not None and best_low >= params["q"]
    if request.label_required:
        return Cut(found, labelled, everyone - labelled, covered, split_sure, known_from)
    return Cut(found, everyone, 0, covered, split_sure, known_from)


def substitutes(conn: Connection, request: MatchRequest) -> list:
    """CANDIDATE_COLUMNS, committed, label_number of every eligible offer at group level or better that may have usable capacity:
    what a split may draw on (an index range of their codes when the request's codes allow)."""
    shape, params = _shape_and_params(conn.dialect.name, request, False, 0, near=SUBSTITUTABLE_POINTS)
    return conn.execute(_substitutes_statement(shape), params).all()


# --- the statement -------------------------------------------------------------------------------

def _shape_and_params(dialect: str, request: MatchRequest, supporters_possible: bool, limit: int,
                      near: int = 0, best: int = 0):
    """The statement's shape and parameters; `near`: score only the offers fitting at a level worth that
    many points or more (0: all); `best`: and of those, only the ones fitting at a level worth `best` points
    or more, the roomiest and the labelled (shape.roomy)."""
    wants = sorted({significant_prefix(c) for c in request.cpv_codes})
    levels, params = [], {}
    for points, prefixes in _cpv_levels(wants):
        for i, prefix in enumerate(prefixes):
            params[f"p{points}_{i}"] = prefix + "%"
        levels.append((points, len(prefixes)))
    heads = _heads(wants, near, params, "g", "lo", "hi") if near else []
    best_heads = _heads(wants, best, params, "b", "blo", "bhi") if heads and best else []
    divisions = sorted({w[:2] for w in wants})
    params.update({f"d{i}": d for i, d in enumerate(divisions)})
    iso = dialect == "sqlite"  # SQLite keeps dates as ISO text
    params.update(today=request.today.isoformat() if iso else request.today,
                  until=request.until.isoformat() if iso else request.until,
                  days=(request.until - request.today).days)
    quantity = request.quantity is not None and request.quantity > 0
    if quantity:
        params["q"] = float(request.quantity)
    unit, spellings = "", ()
    if request.unit:
        wanted = request.unit
        unit = "ascii" if wanted.isascii() else "other"
        spellings = sorted({s for s in (wanted, wanted.lower(), wanted.upper(), wanted.title(), wanted.capitalize())
                            if s.casefold() == wanted.casefold()})
        params.update({f"u{i}": s for i, s in enumerate(spellings)})
        params.update(ulower=wanted.lower(), uupper=wanted.upper())
    coordinates = ""
    if request.delivery_lat is not None and request.delivery_lon is not None:
        coordinates = "sqrt" if dialect != "sqlite" or _sqlite_has_sqrt() else "bounds"
        here = store.unit_vector(request.delivery_lat, request.delivery_lon)
        params.update(x=here["ux"], y=here["uy"], z=here["uz"])
    nuts = bool(request.delivery_nuts3)
    if nuts:
        params.update({f"n{digits}": request.delivery_nuts3[:digits] for digits, _, _ in NUTS_POINTS})
    shape = _Shape(dialect, tuple(levels), len(divisions), quantity, unit, len(spellings), coordinates, nuts,
                   request.label_required, supporters_possible, limit > 0, len(heads), roomy=len(best_heads))
    return shape, params


def _heads(wants: list[str], near: int, params: dict, like: str, low: str, high: str) -> list[str]:
    """The fewest prefixes under which every code fitting at a level worth `near` points or more lies, each
    bound as an index range (:<low>i <= prefix < :<high>i) and a pattern (:<like>i); none when a whole division
    fits that well (nothing to leave out)."""
    heads = [prefix for points, prefixes in _cpv_levels(wants) if points >= near for prefix in prefixes]
    heads = sorted(h for h in heads if not any(h != other and h.startswith(other) for other in heads))
    if any(len(h) <= 2 for h in heads):
        return []
    for i, head in enumerate(heads):
        following = str(int(head) + 1).zfill(len(head))  # the first prefix after those starting with `head`
        params.update({f"{like}{i}": head + "%", f"{low}{i}": head,
                       f"{high}{i}": following if len(following) == len(head) else "A"})
    return heads


def _cpv_levels(wants: list[str]) -> list[tuple[int, list[str]]]:
    """(points, prefixes) per level, best first: an offered code's significant prefix starting with one of
    the prefixes fits at that level (ranking._pair_fit: under the requested code, else shared digits)."""
    levels, seen = [(CPV_EXACT, wants)], set(wants)
    for digits, _level, points in CPV_LEVELS:
        heads = sorted({w[:digits] for w in wants if len(w) >= digits} - seen)
        seen.update(heads)
        if heads:
            levels.append((points, heads))
    return levels


def _greatest(dialect: str, a: str, b: str) -> str:
    return f"max({a}, {b})" if dialect == "sqlite" else f"greatest({a}, {b})"


def _scored_sql(shape: _Shape) -> str:
    """`WITH r AS (...), s AS (...)`: per eligible-by-division offer its id, whether it is labelled,
    substitutable, the bounds `low` and `high`, and the usable capacity's bounds `ulow` and `uhigh`."""
    d = shape.dialect
    cpv = " ".join(f"WHEN {' OR '.join(f'c.prefix LIKE :p{points}_{i}' for i in range(n))} THEN {points}"
                   for points, n in shape.levels)
    divisions = ", ".join(f":d{i}" for i in range(shape.divisions))
    lead = "COALESCE(o.lead_time_days, 0)"
    start = (f"date(:today, printf('+%d days', {lead}))" if d == "sqlite" else f"CAST(:today AS DATE) + {lead}")
    segment = " ".join(f"WHEN '{name}' THEN {points}" for name, points in SEGMENT_POINTS.items())
    if not shape.unit:
        same_low = same_high = "1 = 1"
    else:
        unknown = "o.unit IS NULL OR o.unit = ''"
        same_low = f"{unknown} OR o.unit IN ({', '.join(f':u{i}' for i in range(shape.spellings))})"
        non_ascii = "o.unit GLOB '*[^ -~]*'" if d == "sqlite" else "o.unit ~ '[^ -~]'"
        same_high = ("1 = 1" if shape.unit == "other" else
                     f"{unknown} OR lower(o.unit) = :ulower OR upper(o.unit) = :uupper OR {non_ascii}")
    nuts = "0.0"
    if shape.nuts:
        nuts = ("CASE WHEN g.nuts3 IS NULL OR g.nuts3 = '' THEN 0.0 " +
                " ".join(f"WHEN substr(g.nuts3, 1, {digits}) = :n{digits} THEN {float(points)}"
                         for digits, _, points in NUTS_POINTS) + " ELSE 0.0 END")
    chord = "NULL"
    if shape.coordinates == "sqrt":
        chord = "sqrt((g.ux - :x) * (g.ux - :x) + (g.uy - :y) * (g.uy - :y) + (g.uz - :z) * (g.uz - :z))"
    # service._with_label's label: the longest valid one sharing a division with the offer
    label_number = ("(SELECT l.number FROM matching_label l JOIN matching_label_division ld ON ld.label_id = l.label_id "
                    "JOIN matching_offer_division od ON od.division = ld.division AND od.offer_id = o.id "
                    "WHERE l.holder_organisation_id = o.organisation_id AND l.status = 'valid' "
                    "AND l.valid_until >= :today ORDER BY l.valid_until DESC, l.number LIMIT 1)")
    near = _ranges("g", "lo", "hi", shape.near)
    labelled = ("SELECT lo.id FROM matching_offer lo WHERE lo.organisation_id IN (SELECT l.holder_organisation_id "
                "FROM matching_label l WHERE l.status = 'valid' AND l.valid_until >= :today)")
    codes = f"matching_offer_code c WHERE c.division IN ({divisions}){near}"
    fits = f"SELECT c.offer_id, MAX(CASE {cpv} END) AS cpv FROM {codes} GROUP BY c.offer_id"
    if shape.likeliest:
        # The code rows with the LIKELIEST best bounds (`ub`) of their offers' scores, from the row alone
        # (_likeliest_bound); the rows left out bound at most `reach`. The range's rows are read once (`bounded`,
        # a CTE read twice: materialised), from ix_matching_offer_code_bounds alone: it holds every column read
        # here (matching migration 0007; keep it so when the bound reads another). An offer's rows differ only in their level: those left out of an
        # offer read fit no better than those read.
        first_rows = (f"bounded AS (SELECT c.offer_id, c.prefix, {_likeliest_bound(shape, cpv, labelled)} AS ub "
                      f"FROM {codes}),\n"
                      f"reach AS (SELECT ub FROM bounded ORDER BY 1 DESC LIMIT 1 OFFSET :m),\n")
        fits = (f"SELECT c.offer_id, MAX(CASE {cpv} END) AS cpv FROM bounded c "
                f"WHERE c.ub > COALESCE((SELECT ub FROM reach), -1e18) GROUP BY c.offer_id")
    if shape.roomy:
        # Each branch is an index range: the best level's code rows (their offers fit there, the best), every
        # code row (within `near`) of the offers of the ROOMIEST code rows of the divisions by weekly capacity (all
        # rows of an offer carry its capacity; read in the order of ix_matching_offer_code_capacity, `near` only
        # filtering, not a range the planner might prefer) and of the labelled offers. An offer's level is the
        # best of the rows read.
        first_rows = (f"roomy AS (SELECT c.capacity_per_week AS cap FROM matching_offer_code c "
                      f"WHERE c.division IN ({divisions}) AND c.capacity_per_week IS NOT NULL "
                      f"ORDER BY 1 DESC LIMIT 1 OFFSET :mc),\n")
        patterns = " OR ".join(f"c.prefix LIKE :g{i}" for i in range(shape.near))
        fits = (f"SELECT u.offer_id, MAX(u.cpv) AS cpv FROM (\n"
                f"    SELECT c.offer_id, CASE {cpv} END AS cpv FROM matching_offer_code c WHERE c.division IN "
                f"({divisions}){_ranges('b', 'blo', 'bhi', shape.roomy)}\n"
                f"    UNION ALL SELECT c.offer_id, CASE {cpv} END FROM matching_offer_code c WHERE c.division IN "
                f"({divisions}) AND c.capacity_per_week > COALESCE((SELECT cap FROM roomy), -1.0) AND ({patterns})\n"
                f"    UNION ALL SELECT c.offer_id, CASE {cpv} END FROM {codes} AND c.offer_id IN ({labelled})\n"
                f"  ) u GROUP BY u.offer_id")
    r = f"""r AS (
  SELECT o.id, f.cpv, {label_number} AS label_number,
    CASE g.labour_market_segment {segment} ELSE 0 END AS seg,
    CASE WHEN :days - {lead} > 0 AND o.capacity_per_week > 0
      THEN CAST(o.capacity_per_week AS FLOAT) * (:days - {lead}) / 7.0 ELSE 0.0 END AS gross,
    (SELECT COALESCE(SUM(c.quantity), 0) FROM matching_commitment c
     WHERE c.offer_id = o.id AND c.status = 'active' AND c.start_on <= :until AND c.until >= :today
       AND c.until >= {start}) AS committed,
    {same_low} AS cl, {same_high} AS ch,
    g.lat IS NOT NULL AND g.lon IS NOT NULL AS located, g.ux IS NOT NULL AS vector,
    {chord} AS chord, {nuts} AS nuts, o.delivery_radius_km AS rad
  FROM ({fits}) f
  JOIN matching_offer o ON o.id = f.offer_id JOIN matching_organisation g ON g.id = o.organisation_id
  WHERE o.status = 'published' AND g.status = 'active' AND g.kind = 'social_enterprise'
  {"LIMIT -1 " if d == "sqlite" else ""}OFFSET 0)"""
    fixed = (f"cpv + CASE WHEN lab THEN {LABEL_HELD} ELSE {LABEL_MISSING_REQUIRED if shape.label_required else 0} END"
             " + seg")
    low = f"{fixed} + {_capacity('free - ' + str(CAPACITY_SLACK), 'cl', shape)} + {_distance(shape, 'far')} - {ROUNDING}"
    high_free = _greatest(d, f"free + {CAPACITY_SLACK}", "0.0")
    high = f"{fixed} + {_capacity(high_free, 'ch', shape)} + {_distance(shape, 'near')} + {ROUNDING}"
    if shape.supporters_possible:
        high += f" + {SUPPORTER}"
    s = f"""s AS (
  SELECT id, committed, label_number, lab, cpv >= {SUBSTITUTABLE_POINTS} AS sub, {low} AS low, {high} AS high,
    CASE WHEN cl THEN free - {CAPACITY_SLACK} ELSE 0.0 END AS ulow,
    CASE WHEN ch THEN free + {CAPACITY_SLACK} ELSE 0.0 END AS uhigh
  FROM (SELECT r.*, gross - CAST(committed AS FLOAT) AS free, label_number IS NOT NULL AS lab FROM r) r2)"""
    return f"WITH {first_rows if shape.likeliest or shape.roomy else ''}{r},\n{s}\n"


def _likeliest_bound(shape: _Shape, cpv: str, labelled: str) -> str:
    """The most an offer can score, from one of its code rows (c) alone: the row's level, the label when the
    offer's organisation holds a valid one, its segment, the capacity points of its weekly capacity over the
    whole period (before lead time and commitments, in the same unit), the distance points of its place at the
    near end (15 without one: the NUTS points are no more), no delivery radius, ROUNDING and the supporter's
    points when the registry may grant them."""
    d = shape.dialect
    segment = " ".join(f"WHEN '{name}' THEN {points}" for name, points in SEGMENT_POINTS.items())
    gross = f"CAST(c.capacity_per_week AS FLOAT) * {_greatest(d, ':days', '0')} / 7.0 + {CAPACITY_SLACK}"
    capacity = (f"{CAPACITY_MAX} * {_least(d, '1.0', f'({gross}) / :q')}" if shape.quantity
                else f"{float(CAPACITY_MAX)}")
    chord = "sqrt((c.ux - :x) * (c.ux - :x) + (c.uy - :y) * (c.uy - :y) + (c.uz - :z) * (c.uz - :z))"
    near = f"{DISTANCE_MAX} * (1 - ({EARTH_RADIUS_KM} * {chord} - {KM_SLACK}) / {DISTANCE_ZERO_KM})"
    distance = (f"CASE WHEN c.ux IS NULL OR c.uy IS NULL OR c.uz IS NULL THEN {float(DISTANCE_MAX)} "
                f"ELSE {_greatest(d, near, '0.0')} END")
    bound = (f"CASE {cpv} END + CASE WHEN c.offer_id IN ({labelled}) THEN {LABEL_HELD} ELSE 0 END"
             f" + CASE c.labour_market_segment {segment} ELSE 0 END"
             f" + CASE WHEN c.capacity_per_week > 0 THEN {capacity} ELSE 0.0 END + {distance} + {ROUNDING}")
    return f"{bound} + {SUPPORTER}" if shape.supporters_possible else bound


def _least(dialect: str, a: str, b: str) -> str:
    return f"min({a}, {b})" if dialect == "sqlite" else f"least({a}, {b})"


def _ranges(like: str, low: str, high: str, n: int) -> str:
    """` AND` the code row's prefix lies under one of n prefixes (_heads), or nothing when n is 0."""
    if not n:
        return ""
    return " AND (" + " OR ".join(f"(c.prefix >= :{low}{i} AND c.prefix < :{high}{i} AND c.prefix LIKE :{like}{i})"
                                  for i in range(n)) + ")"


def _capacity(free: str, same: str, shape: _Shape) -> str:
    """ranking._capacity's points for a free capacity (an expression) in a unit maybe the same."""
    if not shape.quantity:
        return f"CASE WHEN ({same}) AND {free} > 0 THEN {CAPACITY_MAX} ELSE 0 END"
    return (f"CASE WHEN NOT ({same}) THEN 0.0 WHEN {free} >= :q THEN {float(CAPACITY_MAX)} "
            f"ELSE {CAPACITY_MAX} * ({free}) / :q END")


def _distance(shape: _Shape, end: str) -> str:
    """ranking._distance's points, judging the kilometres at their `far` end (a lower bound of the points)
    or their `near` end (an upper bound)."""
    if not shape.coordinates:
        return "nuts"
    unknown = "0.0" if end == "far" else f"{float(DISTANCE_MAX)}"
    if shape.coordinates == "bounds":
        return f"CASE WHEN NOT located THEN nuts ELSE {unknown} END"
    km = (f"({EARTH_RADIUS_KM} * chord * (1 + chord * chord / 4) + {KM_SLACK})" if end == "far"
          else f"({EARTH_RADIUS_KM} * chord - {KM_SLACK})")
    return (f"CASE WHEN NOT located THEN nuts WHEN NOT vector THEN {unknown} "
            f"WHEN (rad IS NULL OR {km} <= rad) AND {km} < {DISTANCE_ZERO_KM} "
            f"THEN {DISTANCE_MAX} * (1 - {km} / {DISTANCE_ZERO_KM}) ELSE 0.0 END")


def _eligible(shape: _Shape) -> str:
    return "lab" if shape.label_required else "1 = 1"


@lru_cache(maxsize=256)
def _cut_statement(shape: _Shape) -> TextClause:
    """One pass over `s`: the counts, the `k`-th best `low` among the eligible (window functions), and the
    rows that may reach the top or cover the quantity (`picked`); the first row always comes, for the counts."""
    eligible = _eligible(shape)
    ranked_low = f"CASE WHEN {eligible} THEN low ELSE -1e18 END"
    top = "high >= COALESCE(t, -1e18)" if shape.top else "1 = 0"
    cover = "sub AND uhigh >= :q AND COALESCE(best, -1.0) < :q" if shape.quantity else "1 = 0"
    picked = f"({eligible}) AND ({top} OR ({cover}))"
    # Scoring only part of the divisions (shape.near), the count comes from the division rows alone.
    # One division: its maintained count (store.matching_division_count); several: an offer may be in more than
    # one of them, so its rows are counted.
    everyone = "everyone"
    if shape.near and shape.divisions == 1:
        everyone = "(SELECT COALESCE(MAX(eligible), 0) FROM matching_division_count WHERE division = :d0)"
    elif shape.near:
        everyone = (f"(SELECT COUNT(DISTINCT offer_id) FROM matching_offer_division WHERE division IN "
                    f"({', '.join(f':d{i}' for i in range(shape.divisions))}) AND eligible)")
    # A split is sure when no eligible substitute may have the whole quantity free; then `spare` marks what the
    # split draws on (split.propose_split_of_best): the substitutes that may score `ts` or more, `ts` the
    # :ns-th best `low` of those surely with capacity, and those that may have `cmin` or more, `cmin` the
    # (2 x kmax)-th largest sure capacity, kmax the fewest partners whose sure capacities add up to the
    # quantity (at least as many as the split needs). If the sure capacities do not add up to the quantity
    # (or there are too few), every substitute.
    sure, spare, known_from, windows = "1 = 0", "1 = 0", "NULL", ""
    if shape.spare:
        sure = "COALESCE(most_usable, -1.0) < :q"
        known = "supply_total >= :q AND ts IS NOT NULL AND cmin IS NOT NULL"
        spare = f"{sure} AND sub AND ({eligible}) AND uhigh > 0 AND (NOT ({known}) OR high >= ts OR uhigh >= cmin)"
        known_from = f"CASE WHEN {known} THEN ts END"
        supplier = f"sub AND ({eligible}) AND ulow > 0"
        windows = f""",
    CASE WHEN {supplier} THEN ulow ELSE 0.0 END AS supply,
    SUM(CASE WHEN {supplier} THEN ulow ELSE 0.0 END) OVER () AS supply_total,
    nth_value(CASE WHEN {supplier} THEN low ELSE -1e18 END, :ns) OVER (
      ORDER BY CASE WHEN {supplier} THEN low ELSE -1e18 END DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS ts"""
    most = ("(SELECT MAX(capacity_per_week) FROM matching_offer WHERE status = 'published')" if shape.near
            else "NULL")
    scored = f"""
  SELECT s.*, COUNT(*) OVER () AS everyone, SUM(CASE WHEN lab THEN 1 ELSE 0 END) OVER () AS labelled,
    MAX(CASE WHEN sub AND {eligible} THEN ulow END) OVER () AS best,
    MAX(CASE WHEN sub AND {eligible} THEN uhigh END) OVER () AS most_usable,
    nth_value({ranked_low}, :k) OVER (ORDER BY {ranked_low} DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS t,
    row_number() OVER () AS n{windows}
  FROM s"""
    if shape.spare:  # the largest capacities: running sums by capacity, kmax, then cmin
        scored = f"""
  SELECT y.*, MAX(CASE WHEN by_supply = 2 * kmax THEN supply END) OVER () AS cmin FROM (
  SELECT w.*, MIN(CASE WHEN running >= :q THEN by_supply END) OVER () AS kmax FROM (
  SELECT v.*, row_number() OVER b AS by_supply, SUM(supply) OVER b AS running FROM ({scored}) v
  WINDOW b AS (ORDER BY supply DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) w) y"""
    sql = _scored_sql(shape) + f"""SELECT {everyone} AS everyone, labelled, best, {picked} AS picked, t, {most} AS most,
  {sure} AS split_sure, {spare} AS spare, {known_from} AS known_from,
  {"(SELECT ub FROM reach)" if shape.likeliest else "NULL"} AS reach, {"x.cmin" if shape.spare else "NULL"} AS cmin,
  {"(SELECT cap FROM roomy)" if shape.roomy else "NULL"} AS roomy, {_SELECTED} FROM ({scored}) x
{_JOINED} WHERE n = 1 OR ({picked}) OR ({spare})"""
    return text(sql).columns(**_TYPES)


@lru_cache(maxsize=64)
def _best_rows_statement(shape: _Shape) -> TextClause:
    """How many code rows (up to :lim) lie under the best level's prefixes (:b<i>): an index range."""
    divisions = ", ".join(f":d{i}" for i in range(shape.divisions))
    return text(f"SELECT COUNT(*) FROM (SELECT 1 FROM matching_offer_code c WHERE c.division IN ({divisions})"
                f"{_ranges('b', 'blo', 'bhi', shape.roomy)} LIMIT :lim) x")


@lru_cache(maxsize=256)
def _substitutes_statement(shape: _Shape) -> TextClause:
    sql = _scored_sql(shape) + f"SELECT {_SELECTED} FROM s x {_JOINED} WHERE {_eligible(shape)} AND sub AND uhigh > 0"
    return text(sql).columns(**_TYPES)


@lru_cache(maxsize=1)
def _sqlite_has_sqrt() -> bool:
    try:
        sqlite3.connect(":memory:").execute("SELECT sqrt(1)")
        return True
    except sqlite3.OperationalError:  # built without its math functions
        return False



