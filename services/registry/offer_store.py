"""Offers in the registry's tables: loading, saving (with one row per CPV code), search."""
from __future__ import annotations

from sqlalchemy import Connection, exists, select

from services.common.db import Page, containing, starting_with
from services.registry.offers import Offer
from services.registry.persistence import load_row, replace_codes, save, search_text
from services.registry.rules import PUBLISHED
from services.registry.search import in_statuses, page_of
from services.registry.tables import offer, offer_cpv, organisation


def offer_from_row(row) -> Offer:
    return Offer(
        id=row.id, reference=row.reference, organisation_id=row.organisation_id, title=row.title,
        description=row.description, cpv_codes=list(row.cpv_codes), capacity_per_week=row.capacity_per_week,
        unit=row.unit, lead_time_days=row.lead_time_days, currency=row.currency, price_min=row.price_min,
        price_max=row.price_max, delivery_radius_km=row.delivery_radius_km, cross_border=row.cross_border,
        status=row.status, version=row.version,
    )


def load_offer(conn: Connection, id_: str, lock: bool = False) -> Offer:
    return offer_from_row(load_row(conn, offer, id_, "offer", lock))


def published_offers_of(conn: Connection, organisation_id: str) -> list[Offer]:
    rows = conn.execute(select(offer).where(offer.c.organisation_id == organisation_id,
                                            offer.c.status == PUBLISHED).order_by(offer.c.created_at))
    return [offer_from_row(r) for r in rows]


def save_offer(conn: Connection, o: Offer, expected_version: int) -> None:
    save(conn, offer, dict(
        id=o.id, reference=o.reference, organisation_id=o.organisation_id, title=o.title, description=o.description,
        cpv_codes=list(o.cpv_codes), capacity_per_week=o.capacity_per_week, unit=o.unit,
        lead_time_days=o.lead_time_days, price_min=o.price_min, price_max=o.price_max, currency=o.currency,
        delivery_radius_km=o.delivery_radius_km, cross_border=o.cross_border,
        search_text=search_text(o.title, o.description), status=o.status, version=o.version,
    ), expected_version)
    replace_codes(conn, offer_cpv, "offer_id", o.id, o.cpv_codes)


def search_offers(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(PUBLISHED,),
                  organisation_id: str | None = None, nuts: str | None = None, q: str | None = None,
                  cpv: str | None = None, cross_border: bool | None = None) -> Page:
    """`nuts`: the region of the offering organisation."""
    t = offer
    conditions = in_statuses(t, statuses)
    if organisation_id:
        conditions.append(t.c.organisation_id == organisation_id)
    if nuts:
        conditions.append(exists().where(organisation.c.id == t.c.organisation_id,
                                         starting_with(organisation.c.nuts3, nuts)))
    if q:
        conditions.append(containing(t.c.search_text, q.casefold()))
    if cpv:
        conditions.append(exists().where(offer_cpv.c.offer_id == t.c.id, starting_with(offer_cpv.c.code, cpv)))
    if cross_border is not None:
        conditions.append(t.c.cross_border == cross_border)
    return page_of(conn, t, conditions, page, per_page, offer_from_row)
