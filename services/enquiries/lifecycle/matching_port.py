"""The narrow call site into the matching part: shortlist, reserve and release, and who acts as a social
enterprise (`social_enterprise`, `offers_own`). Nothing else here knows how matching works; each call runs
in the caller's transaction."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Connection

from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.matching import service
from services.enquiries.matching.standing import SocialEnterprise, offers_own, social_enterprise

__all__ = ["shortlist", "reserve", "release", "SocialEnterprise", "social_enterprise", "offers_own"]


def shortlist(conn: Connection, enquiry: Enquiry, today: date, limit: int = 10):
    request = service.MatchRequest(
        cpv_codes=tuple(enquiry.cpv_codes), today=today, quantity=enquiry.quantity, unit=enquiry.unit,
        deadline=enquiry.deadline, delivery_lat=enquiry.delivery.lat, delivery_lon=enquiry.delivery.lon,
        delivery_nuts3=enquiry.delivery.nuts3, label_required=enquiry.label_required,
    )
    return service.shortlist(conn, request, limit=limit)


def reserve(conn: Connection, agreement_id: str, organisation_id: str, offer_id: str, quantity: Decimal,
            start: date, until: date) -> None:
    """Conflict (409) when the offer has not that much free capacity in the period."""
    service.reserve(conn, agreement_id, organisation_id, offer_id, quantity, until, start)


def release(conn: Connection, agreement_id: str) -> None:
    service.release(conn, agreement_id)
