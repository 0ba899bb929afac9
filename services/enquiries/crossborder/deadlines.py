"""The deadline sweep behind `sopro tick` for forwarded parts: an accepted part, or one in production,
whose deadline has passed with units missing fails with the cause `deadline_missed`; the impact of
what was delivered is recorded and the capacity released (`handlers.save`).

One transaction per part, re-checked under its row lock, so a delivery recorded meanwhile wins cleanly
and a second run finds nothing left to do (idempotent).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Callable, Mapping

from services.common.uow import UnitOfWork
from services.enquiries.crossborder import handlers, store
from services.enquiries.crossborder.model import ForwardedPart


def fail_overdue_parts(new_uow: Callable[[], UnitOfWork], now: datetime,
                       rates_to_eur: Mapping[str, Decimal]) -> list[ForwardedPart]:
    with new_uow() as uow:
        candidates = store.overdue_part_ids(uow.conn, now.date())
    failed = []
    for part_id in candidates:
        with new_uow() as uow:
            part = store.load_part(uow.conn, part_id, lock=True)
            if part.miss_deadline(now, rates_to_eur):
                handlers.save(uow, part)
                uow.commit()
                failed.append(part)
    return failed
