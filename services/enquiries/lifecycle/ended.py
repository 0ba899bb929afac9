"""Ended enquiries (closed, cancelled, expired) for the brokers' archive: searched by reference or title,
newest end first. The board shows the open ones by state; these would swamp it.

The date an enquiry ended is its last transition's, from the audit trail (no column of its own).
"""
from __future__ import annotations

import marshmallow as ma
from sqlalchemy import Connection, func, or_, select

from services.common.api import PageQuery
from services.common.db import Page, containing, paged
from services.contracts.fields import Line
from services.enquiries.lifecycle.tables import enquiry, transition
from services.enquiries.lifecycle.transitions import CANCELLED, CLOSED, EXPIRED

ENDED_STATES = (CLOSED, CANCELLED, EXPIRED)
PER_PAGE = 25


class EndedQuery(PageQuery):
    """The archive's search: a piece of the reference or the title, and an ended state."""

    q = Line(100)
    state = ma.fields.String(validate=ma.validate.OneOf(ENDED_STATES))
    per_page = ma.fields.Integer(load_default=PER_PAGE, validate=ma.validate.Range(min=1, max=100))


def search_ended(conn: Connection, *, q: str | None = None, state: str | None = None, page: int = 1,
                 per_page: int = PER_PAGE) -> Page:
    """Rows of id, reference, title, state and ended_at; `q` matches case-insensitively."""
    ended_at = (select(func.max(transition.c.at)).where(transition.c.enquiry_id == enquiry.c.id)
                .scalar_subquery().label("ended_at"))
    query = select(enquiry.c.id, enquiry.c.reference, enquiry.c.title, enquiry.c.state, ended_at).where(
        enquiry.c.state.in_((state,) if state else ENDED_STATES))
    if q:
        needle = q.lower()
        query = query.where(or_(containing(func.lower(enquiry.c.reference), needle),
                                containing(func.lower(enquiry.c.title), needle)))
    return paged(conn, query, (ended_at.desc(), enquiry.c.reference.desc()), page, per_page)
