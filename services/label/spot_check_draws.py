"""The yearly spot-check draw as a use case: draw from this site's valid labels, record the draw, audit it,
and open a spot-check re-assessment of every label drawn (an application of purpose "spot_check" in the
assessors' queue), all in one transaction. One draw per year: a second is a 409.

The queries of the draws' table live here, beside the one use case that writes it.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.errors import Conflict
from services.common.uow import UnitOfWork
from services.label import handlers, model as m, notices, spot_checks, store
from services.web.notify import MailSite



@dataclass(frozen=True)
class RecordedDraw(spot_checks.Draw):
    drawn_by: str
    drawn_at: datetime
    applications: dict  # label number -> the id of the spot-check application opened for it


def audit_id(year: int) -> str:
    return f"spot-checks-{year}"


def population(conn: Connection) -> list[str]:
    """This site's valid labels, sorted by number, except those whose spot check from an earlier draw is still
    undecided (a label is checked once at a time)."""
    app = store.application
    under_way = select(app.c.label_number).where(app.c.purpose == "spot_check", app.c.status.in_(m.OPEN),
                                                 app.c.label_number.is_not(None))
    rows = conn.execute(select(store.label.c.number).where(store.label.c.status == "valid",
                                                           store.label.c.number.not_in(under_way))
                        .order_by(store.label.c.number)).all()
    return [r.number for r in rows]


def draw_exists(conn: Connection, year: int) -> bool:
    t = store.spot_check_draw
    return conn.execute(select(t.c.id).where(t.c.year == year)).first() is not None


def draws(conn: Connection) -> list[RecordedDraw]:
    """Every year's draw, the latest first, with the applications its audit step names."""
    t = store.spot_check_draw
    found = []
    for row in conn.execute(select(t).order_by(t.c.year.desc())).all():
        opened = {}
        for step in store.audit_trail(conn, [audit_id(row.year)]):
            opened.update((step["details"] or {}).get("applications") or {})
        found.append(RecordedDraw(year=row.year, seed=row.seed, share=Decimal(row.share), population=list(row.population),
                                  drawn=list(row.drawn), drawn_by=row.drawn_by, drawn_at=row.drawn_at,
                                  applications=opened))
    return found


def draw_spot_checks(uow: UnitOfWork, year: int, seed: str | None, actor: str, share: Decimal,
                     today: date, mail: MailSite | None = None) -> RecordedDraw:
    """`seed` None: a random one, recorded with the draw (so the draw can still be replayed). `mail`: the
    holders of the labels drawn are told in the same transaction (notices.spot_check_drawn)."""
    seed = seed or secrets.token_hex(16)
    with uow:
        if draw_exists(uow.conn, year):
            raise Conflict(f"the spot checks of {year} have been drawn already", {"year": ["drawn already"]},
                           code="already_drawn")
        numbers = population(uow.conn)
        drawn = spot_checks.draw(numbers, share, seed)
        now = utcnow()
        try:
            uow.conn.execute(insert(store.spot_check_draw).values(
                id=str(uuid.uuid4()), year=year, seed=seed, share=share, population=numbers, drawn=drawn,
                drawn_by=actor, drawn_at=now))
        except IntegrityError:  # another draw of the year committed first
            raise Conflict(f"the spot checks of {year} have been drawn already", {"year": ["drawn already"]},
                           code="already_drawn") from None
        opened = {}
        for number in drawn:
            app = handlers.open_reassessment(uow.conn, number, "spot_check", actor, today)
            notices.spot_check_drawn(uow.conn, mail, app, now)
            opened[number] = app.id
        store.audit_step(uow.conn, "spot_check", audit_id(year), "drawn", actor, None, {
            "seed": seed, "share": str(share), "population": len(numbers), "drawn": drawn, "applications": opened})
        uow.commit()
    return RecordedDraw(year=year, seed=seed, share=share, population=numbers, drawn=drawn, drawn_by=actor,
                        drawn_at=now, applications=opened)
