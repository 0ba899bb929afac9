"""Use cases of the site's cross-border part. Each runs in one unit of work: state and events together.

Answers to a forwarded part carry the flow's correlation id and name the hub's message as their cause,
so the hub, the origin site and this site can trace one order through every step.
"""
from __future__ import annotations

from datetime import datetime

from services.common.errors import Conflict
from services.common.uow import UnitOfWork
from services.enquiries.crossborder import store
from services.enquiries.crossborder.model import ForwardedPart, RequestTerms, request_terms
from services.enquiries.lifecycle import handlers as lifecycle, store as enquiry_store
from services.enquiries.matching import service as matching


def request_consortium(uow: UnitOfWork, enquiry_id: str, terms: RequestTerms, member_sites: set[str]):
    """A broker asks the hub to compose a consortium for the enquiry."""
    with uow:
        enquiry = enquiry_store.load_enquiry(uow.conn, enquiry_id, lock=True)
        request = request_terms(enquiry, terms, member_sites)
        enquiry.flag_cross_border(request)
        lifecycle.save(uow, enquiry)
        uow.commit()
    return request


def accept_part(uow: UnitOfWork, part_id: str, by: str, now: datetime, note: str | None = None) -> ForwardedPart:
    """Accept on the social enterprise's behalf: its capacity is reserved from today to the deadline.
    A part accepted before is returned as it is (the repeated answer is absorbed)."""
    with uow:
        part = store.load_part(uow.conn, part_id, lock=True)
        if part.accept(by, now, note):
            try:
                matching.reserve(uow.conn, part.id, part.organisation_id, part.offer_id, part.quantity,
                                 until=part.deadline, start=now.date())
            except Conflict as exc:
                raise Conflict(f"{exc.message}; decline the part instead", exc.errors, code=exc.code) from None
            _save(uow, part)
            uow.commit()
    return part


def decline_part(uow: UnitOfWork, part_id: str, by: str, now: datetime, reason: str) -> ForwardedPart:
    with uow:
        part = store.load_part(uow.conn, part_id, lock=True)
        if part.decline(by, now, reason):
            _save(uow, part)
            uow.commit()
    return part


def _save(uow: UnitOfWork, part: ForwardedPart) -> None:
    store.save_part(uow.conn, part)
    uow.correlation_id, uow.causation_id = part.correlation_id, part.forwarded_event_id
    uow.record(part)
