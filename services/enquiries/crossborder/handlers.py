"""Use cases of the site's cross-border part. Each runs in one unit of work: state and events together.

A forwarded part's use cases take the acting `PartActor` (services.enquiries.crossborder.access): a
member acts on its own organisation's parts only, and the check is made here, under the part's lock.
Capacity follows the part as it follows a local agreement: reserved on acceptance, released when the
part stops running (delivered, failed, withdrawn).

Answers to a forwarded part carry the flow's correlation id and name the hub's message as their cause,
so the hub, the origin site and this site can trace one order through every step.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Callable, Mapping

from services.common.errors import Conflict
from services.common.uow import UnitOfWork
from services.enquiries.crossborder import store
from services.enquiries.crossborder.access import PartActor, require_access
from services.enquiries.crossborder.model import ForwardedPart, RequestTerms, request_terms
from services.enquiries.crossborder.production import Delivery, ImpactFigures
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


def accept_part(uow: UnitOfWork, part_id: str, by: PartActor, now: datetime, note: str | None = None,
                ) -> ForwardedPart:
    """Accept on the social enterprise's behalf: its capacity is reserved from today to the deadline.
    A part accepted before is returned as it is (the repeated answer is absorbed)."""
    def accept(part: ForwardedPart) -> bool:
        if not part.accept(by.subject, now, note):
            return False
        try:
            matching.reserve(uow.conn, part.id, part.organisation_id, part.offer_id, part.quantity,
                             until=part.deadline, start=now.date())
        except Conflict as exc:
            raise Conflict(f"{exc.message}; decline the part instead", exc.errors, code=exc.code) from None
        return True

    return _change(uow, part_id, by, accept)


def decline_part(uow: UnitOfWork, part_id: str, by: PartActor, now: datetime, reason_code: str,
                 note: str | None = None) -> ForwardedPart:
    """Decline with a code of services.contracts.reasons.DECLINE_REASONS; the hub re-allocates the part."""
    return _change(uow, part_id, by, lambda part: part.decline(by.subject, now, reason_code, note))


def start_production(uow: UnitOfWork, part_id: str, by: PartActor, now: datetime) -> ForwardedPart:
    return _change(uow, part_id, by, lambda part: part.start_production(now))


def record_delivery(uow: UnitOfWork, part_id: str, by: PartActor, now: datetime, delivery: Delivery, *,
                    rates_to_eur: Mapping[str, Decimal]) -> ForwardedPart:
    """A partial or the last delivery; the last one records the part's impact and releases its capacity.
    A delivery whose caller-chosen id was recorded before is absorbed (the part is returned as it is)."""
    return _change(uow, part_id, by, lambda part: part.record_delivery(
        delivery, id=delivery.id or lifecycle.new_id(), by=by.subject, now=now, rates_to_eur=rates_to_eur))


def withdraw_part(uow: UnitOfWork, part_id: str, by: PartActor, now: datetime, note: str | None = None, *,
                  rates_to_eur: Mapping[str, Decimal]) -> ForwardedPart:
    """The social enterprise gives up an accepted part: it fails (se_withdrew) and its capacity is freed."""
    return _change(uow, part_id, by, lambda part: part.withdraw_by_se(now, rates_to_eur, note))


def close_short(uow: UnitOfWork, part_id: str, by: PartActor, now: datetime, note: str | None = None,
                figures: ImpactFigures | None = None, *, rates_to_eur: Mapping[str, Decimal]) -> ForwardedPart:
    """The SE delivered some units and no more will come: the part fails (delivered_short) with the
    impact of what was delivered."""
    return _change(uow, part_id, by, lambda part: part.close_short(now, rates_to_eur, note, figures))


def _change(uow: UnitOfWork, part_id: str, by: PartActor, change: Callable[[ForwardedPart], bool | None],
            ) -> ForwardedPart:
    """Load the part under its row lock, check who acts, apply `change`; save it with its events, unless
    `change` says (False) that nothing happened."""
    with uow:
        part = store.load_part(uow.conn, part_id, lock=True)
        require_access(by, part)
        if change(part) is not False:
            save(uow, part)
            uow.commit()
    return part


def save(uow: UnitOfWork, part: ForwardedPart) -> None:
    """The part, its events (traced to the hub's forward), and its capacity released once the part no
    longer runs: delivered, failed, declined or withdrawn (a release without a reservation does nothing)."""
    store.save_part(uow.conn, part)
    if not part.holds_capacity:
        matching.release(uow.conn, part.id)
    uow.correlation_id, uow.causation_id = part.correlation_id, part.forwarded_event_id
    uow.record(part)
