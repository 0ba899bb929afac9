"""The deadline sweep behind `sopro tick`: open enquiries past their deadline expire.

One transaction per enquiry, re-checked under its row lock, so a concurrent change wins cleanly and
a second run finds nothing left to do (idempotent). With `site` (where the site's pages are and its
languages), the client's members are told in the same transaction (`notices.state_changed`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from services.common.uow import UnitOfWork
from services.enquiries.lifecycle import notices, store
from services.enquiries.lifecycle.transitions import EXPIRED, OPEN, Actor
from services.enquiries.lifecycle.handlers import end_agreements, facts, save

SYSTEM = Actor("sopro tick", system=True)


@dataclass(frozen=True)
class Expired:
    reference: str
    from_state: str
    deadline: object


def expire_overdue(new_uow: Callable[[], UnitOfWork], now: datetime, site=None) -> list[Expired]:
    with new_uow() as uow:
        candidates = store.overdue_enquiry_ids(uow.conn, now.date())
    done = []
    for enquiry_id in candidates:
        with new_uow() as uow:
            enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
            if enquiry.state not in OPEN or enquiry.deadline is None or enquiry.deadline >= now.date():
                continue  # changed since the sweep looked
            from_state = enquiry.state
            entry = enquiry.move(EXPIRED, SYSTEM, facts(uow.conn, enquiry.id, now), now,
                                 f"the deadline {enquiry.deadline} passed")
            end_agreements(uow.conn, uow, enquiry.id)
            save(uow, enquiry, entry)
            notices.state_changed(uow.conn, site, enquiry, entry, now)
            uow.commit()
            done.append(Expired(enquiry.reference, from_state, enquiry.deadline))
    return done
