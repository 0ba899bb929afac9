"""The narrow call site into the matching part: shortlist, reserve and release, who acts as a social
enterprise (`social_enterprise`, `offers_own`), and whom an enquiry alert tells (`fitting_enterprises`).
Nothing else here knows how matching works; each call runs in the caller's transaction."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Connection

from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.matching import alerts, service
from services.enquiries.matching.standing import SocialEnterprise, offers_own, social_enterprise

__all__ = ["shortlist", "reserve", "release", "SocialEnterprise", "social_enterprise", "offers_own",
           "fitting_enterprises", "Fit"]
Fit = alerts.Fit


def _request(enquiry: Enquiry, today: date) -> service.MatchRequest:
    return service.MatchRequest(
        cpv_codes=tuple(enquiry.cpv_codes), today=today, quantity=enquiry.quantity, unit=enquiry.unit,
        deadline=enquiry.deadline, delivery_lat=enquiry.delivery.lat, delivery_lon=enquiry.delivery.lon,
        delivery_nuts3=enquiry.delivery.nuts3, label_required=enquiry.label_required,
    )


def shortlist(conn: Connection, enquiry: Enquiry, today: date, limit: int = 10):
    return service.shortlist(conn, _request(enquiry, today), limit=limit)


def fitting_enterprises(conn: Connection, enquiry: Enquiry, today: date) -> list[alerts.Fit]:
    """The site's social enterprises whose offers fit the enquiry by CPV, region, capacity and label, one
    `Fit` each (its best offer, and why); the enquiry's own client is left out."""
    return alerts.fitting(conn, _request(enquiry, today), exclude_organisation=enquiry.client.organisation_id)


def reserve(conn: Connection, agreement_id: str, organisation_id: str, offer_id: str, quantity: Decimal,
            start: date, until: date) -> None:
    """Conflict (409) when the offer has not that much free capacity in the period."""
    service.reserve(conn, agreement_id, organisation_id, offer_id, quantity, until, start)


def release(conn: Connection, agreement_id: str) -> None:
    service.release(conn, agreement_id)
