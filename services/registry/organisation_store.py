"""Organisations in the registry's tables: loading, saving, the registration number's uniqueness, search."""
from __future__ import annotations

from sqlalchemy import Connection, exists, select

from services.common.db import Page, containing, starting_with
from services.registry.organisations import Address, ContactPerson, Coordinates, Organisation, registration_key
from services.registry.persistence import load_row, save, search_text
from services.registry.rules import ACTIVE, PUBLISHED
from services.registry.search import in_statuses, page_of
from services.registry.tables import offer, offer_cpv, organisation


def organisation_from_row(row) -> Organisation:
    return Organisation(
        id=row.id, reference=row.reference, kind=row.kind, name=row.name, registration_number=row.registration_number,
        address=Address(row.street, row.postcode, row.town, row.country), nuts3=row.nuts3,
        coordinates=Coordinates(row.lat, row.lon) if row.lat is not None else None,
        labour_market_segment=row.labour_market_segment, workers_in_integration=row.workers_in_integration,
        website=row.website,
        contact=ContactPerson(row.contact_name, row.contact_email, row.contact_phone) if row.contact_name else None,
        status=row.status, version=row.version,
    )


def load_organisation(conn: Connection, id_: str, lock: bool = False) -> Organisation:
    return organisation_from_row(load_row(conn, organisation, id_, "organisation", lock))


def registration_taken(conn: Connection, key: str, other_than: str | None = None) -> bool:
    query = select(organisation.c.id).where(organisation.c.registration_key == key)
    if other_than:
        query = query.where(organisation.c.id != other_than)
    return conn.execute(query).first() is not None


def save_organisation(conn: Connection, org: Organisation, expected_version: int) -> None:
    contact = org.contact or ContactPerson(None)
    save(conn, organisation, dict(
        id=org.id, reference=org.reference, kind=org.kind, name=org.name, registration_number=org.registration_number,
        registration_key=org.registration_key, street=org.address.street, postcode=org.address.postcode,
        town=org.address.town, country=org.address.country, nuts3=org.nuts3,
        lat=org.coordinates.lat if org.coordinates else None, lon=org.coordinates.lon if org.coordinates else None,
        labour_market_segment=org.labour_market_segment, workers_in_integration=org.workers_in_integration,
        website=org.website, contact_name=contact.name, contact_email=contact.email, contact_phone=contact.phone,
        search_text=search_text(org.name, org.address.town), status=org.status, version=org.version,
    ), expected_version)


def search_organisations(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(ACTIVE,),
                         kind: str | None = None, nuts: str | None = None, q: str | None = None,
                         cpv: str | None = None, registration: str | None = None) -> Page:
    """`cpv`: organisations with a published offer under that CPV prefix; `registration`: part of the
    registration number, however it is spaced or cased."""
    t = organisation
    conditions = in_statuses(t, statuses)
    if kind:
        conditions.append(t.c.kind == kind)
    if nuts:
        conditions.append(starting_with(t.c.nuts3, nuts))
    if q:
        conditions.append(containing(t.c.search_text, q.casefold()))
    if registration:
        conditions.append(containing(t.c.registration_key, registration_key(registration)))
    if cpv:
        conditions.append(exists().where(offer.c.organisation_id == t.c.id, offer.c.status == PUBLISHED,
                                         offer_cpv.c.offer_id == offer.c.id, starting_with(offer_cpv.c.code, cpv)))
    return page_of(conn, t, conditions, page, per_page, organisation_from_row)
