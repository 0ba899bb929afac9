"""Cross-border large orders at the hub: compose a consortium, forward its parts, follow the answers.

The flow (DESIGN.md §3 directed messages, all through the hub's outbox):

1. A site publishes `enquiries.enquiry.cross_border_requested`. The hub creates the order, allocates it
   over its matching view (`matching_view`, `allocation`) and sends `hub.part.forwarded` to the site of
   each chosen social enterprise, and `hub.consortium.updated` to the origin site.
2. A target site answers with `enquiries.part.accepted` or `enquiries.part.declined` (facts on its own
   stream). A decline re-allocates what is missing among the remaining candidates; parts already
   forwarded or accepted keep their capacity.
3. When every part is accepted and together they make up the order, `hub.consortium.agreed` goes to
   the origin site.

Each step runs inside the ingest transaction that tracks the incoming event, so a crash rolls the
allocation, its parts and its messages back together and the redelivered event starts it again: no
capacity is counted twice, no part is forwarded twice. Every message carries the request's
correlation id and names the event that caused it.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Callable

from sqlalchemy import Connection

from services.common import outbox
from services.common.clock import utcnow
from services.common.config import Settings
from services.common.envelope import Envelope
from services.common.events import Recorded
from services.contracts.events import enquiries
from services.hub.crossborder import store as crossborder_store
from services.contracts.events import hub as hub_events
from services.hub.crossborder import matching_view
from services.hub.crossborder.allocation import Order, Shortfall, allocate

log = logging.getLogger("sopro.hub.crossborder")

Handler = Callable[[Connection, Envelope], None]


class PartAnswerRejected(Exception):
    """An answer the hub cannot take: an unknown part, or a site answering for another site's part.
    Raised inside the ingest transaction, so the message is dead-lettered with this reason."""


@dataclass(frozen=True)
class CostModel:
    """What a partner costs beyond its price: transport per unit and km, and a fixed cost per partner."""

    transport_eur_per_unit_km: Decimal = Decimal("0.001")
    partner_fixed_eur: Decimal = Decimal("150")
    time_limit_seconds: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "CostModel":
        given = settings.federation.consortium
        defaults = cls()
        return cls(
            transport_eur_per_unit_km=Decimal(str(given.get("transport_eur_per_unit_km",
                                                            defaults.transport_eur_per_unit_km))),
            partner_fixed_eur=Decimal(str(given.get("partner_fixed_eur", defaults.partner_fixed_eur))),
            time_limit_seconds=float(given.get("time_limit_seconds", defaults.time_limit_seconds)),
        )


class CrossBorder:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utcnow):
        federation = settings.federation
        self.hub_site = settings.site.id
        self.rates = federation.rates_to_eur
        self.costs = CostModel.from_settings(settings)
        self.site_places = {s.id: (s.lat, s.lon) for s in federation.sites.values()}
        self.clock = clock

    def handlers(self, apply_enquiry: Handler) -> dict[str, Handler]:
        """The cross-border handlers; `apply_enquiry` is the consolidated store's, which an enquiry change
        still goes through before the hub looks at what it means for an order."""

        def on_enquiry_changed(conn: Connection, env: Envelope) -> None:
            apply_enquiry(conn, env)
            self.on_enquiry_changed(conn, env)

        return {
            enquiries.CrossBorderRequested.TYPE: self.on_request,
            enquiries.PartAccepted.TYPE: self.on_answer,
            enquiries.PartDeclined.TYPE: self.on_answer,
            enquiries.EnquiryChanged.TYPE: on_enquiry_changed,
        }

    # --- 1. a site asks for a consortium --------------------------------------------------------------

    def on_request(self, conn: Connection, env: Envelope) -> None:
        data = env.data
        if crossborder_store.order_for_enquiry(conn, env.site, str(data["enquiry_id"])) is not None:
            log.info("%s enquiry %s already has a cross-border order; request %s ignored",
                     env.site, data["enquiry_id"], env.id)
            return
        now = self.clock()
        order = {
            "id": str(uuid.uuid4()), "origin_site": env.site, "enquiry_id": str(data["enquiry_id"]),
            "correlation_id": env.correlation_id or str(env.id), "reference": data["reference"],
            "title": data["title"], "type": data["type"], "client_kind": data["client_kind"],
            "cpv_codes": list(data["cpv_codes"]), "quantity": data["quantity"], "unit": data["unit"],
            "deadline": date.fromisoformat(data["deadline"]), "delivery_nuts3": data["delivery_nuts3"],
            "budget": None if data["budget"] is None else Decimal(data["budget"]), "currency": data["currency"],
            "label_required": data["label_required"], "max_partners": data["max_partners"],
            "min_lot": data["min_lot"], "sites": list(data["sites"]), "status": crossborder_store.ORDER_FORWARDED, "version": 0,
            "allocation": {"rounds": []}, "created_at": now, "updated_at": now,
        }
        crossborder_store.add_order(conn, order)
        self._allocate(conn, env, order, [], now)

    # --- 2. a site answers for a part ---------------------------------------------------------------

    def on_answer(self, conn: Connection, env: Envelope) -> None:
        answer = env.data["status"]
        part = crossborder_store.part(conn, str(env.data["part_id"]), lock=True)
        if part is None:
            raise PartAnswerRejected(f"{env.site} answered for part {env.data['part_id']}, which the hub never forwarded")
        if part["site"] != env.site:
            raise PartAnswerRejected(f"{env.site} answered for part {part['id']} of site {part['site']}")
        if part["status"] != crossborder_store.FORWARDED:
            # The same answer again (a retry), or an answer to a part withdrawn meanwhile: nothing changes.
            log.info("part %s is %s; %s answer %s changes nothing", part["id"], part["status"], answer, env.id)
            return
        order = crossborder_store.order(conn, part["order_id"], lock=True)
        now = self.clock()
        crossborder_store.update_part(conn, part["id"], status=answer, answer=env.data["reason"], answered_at=now,
                       version=part["version"] + 1)
        parts = crossborder_store.parts(conn, order["id"])
        if answer == crossborder_store.DECLINED and order["status"] != crossborder_store.ORDER_CANCELLED:
            self._allocate(conn, env, dict(order), parts, now)
        else:
            self._publish_consortium(conn, env, dict(order), parts, None, now)

    # --- 3. the origin cancels ----------------------------------------------------------------------

    def on_enquiry_changed(self, conn: Connection, env: Envelope) -> None:
        """A cancelled or expired enquiry withdraws its order's open parts (an agreed one stays agreed)."""
        if env.data["state"] not in ("cancelled", "expired"):
            return
        found = crossborder_store.order_for_enquiry(conn, env.site, str(env.data["enquiry_id"]))
        if found is None or found["status"] in (crossborder_store.ORDER_AGREED, crossborder_store.ORDER_CANCELLED):
            return
        order = dict(crossborder_store.order(conn, found["id"], lock=True))
        now = self.clock()
        for part in crossborder_store.parts(conn, order["id"]):
            if part["status"] in crossborder_store.ACTIVE_PARTS:
                crossborder_store.update_part(conn, part["id"], status=crossborder_store.WITHDRAWN, version=part["version"] + 1)
                message = hub_events.PartWithdrawn(part_id=part["id"], order_id=order["id"],
                                                   reason=f"the enquiry {order['reference']} was {env.data['state']}")
                self._send(conn, env, order, Recorded(message, part["id"], part["version"] + 1), to=part["site"])
        order["status"] = crossborder_store.ORDER_CANCELLED
        self._publish_consortium(conn, env, order, crossborder_store.parts(conn, order["id"]), None, now)

    # --- allocation and messages --------------------------------------------------------------------

    def _allocate(self, conn: Connection, env: Envelope, order: dict, parts: list, now: datetime) -> None:
        """Allocate what active parts don't cover yet, forward the new parts, and tell the origin."""
        crossborder_store.lock_allocations(conn)  # before reading what capacity other orders' parts hold
        active = [p for p in parts if p["status"] in crossborder_store.ACTIVE_PARTS]
        remaining = order["quantity"] - sum(p["quantity"] for p in active)
        allocation = None
        if remaining > 0:
            terms = matching_view.OrderTerms(order["cpv_codes"], order["deadline"], order["delivery_nuts3"],
                                             order["label_required"], order["min_lot"], order["sites"])
            view = matching_view.candidates(conn, terms, now.date(), self.site_places[order["origin_site"]],
                                            self.site_places)
            partners_left = order["max_partners"] - len(active)
            exclude = {p["offer_id"] for p in parts}  # a declined SE is not asked again; active ones already hold theirs
            if partners_left > 0:
                allocation = allocate(
                    Order(quantity=remaining, label_required=order["label_required"], max_partners=partners_left,
                          transport_eur_per_unit_km=self.costs.transport_eur_per_unit_km,
                          partner_fixed_eur=self.costs.partner_fixed_eur),
                    view.candidates, self.rates, time_limit=self.costs.time_limit_seconds, exclude=exclude)
                new_parts = [self._forward(conn, env, order, share, now) for share in allocation.shares]
                parts = parts + new_parts
            order["allocation"] = _with_round(order["allocation"], allocation, remaining, partners_left, view, now)
        self._publish_consortium(conn, env, order, parts, allocation, now)

    def _forward(self, conn: Connection, env: Envelope, order: dict, share, now: datetime) -> dict:
        part = {
            "id": str(uuid.uuid4()), "order_id": order["id"], "site": share.site,
            "organisation_id": share.organisation_id, "offer_id": share.offer_id, "quantity": share.quantity,
            "unit_price": share.unit_price, "currency": share.currency, "unit_cost_eur": share.unit_cost_eur,
            "reason": share.reason, "status": crossborder_store.FORWARDED, "answer": None, "version": 1, "forwarded_at": now,
            "answered_at": None,
        }
        crossborder_store.add_parts(conn, [part])
        message = hub_events.PartForwarded(
            part_id=part["id"], order_id=order["id"], origin_site=order["origin_site"],
            enquiry_reference=order["reference"], title=order["title"], type=order["type"],
            cpv_codes=order["cpv_codes"], offer_id=share.offer_id, organisation_id=share.organisation_id,
            quantity=share.quantity, unit=order["unit"], unit_price=share.unit_price, currency=share.currency,
            deadline=order["deadline"], delivery_nuts3=order["delivery_nuts3"],
            label_required=order["label_required"], reason=share.reason)
        self._send(conn, env, order, Recorded(message, part["id"], 1), to=share.site)
        return part

    def _publish_consortium(self, conn: Connection, env: Envelope, order: dict, parts: list, allocation,
                            now: datetime) -> None:
        active = [p for p in parts if p["status"] in crossborder_store.ACTIVE_PARTS]
        allocated = sum(p["quantity"] for p in active)
        accepted = sum(p["quantity"] for p in active if p["status"] == crossborder_store.ACCEPTED)
        if order["status"] == crossborder_store.ORDER_CANCELLED:
            status = crossborder_store.ORDER_CANCELLED
        elif accepted == order["quantity"] and allocated == order["quantity"]:
            status = crossborder_store.ORDER_AGREED
        elif allocated < order["quantity"]:
            status = crossborder_store.ORDER_SHORT
        else:
            status = crossborder_store.ORDER_FORWARDED
        last = (order["allocation"].get("rounds") or [{}])[-1]
        total = sum((Decimal(p["quantity"]) * Decimal(p["unit_cost_eur"]) for p in active), Decimal(0)) \
            + self.costs.partner_fixed_eur * len(active)
        version = order["version"] + 1
        snapshot = dict(
            order_id=order["id"], enquiry_id=order["enquiry_id"], enquiry_reference=order["reference"],
            status=status, quantity=order["quantity"], allocated=allocated, accepted=accepted,
            missing=order["quantity"] - allocated, total_cost_eur=total.quantize(Decimal("0.01")),
            method=last.get("method", "none"), solver_status=last.get("status", "none"), gap=last.get("gap"),
            parts=[_part_summary(p) for p in parts],
            shortfalls=[] if allocated >= order["quantity"] else last.get("shortfalls", []),
        )
        kind = hub_events.ConsortiumAgreed if status == crossborder_store.ORDER_AGREED and order["status"] != crossborder_store.ORDER_AGREED \
            else hub_events.ConsortiumUpdated
        crossborder_store.update_order(conn, order["id"], status=status, version=version, allocation=order["allocation"],
                        updated_at=now)
        self._send(conn, env, order, Recorded(kind(**snapshot), order["id"], version), to=order["origin_site"])

    def _send(self, conn: Connection, env: Envelope, order: dict, recorded: Recorded, to: str) -> None:
        outbox.append(conn, self.hub_site, [recorded], correlation_id=order["correlation_id"],
                      causation_id=str(env.id), to=to)


def _part_summary(part) -> dict:
    return {"part_id": part["id"], "site": part["site"], "organisation_id": part["organisation_id"],
            "offer_id": part["offer_id"], "quantity": part["quantity"], "unit_price": part["unit_price"],
            "currency": part["currency"], "status": part["status"], "reason": part["reason"], "answer": part["answer"]}


def _with_round(history: dict, allocation, remaining: int, partners_left: int, view, now: datetime) -> dict:
    """The order's allocation history with this round added: what was asked, what came of it, and why."""
    if allocation is None:
        entry = {"requested": remaining, "allocated": 0, "missing": remaining, "method": "none", "status": "none",
                 "gap": None, "explanation": ["the partner limit is reached: no further partner may be added"],
                 "shortfalls": [{"reason": "partners", "quantity": remaining,
                                 "detail": "the order's maximum number of partners is reached"}], "shares": []}
    else:
        entry = allocation.to_dict()
        if view.out_of_radius:
            entry.setdefault("explanation", [])
            entry["explanation"] = list(entry["explanation"]) + [
                f"{view.out_of_radius} offer(s) left out: the delivery place is beyond their delivery radius"]
    entry["at"] = now.isoformat()
    entry["shortfalls"] = [_shortfall_dict(s) for s in entry.get("shortfalls", [])]
    return {"rounds": list(history.get("rounds", [])) + [entry]}


def _shortfall_dict(s) -> dict:
    if isinstance(s, Shortfall):
        return {"reason": s.reason, "quantity": s.quantity, "detail": s.detail}
    return {"reason": s["reason"], "quantity": int(s["quantity"]), "detail": s["detail"]}
