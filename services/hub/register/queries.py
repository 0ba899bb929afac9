"""Queries of the public consolidated API over the registry's projection in `store`: organisations,
offers and case studies of every site, filtered and paged. Only what counts is shown: active
organisations, published offers of organisations not withdrawn, published case studies.

Organisations and offers page by cursor (`services.common.keyset`), in (name, site, id) and (title, site,
id) order along the indexes of `tallies`; their totals come from the tallies when only a site or a kind
narrows them, and are counted afresh (reading the matching rows) under a region, CPV or text filter. A
text filter reads every row of the list anyway (a substring search has no index).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, Table, and_, exists, func, or_, select

from services.common.db import containing, paged, starting_with
from services.common.keyset import KeysetPage, keyset_page
from services.hub.register import tallies
from services.hub.register.store import (
    CASE_STUDY_PUBLISHED, OFFER_PUBLISHED, ORGANISATION_ACTIVE, hub_case_study, hub_offer, hub_offer_cpv,
    hub_organisation, hub_organisation_profile,
)


@dataclass(frozen=True)
class Filters:
    """What a caller narrows a consolidated list by. Empty fields do not filter."""

    site: str | None = None
    kind: str | None = None  # organisation kind (of the offer's organisation, for offers)
    cpv: str | None = None  # CPV prefix: an offer with any code starting with it matches
    region: str | None = None  # NUTS prefix of the organisation's NUTS-3 region
    text: str | None = None  # free text, case-insensitive substring

    @property
    def tallied(self) -> bool:
        """Whether the tallies know the list's size (only a site or a kind narrows it)."""
        return not (self.cpv or self.region or self.text)


def _counted(conn: Connection, query: Select) -> int:
    return conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def _contains_text(text: str, *search_columns) -> ColumnElement[bool]:
    needle = text.casefold()
    return or_(*(containing(col, needle) for col in search_columns))


def _offer_has_cpv_prefix(prefix: str, site_col, offer_id_col) -> ColumnElement[bool]:
    return exists().where(
        hub_offer_cpv.c.site == site_col,
        hub_offer_cpv.c.offer_id == offer_id_col,
        starting_with(hub_offer_cpv.c.cpv_code, prefix),
    )


def visible_offer(offer: Table, organisation: Table) -> ColumnElement[bool]:
    # Published, and its organisation not withdrawn (an organisation not yet seen does not hide it).
    return and_(offer.c.status == OFFER_PUBLISHED,
                or_(organisation.c.status.is_(None), organisation.c.status == ORGANISATION_ACTIVE))


def list_organisations(conn: Connection, filters: Filters, page: int, per_page: int,
                       after: tuple | None = None) -> KeysetPage:
    org = hub_organisation
    query = select(org).where(org.c.status == ORGANISATION_ACTIVE)
    if filters.site:
        query = query.where(org.c.site == filters.site)
    if filters.kind:
        query = query.where(org.c.kind == filters.kind)
    if filters.region:
        query = query.where(starting_with(org.c.nuts3, filters.region))
    if filters.text:
        query = query.where(_contains_text(filters.text, org.c.search_text))
    if filters.cpv:
        # Organisations with at least one published offer in that CPV branch.
        query = query.where(exists().where(
            hub_offer.c.site == org.c.site, hub_offer.c.organisation_id == org.c.id,
            hub_offer.c.status == OFFER_PUBLISHED,
            _offer_has_cpv_prefix(filters.cpv, hub_offer.c.site, hub_offer.c.id),
        ))

    def total() -> int:
        if filters.tallied:
            return tallies.active_organisations(conn, filters.site, filters.kind)
        return _counted(conn, query)

    return keyset_page(conn, query, (org.c.name, org.c.site, org.c.id), per_page, after, page, total)


def _offers_with_organisation() -> Select:
    org, offer = hub_organisation, hub_offer
    joined = offer.outerjoin(org, and_(org.c.site == offer.c.site, org.c.id == offer.c.organisation_id))
    return (
        select(offer, org.c.name.label("organisation_name"), org.c.kind.label("organisation_kind"),
               org.c.nuts3.label("nuts3"))
        .select_from(joined)
        .where(visible_offer(offer, org))
    )


def list_offers(conn: Connection, filters: Filters, page: int, per_page: int,
                after: tuple | None = None) -> KeysetPage:
    org, offer = hub_organisation, hub_offer
    query = _offers_with_organisation()
    if filters.site:
        query = query.where(offer.c.site == filters.site)
    if filters.kind:
        query = query.where(org.c.kind == filters.kind)
    if filters.region:
        query = query.where(starting_with(org.c.nuts3, filters.region))
    if filters.cpv:
        query = query.where(_offer_has_cpv_prefix(filters.cpv, offer.c.site, offer.c.id))
    if filters.text:
        query = query.where(_contains_text(filters.text, offer.c.search_text, org.c.search_text))

    def total() -> int:
        if filters.tallied and not filters.kind:
            return tallies.visible_offers(conn, filters.site)
        return _counted(conn, query)

    return keyset_page(conn, query, (offer.c.title, offer.c.site, offer.c.id), per_page, after, page, total)


def get_organisation(conn: Connection, organisation_id: str) -> RowMapping | None:
    """The active organisation with that id (ids are UUIDs; the first site wins should two claim one)."""
    org = hub_organisation
    return conn.execute(
        select(org).where(org.c.id == organisation_id, org.c.status == ORGANISATION_ACTIVE)
        .order_by(org.c.site).limit(1)
    ).mappings().first()


def profile_of(conn: Connection, site: str, organisation_id: str) -> dict[str, str]:
    """{language: text} of the organisation's public profile; empty if it wrote none."""
    t = hub_organisation_profile
    return conn.execute(select(t.c.texts).where(t.c.site == site, t.c.id == organisation_id)).scalar() or {}


def offers_of(conn: Connection, site: str, organisation_id: str) -> list[RowMapping]:
    offer = hub_offer
    query = _offers_with_organisation().where(offer.c.site == site, offer.c.organisation_id == organisation_id)
    return list(conn.execute(query.order_by(offer.c.title, offer.c.id)).mappings())


def list_case_studies(conn: Connection, filters: Filters, year: int | None, page: int, per_page: int):
    cs = hub_case_study
    query = select(cs).where(cs.c.status == CASE_STUDY_PUBLISHED)
    if filters.site:
        query = query.where(cs.c.site == filters.site)
    if year is not None:
        query = query.where(cs.c.year == year)
    if filters.text:
        query = query.where(_contains_text(filters.text, cs.c.search_text))
    return paged(conn, query, (cs.c.year.desc(), cs.c.title, cs.c.site, cs.c.id), page, per_page)


def get_case_study(conn: Connection, case_study_id: str) -> RowMapping | None:
    cs = hub_case_study
    return conn.execute(
        select(cs).where(cs.c.id == case_study_id, cs.c.status == CASE_STUDY_PUBLISHED).order_by(cs.c.site).limit(1)
    ).mappings().first()
