"""Once, after the upgrade that brought public versions of an enquiry's text: every published enquiry
publishes what may leave the site now (`sopro enquiries republish`).

Before that upgrade, events carried the title as the client typed it, so the hub (and, cross-border,
other sites) may still hold a name or an address in it. A new `EnquiryChanged` carries the approved
public title or the placeholder, with a newer aggregate version, and overwrites it wherever it went.
One transaction per enquiry, so an interrupted run is simply run again.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import select

from services.common.uow import UnitOfWork
from services.enquiries.lifecycle import store
from services.enquiries.lifecycle.handlers import save
from services.enquiries.lifecycle.tables import enquiry


def republish_shared_texts(new_uow: Callable[[], UnitOfWork]) -> int:
    """Every submitted enquiry publishes its shareable title again; the number republished."""
    with new_uow() as uow:
        ids = list(uow.conn.execute(select(enquiry.c.id).where(enquiry.c.submitted_at.is_not(None))
                                    .order_by(enquiry.c.id)).scalars())
    for enquiry_id in ids:
        with new_uow() as uow:
            loaded = store.load_enquiry(uow.conn, enquiry_id, lock=True)
            loaded.publish_shared_text()
            save(uow, loaded)
            uow.commit()
    return len(ids)
