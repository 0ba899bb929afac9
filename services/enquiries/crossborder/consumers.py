"""What a site does with the hub's directed messages (queue `<SITE>.inbox`, routing keys `to.<SITE>.#`).

- `hub.part.forwarded`: a new part for the brokers' queue. Keyed by the hub's part id: a duplicate
  delivery (or the same part replayed) finds it there and changes nothing.
- `hub.part.withdrawn`: the order was cancelled; a pending or running part is withdrawn and the
  capacity it reserved is released.
  Both come as version 2 (the reason a code with parameters) or, published before the upgrade, version 1
  (the reason an English sentence, kept as a plain string and shown as it is); either is stored as JSON.
- `hub.consortium.updated` / `.agreed`: the picture of this site's own order; the newest wins and
  moves the enquiry on (agreed, in production, delivered).
A new part, an answered part, a consortium agreed or short is mailed to the people concerned in the same
transaction (`notices`: the target's brokers and the social enterprise's members, the origin's brokers).
"""
from __future__ import annotations

import functools
import logging
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection

from services.common.clock import utcnow
from services.common.envelope import Envelope
from services.common.errors import NotFound
from services.enquiries.crossborder import notices, origin_handlers, store
from services.enquiries.crossborder.model import ForwardedPart
from services.enquiries.matching import service as matching
from services.contracts.events import hub  # the hub's event contract (dataclasses and schemas; no store)
from services.web.notify import MailSite

log = logging.getLogger("sopro.enquiries.crossborder")


def on_part_forwarded(conn: Connection, env: Envelope, mail_site: MailSite | None = None) -> None:
    d = env.data
    part = ForwardedPart(
        id=str(d["part_id"]), order_id=str(d["order_id"]), origin_site=d["origin_site"],
        correlation_id=env.correlation_id or str(env.id), forwarded_event_id=str(env.id),
        enquiry_reference=d["enquiry_reference"], title=d["title"], type=d["type"], cpv_codes=list(d["cpv_codes"]),
        offer_id=str(d["offer_id"]), organisation_id=str(d["organisation_id"]), quantity=d["quantity"],
        unit=d["unit"], unit_price=Decimal(d["unit_price"]), currency=d["currency"],
        deadline=date.fromisoformat(d["deadline"]), delivery_nuts3=d["delivery_nuts3"],
        label_required=d["label_required"], reason=d["reason"], received_at=utcnow(),
    )
    if not store.add_part(conn, part):
        log.info("part %s was forwarded before; duplicate %s absorbed", part.id, env.id)
        return
    notices.part_arrived(conn, part, mail_site or notices.mail_site(env.to), part.received_at)


def on_part_withdrawn(conn: Connection, env: Envelope) -> None:
    try:
        part = store.load_part(conn, str(env.data["part_id"]), lock=True)
    except NotFound:  # withdrawn before its forward arrived: nothing to withdraw
        log.warning("hub withdrew part %s, which this site never received", env.data["part_id"])
        return
    if part.withdraw(env.data["reason"], utcnow()):
        matching.release(conn, part.id)
        store.save_part(conn, part)
    else:
        log.info("hub withdrew part %s, which is %s already; nothing to withdraw", part.id, part.status)


def on_consortium(conn: Connection, env: Envelope, mail_site: MailSite | None = None) -> None:
    """The hub's picture of this site's own order, version 1 or 2: kept if it is the newest, and followed
    (the client-facing agreement, the enquiry's moves: origin_handlers)."""
    money, before, now = origin_handlers.site_money(env.to), notices.picture_before(conn, env), utcnow()
    mail_site = mail_site or notices.mail_site(env.to)
    origin_handlers.follow_consortium(conn, env, money, now, mail_site)
    notices.consortium_news(conn, env, before, money.rates_to_eur, mail_site, now)


def handlers(mail_site: MailSite | None = None) -> dict:
    """The handlers, their mails linking to `mail_site` (the runtime's own address and languages); None:
    the site's entry in the federation file the process runs with (`notices.mail_site`)."""
    forwarded = functools.partial(on_part_forwarded, mail_site=mail_site)
    consortium = functools.partial(on_consortium, mail_site=mail_site)
    return {
        hub.PartForwarded.TYPE: forwarded,
        hub.PartWithdrawn.TYPE: on_part_withdrawn,
        hub.ConsortiumUpdated.TYPE: consortium,
        hub.ConsortiumAgreed.TYPE: consortium,
    }


HANDLERS = handlers()


def binding_keys(site_id: str) -> list[str]:
    """Directed messages are routed as `to.<site>.<type>`: everything addressed to this site."""
    return [f"to.{site_id}.#"]
