"""The hub's matching view: candidates for a cross-border order, from the consolidated store only.

Everything here was built from events (offers, organisations, labels, agreements) or is the hub's own
state (parts it forwarded); no site database is read. A candidate is a published offer, open to
cross-border orders, of an active social enterprise, with a CPV code in the same CPV group (first three
digits) as one of the order's codes, on one of the order's sites (all sites when it names none).

Capacity before the deadline is the offer's weekly capacity from the day its lead time allows until
the deadline, less what active agreements overlapping that period and the hub's forwarded or accepted
parts hold (capacity.free: a commitment counts in full, so nothing is promised twice). What the lead
time costs is reported as `late_capacity`, to explain a shortfall by the deadline.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, and_, or_, select

from services.contracts import capacity  # the rule sites and the hub agree on (pure)
from services.hub.crossborder import store as crossborder_store
from services.hub.enquiries import store as enquiry_store
from services.hub.crossborder import geo
from services.hub.labels import store as label_store
from services.hub.register import store as register_store
from services.hub.crossborder.allocation import Candidate

GROUP_DIGITS = 3


@dataclass(frozen=True)
class OrderTerms:
    cpv_codes: list[str]
    deadline: date
    delivery_nuts3: str | None
    label_required: bool
    min_lot: int
    sites: list[str]


@dataclass(frozen=True)
class View:
    candidates: list[Candidate]
    names: dict[str, str]  # organisation id -> name (organisations, never persons)
    out_of_radius: int  # candidates left out because the delivery place is beyond their delivery radius


def candidates(conn: Connection, terms: OrderTerms, today: date, fallback_place: tuple[float, float],
               site_places: dict[str, tuple[float, float]]) -> View:
    place = geo.centroid(terms.delivery_nuts3) or fallback_place
    offers = _offers(conn, terms)
    held = crossborder_store.held_by_parts(conn, [o.id for o in offers])
    agreements = _agreements(conn, [o.id for o in offers], today)
    labelled = _labelled(conn, {(o.site, o.organisation_id) for o in offers}, terms.cpv_codes, today)
    found, names, out_of_radius = [], {}, 0
    for offer in offers:
        price = offer.price_max if offer.price_max is not None else offer.price_min
        if price is None or offer.capacity_per_week is None:
            continue
        org_place = (offer.lat, offer.lon) if offer.lat is not None and offer.lon is not None \
            else site_places.get(offer.site, fallback_place)
        distance = geo.distance_km(org_place, place)
        if offer.delivery_radius_km is not None and distance > offer.delivery_radius_km:
            out_of_radius += 1
            continue
        start = today + timedelta(days=offer.lead_time_days or 0)
        commitments = agreements.get(offer.id, [])
        free = capacity.free(offer.capacity_per_week, start, terms.deadline, commitments)
        units = max(0, math.floor(free) - held.get(offer.id, 0))
        late = max(0, math.floor(capacity.gross(offer.capacity_per_week, today, terms.deadline))
                   - math.floor(capacity.gross(offer.capacity_per_week, start, terms.deadline)))
        names[offer.organisation_id] = offer.name
        found.append(Candidate(
            offer_id=offer.id, organisation_id=offer.organisation_id, site=offer.site, capacity=units,
            unit_price=Decimal(price), currency=offer.currency, distance_km=round(distance, 1),
            labelled=(offer.site, offer.organisation_id) in labelled, min_lot=terms.min_lot, late_capacity=late,
        ))
    return View(found, names, out_of_radius)


def _offers(conn: Connection, terms: OrderTerms):
    o, org, codes = register_store.hub_offer, register_store.hub_organisation, register_store.hub_offer_cpv
    groups = sorted({c[:GROUP_DIGITS] for c in terms.cpv_codes})
    in_group = select(codes.c.offer_id).where(
        codes.c.site == o.c.site, codes.c.offer_id == o.c.id,
        or_(*[codes.c.cpv_code.like(f"{g}%") for g in groups])).exists()
    query = (
        select(o.c.site, o.c.id, o.c.organisation_id, o.c.capacity_per_week, o.c.lead_time_days, o.c.price_min,
               o.c.price_max, o.c.currency, o.c.delivery_radius_km, org.c.name, org.c.lat, org.c.lon)
        .join(org, and_(org.c.site == o.c.site, org.c.id == o.c.organisation_id))
        .where(o.c.status == "published", o.c.cross_border.is_(True), org.c.status == "active",
               org.c.kind == "social_enterprise", in_group)
        .order_by(o.c.site, o.c.id)
    )
    if terms.sites:
        query = query.where(o.c.site.in_(terms.sites))
    return list(conn.execute(query))


def _agreements(conn: Connection, offer_ids: list[str], today: date) -> dict[str, list[capacity.Commitment]]:
    """Active agreements of these offers still to be delivered: what they commit, from today to delivery."""
    if not offer_ids:
        return {}
    a = enquiry_store.hub_agreements
    rows = conn.execute(select(a.c.offer_id, a.c.quantity, a.c.delivery_date).where(
        a.c.offer_id.in_(offer_ids), a.c.status == "active", a.c.delivery_date >= today))
    found: dict[str, list[capacity.Commitment]] = {}
    for offer_id, quantity, delivery in rows:
        found.setdefault(offer_id, []).append(capacity.Commitment(Decimal(quantity), today, delivery))
    return found


def _labelled(conn: Connection, holders: set[tuple[str, str]], cpv_codes: list[str], today: date) -> set:
    """(site, organisation) pairs holding a label valid today for work in one of the order's CPV divisions."""
    if not holders:
        return set()
    lb, codes = label_store.hub_labels, label_store.hub_label_cpv
    divisions = sorted({c[:2] for c in cpv_codes})
    rows = conn.execute(
        select(lb.c.site, lb.c.holder_organisation_id)
        .join(codes, and_(codes.c.site == lb.c.site, codes.c.label_id == lb.c.id))
        .where(lb.c.status == label_store.VALID, lb.c.valid_until >= today,
               lb.c.holder_organisation_id.in_(sorted({org for _, org in holders})),
               or_(*[codes.c.cpv_code.like(f"{d}%") for d in divisions]))
    )
    return {(site, org) for site, org in rows} & holders
