"""What the rest of the enquiries service calls: the shortlist, and capacity reservations.

All functions take the caller's connection and run in its transaction (the caller commits):

- `shortlist(conn, request, limit=10) -> Shortlist`: ranked social enterprises for an enquiry, with
  a split proposal when no single one has the capacity, and whether cross-border matching is needed.
- `reserve(conn, agreement_id, organisation_id, offer_id, quantity, until, start) -> Reservation`:
  commit an offer's capacity to an agreement; Conflict (409) if the offer has not that much free.
- `release(conn, agreement_id) -> bool`: give it back (an agreement cancelled).
- `free_capacity(conn, offer_id, start, until) -> Decimal`.

Free capacity follows `capacity.py`: capacity per week × weeks of the period, less the active
commitments overlapping it. In a shortlist the period of each offer starts after its lead time
(today + lead_time_days) and ends at the deadline.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from flask import has_app_context
from sqlalchemy import Connection, insert, update

from services.common.clock import utcnow
from services.common.db import batches
from services.common.errors import Conflict, Invalid, NotFound
from services.common.ports import port
from services.contracts import capacity
from services.contracts.ports import PlatformSupporters
from services.enquiries.matching import sql_ranking, store
from services.enquiries.matching.ranking import Candidate, MatchRequest, Ranked, rank
from services.enquiries.matching.split import Split, Supplier, propose_split, propose_split_of_best

__all__ = ["MatchRequest", "Shortlist", "Reservation", "shortlist", "reserve", "release", "free_capacity"]


# --- shortlist ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shortlist:
    """The answer to "who at this site can do it?".

    candidates: best first, at most `limit`, each with score, points and reasons (ranking.Ranked).
    considered: how many offers shared at least a CPV division with the request (and, when the request
        requires the label, held it).
    excluded_unlabelled: how many such offers were left out because the request requires the label and
        they hold no valid label for their CPV division (they are neither candidates nor in the split).
    split: proposed when a quantity is given and no single candidate fitting at group level or better
        can deliver it alone; its parts add up to what the site can cover.
    missing_quantity: what the site's social enterprises cannot deliver before the deadline;
    cross_border_needed: True when missing_quantity > 0 (the enquiry should be flagged).
    """

    request: MatchRequest
    candidates: tuple[Ranked, ...]
    considered: int
    split: Split | None
    missing_quantity: Decimal
    excluded_unlabelled: int = 0

    @property
    def cross_border_needed(self) -> bool:
        return self.missing_quantity > 0

    def to_dict(self) -> dict:
        """JSON-ready: decimals as strings, dates in ISO format."""
        return {
            "considered": self.considered,
            "label_required": self.request.label_required,
            "excluded_unlabelled": self.excluded_unlabelled,
            "cross_border_needed": self.cross_border_needed,
            "missing_quantity": _text(self.missing_quantity),
            "candidates": [_ranked_dict(r) for r in self.candidates],
            "split": None if self.split is None else {
                "quantity": _text(self.split.quantity),
                "covered": _text(self.split.covered),
                "remainder": _text(self.split.remainder),
                "parts": [{"offer_id": p.offer_id, "organisation_id": p.organisation_id,
                           "organisation_name": p.organisation_name, "quantity": _text(p.quantity),
                           "unit_price": _text(p.unit_price), "price": _text(p.price), "currency": p.currency}
                          for p in self.split.parts],
            },
        }


def shortlist(conn: Connection, request: MatchRequest, limit: int = 10) -> Shortlist:
    """Rank the site's social enterprises for `request`. Invalid (422) without CPV codes.

    The database scores and cuts (sql_ranking.py): it returns the counts and only the offers that may
    reach the top `limit` or cover the quantity alone; ranking.py orders those exactly, as if it had
    ranked every offer of the divisions. A split, when needed, draws on every substitutable offer."""
    if not request.cpv_codes:
        raise Invalid("an enquiry needs CPV codes to be matched", {"cpv_codes": ["no CPV codes to match"]})
    found = sql_ranking.cut(conn, request, limit, supporters_possible=has_app_context())
    ranked = _ranked(conn, request, found.rows)
    split, missing = (None, Decimal(0)) if found.surely_covered else _cover(conn, request, ranked, found)
    return Shortlist(request, tuple(ranked[:limit]), found.considered, split, missing, found.excluded_unlabelled)


def _ranked(conn: Connection, request: MatchRequest, rows) -> list[Ranked]:
    """Those offers (sql_ranking.CANDIDATE_COLUMNS) as ranked candidates; when the request requires the
    label, only the labelled ones."""
    ranked = rank(request, _cut_candidates(conn, request, rows))
    return [r for r in ranked if r.candidate.labelled] if request.label_required else ranked


def _cut_candidates(conn: Connection, request: MatchRequest, rows) -> list[Candidate]:
    """Candidates from sql_ranking's rows, which carry the quantity committed in each offer's period and
    its label's number: only the supporters are asked."""
    supporters = _supporters(conn, sorted({row[1] for row in rows}))
    candidates = []
    for *columns, committed, label_number in rows:
        start = request.today + timedelta(days=columns[6] or 0)
        candidate = _candidate(request, [capacity.Commitment(committed, start, request.until)] if committed else (),
                               *columns)
        if label_number is not None:
            candidate = replace(candidate, labelled=True, label_number=label_number)
        candidates.append(_with_support(candidate, supporters))
    return candidates


def load_candidates(conn: Connection, request: MatchRequest) -> list[Candidate]:
    """Every offer in the request's CPV divisions, each with its free capacity before the deadline (what
    the shortlist ranked before it cut in SQL; its tests compare the two)."""
    divisions = sorted({code[:2] for code in request.cpv_codes})
    return _candidates(conn, request, conn.execute(store.candidate_offers_query(divisions)).all())


def _candidates(conn: Connection, request: MatchRequest, rows) -> list[Candidate]:
    committed = defaultdict(list)
    for some in batches([row[0] for row in rows]):
        for c in conn.execute(store.active_commitments_query(list(some), request.today, request.until)):
            committed[c.offer_id].append(capacity.Commitment(c.quantity, c.start_on, c.until))
    organisation_ids = sorted({row[1] for row in rows})
    labels = _labels(conn, organisation_ids, request.today)
    supporters = _supporters(conn, organisation_ids)
    return [_with_support(_with_label(_candidate(request, committed.get(row[0], ()), *row), labels.get(row[1], ())),
                          supporters) for row in rows]


def _supporters(conn: Connection, organisation_ids: list[str]) -> frozenset[str]:
    """Those organisations that support the platform, as the registry answers the port `PlatformSupporters`
    (a confirmed, active statement of support names them), in this transaction. Outside an app, where
    matching runs on its own tables alone (its use-case tests, bench/shortlist.py), there is no registry to
    ask: nobody supports."""
    if not organisation_ids or not has_app_context():
        return frozenset()
    return port(PlatformSupporters).supporting(conn, organisation_ids)


def _with_support(candidate: Candidate, supporters: frozenset[str]) -> Candidate:
    return replace(candidate, supporter=True) if candidate.organisation_id in supporters else candidate


def _labels(conn: Connection, organisation_ids: list[str], today: date) -> dict[str, list[tuple[str, set[str]]]]:
    """Each organisation's labels valid on `today`: (number, CPV divisions), longest valid first."""
    labels: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for some in batches(organisation_ids):
        for holder, number, cpv_codes in conn.execute(store.valid_labels_query(some, today)):
            labels[holder].append((number, {code[:2] for code in cpv_codes or ()}))
    return labels


def _with_label(candidate: Candidate, labels) -> Candidate:
    """Labelled when a valid label of its organisation shares a CPV division with one of the offer's codes."""
    divisions = {code[:2] for code in candidate.cpv_codes}
    for number, label_divisions in labels:
        if divisions & label_divisions:
            return replace(candidate, labelled=True, label_number=number)
    return candidate


def _candidate(request: MatchRequest, commitments, offer_id, organisation_id, title, cpv_codes, capacity_per_week,
               unit, lead_time_days, price_min, price_max, currency, delivery_radius_km, name, nuts3, lat, lon,
               segment, workers) -> Candidate:
    # Positional: the columns of store.candidate_offers_query, in order (a shortlist reads ~1,000 rows).
    start = request.today + timedelta(days=lead_time_days or 0)
    return Candidate(offer_id, organisation_id, name, title, tuple(cpv_codes or ()),
                     capacity.free(capacity_per_week, start, request.until, commitments), unit, lead_time_days,
                     price_min, price_max, currency, delivery_radius_km, lat, lon, nuts3, segment, workers)


def _cover(conn: Connection, request: MatchRequest, ranked: list[Ranked],
           found: sql_ranking.Cut) -> tuple[Split | None, Decimal]:
    """A split when no single offer covers the quantity. `ranked` holds every offer that may cover it alone
    (sql_ranking.cut fetched them unless one surely does); the split draws on the substitutable ones, which
    `ranked` holds too when the cut said so: all of them, or the best and the largest (`split_known_from`),
    enough unless the split reaches past the best; otherwise they are fetched."""
    quantity = request.quantity
    if quantity is None or quantity <= 0:
        return None, Decimal(0)
    if any(r.covers(quantity) for r in ranked):
        return None, Decimal(0)
    split = None
    if found.substitutes_included and found.split_known_from is not None:
        split = propose_split_of_best(quantity, _suppliers(ranked), found.split_known_from)
    if split is None:
        substitutes = ranked if found.substitutes_included and found.split_known_from is None else \
            _ranked(conn, request, sql_ranking.substitutes(conn, request))
        split = propose_split(quantity, _suppliers(substitutes))
    return split, split.remainder


def _suppliers(ranked: list[Ranked]) -> list[Supplier]:
    return [Supplier(r.candidate.offer_id, r.candidate.organisation_id, r.usable_capacity, r.score,
                     r.candidate.unit_price, r.candidate.currency, r.candidate.organisation_name)
            for r in ranked if r.substitutable]


def _text(value) -> str | None:
    return None if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)


def _ranked_dict(r: Ranked) -> dict:
    c = r.candidate
    return {
        "offer_id": c.offer_id, "organisation_id": c.organisation_id, "organisation_name": c.organisation_name,
        "title": c.title, "cpv_codes": list(c.cpv_codes), "score": r.score, "points": dict(r.points),
        "reasons": list(r.reasons), "cpv_level": r.cpv_level,
        "distance_km": None if r.distance_km is None else round(r.distance_km, 1),
        "free_capacity": _text(c.free_capacity), "unit": c.unit, "lead_time_days": c.lead_time_days,
        "price_min": _text(c.price_min), "price_max": _text(c.price_max), "currency": c.currency,
        "labour_market_segment": c.labour_market_segment, "labelled": c.labelled,
        "label_number": c.label_number, "supporter": c.supporter,
    }


# --- capacity commitments ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reservation:
    agreement_id: str
    offer_id: str
    organisation_id: str
    quantity: Decimal
    start: date
    until: date
    status: str


def free_capacity(conn: Connection, offer_id: str, start: date, until: date) -> Decimal:
    """Free capacity of the offer from start to until (0 if it is withdrawn). NotFound if unknown."""
    offer = store.offer(conn, offer_id)
    if offer is None or offer["capacity_per_week"] is None:
        raise NotFound(f"offer {offer_id} is not known at this site")
    if offer["status"] != store.OFFER_PUBLISHED:
        return Decimal(0)
    return _free(conn, offer, start, until)


def _free(conn: Connection, offer, start: date, until: date, excluding: str | None = None) -> Decimal:
    c = store.matching_commitment
    query = store.active_commitments_query([offer["id"]], start, until)
    if excluding is not None:
        query = query.where(c.c.agreement_id != excluding)
    commitments = [capacity.Commitment(r.quantity, r.start_on, r.until) for r in conn.execute(query)]
    return capacity.free(offer["capacity_per_week"], start, until, commitments)


def reserve(conn: Connection, agreement_id: str, organisation_id: str, offer_id: str, quantity: Decimal,
            until: date, start: date) -> Reservation:
    """Commit `quantity` of the offer's capacity between start and until to the agreement.

    Pass start = the day production can begin, until = the delivery date. Idempotent: reserving the
    same agreement again with the same figures returns the existing reservation. Raises Invalid (422)
    for a non-positive quantity, a period ending before it starts, or an offer of another organisation;
    NotFound (404) for an unknown offer; Conflict (409) for a withdrawn offer, an agreement already
    holding a different reservation, or a quantity beyond the free capacity (code `capacity_exceeded`,
    saying how much is free). Concurrent reservations of one offer are serialised by a row lock.
    """
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise Invalid("the quantity to reserve must be more than zero", {"quantity": ["must be more than zero"]})
    if until < start:
        raise Invalid("the period ends before it starts", {"until": ["must not be before start"]})
    offer = store.offer_for_update(conn, offer_id)
    if offer is None or offer["capacity_per_week"] is None:
        raise NotFound(f"offer {offer_id} is not known at this site")
    if offer["organisation_id"] != str(organisation_id):
        raise Invalid(f"offer {offer_id} is not an offer of organisation {organisation_id}",
                      {"organisation_id": ["does not own the offer"]})
    existing = store.commitment(conn, str(agreement_id))
    if existing is not None and existing["status"] == store.COMMITMENT_ACTIVE:
        return _same_or_conflict(existing, offer_id, quantity, start, until)
    if offer["status"] != store.OFFER_PUBLISHED:
        raise Conflict(f"offer {offer_id} is withdrawn", code="offer_withdrawn")
    free = _free(conn, offer, start, until, excluding=str(agreement_id))
    if quantity > free:
        unit = offer["unit"]
        raise Conflict(f"offer {offer_id} has {free:f} {unit} free from {start} to {until}; {quantity:f} requested",
                       {"quantity": [f"at most {free:f} {unit} free"]}, code="capacity_exceeded")
    values = {"offer_id": offer_id, "organisation_id": str(organisation_id), "quantity": quantity, "start_on": start,
              "until": until, "status": store.COMMITMENT_ACTIVE, "updated_at": utcnow()}
    c = store.matching_commitment
    if existing is None:
        conn.execute(insert(c).values(agreement_id=str(agreement_id), **values))
    else:  # a released reservation taken up again
        conn.execute(update(c).where(c.c.agreement_id == str(agreement_id)).values(**values))
    return Reservation(str(agreement_id), offer_id, str(organisation_id), quantity, start, until,
                       store.COMMITMENT_ACTIVE)


def _same_or_conflict(existing, offer_id: str, quantity: Decimal, start: date, until: date) -> Reservation:
    reservation = _reservation(existing)
    if (reservation.offer_id, reservation.quantity, reservation.start, reservation.until) != \
            (offer_id, quantity, start, until):
        raise Conflict(f"agreement {reservation.agreement_id} already reserves {reservation.quantity:f} of offer "
                       f"{reservation.offer_id}; release it first", code="already_reserved")
    return reservation


def _reservation(row) -> Reservation:
    return Reservation(row["agreement_id"], row["offer_id"], row["organisation_id"], row["quantity"], row["start_on"],
                       row["until"], row["status"])


def release(conn: Connection, agreement_id: str) -> bool:
    """Release the agreement's reservation. False if it held none (or it was released before)."""
    c = store.matching_commitment
    result = conn.execute(
        update(c).where(c.c.agreement_id == str(agreement_id), c.c.status == store.COMMITMENT_ACTIVE)
        .values(status=store.COMMITMENT_RELEASED, updated_at=utcnow())
    )
    return result.rowcount > 0


def reservation(conn: Connection, agreement_id: str) -> Reservation | None:
    row = store.commitment(conn, str(agreement_id))
    return None if row is None else _reservation(row)
