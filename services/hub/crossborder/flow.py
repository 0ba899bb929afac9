"""Cross-border large orders at the hub: compose a consortium, forward its parts, follow the answers,
the production and the deliveries, and re-allocate what a failed part leaves.

The flow (DESIGN.md §3 directed messages, all through the hub's outbox):

1. A site publishes `enquiries.enquiry.cross_border_requested`. The hub creates the order, allocates it
   over its matching view (`matching_view`, `allocation`) and sends `hub.part.forwarded` to the site of
   each chosen social enterprise, and `hub.consortium.updated` to the origin site.
2. A target site answers with `enquiries.part.accepted` or `enquiries.part.declined` (facts on its own
   stream; version 1 with a free-text reason, version 2 with a reason code and a note). A decline
   re-allocates what is missing among the remaining candidates; other parts keep their capacity.
3. When every part is accepted and together they make up the order, `hub.consortium.agreed` goes to
   the origin site, once; every later change is a `hub.consortium.updated`.
4. The target site reports its part's production, deliveries and impact (`enquiries.part.*`,
   progress.py). A part that fails after acceptance stops holding capacity for what it did not
   deliver; what it leaves is re-allocated while the deadline allows, or recorded as a shortfall with
   the failure's cause.

Each step runs inside the ingest transaction that tracks the incoming event, so a crash rolls the
allocation, its parts, its timeline and its messages back together and the redelivered event starts
it again: no capacity is counted twice, no part is forwarded twice. Every message carries the
request's correlation id and names the event that caused it. The hub publishes version 2 only:
reasons are codes with parameters (services.contracts.reasons).
"""
from __future__ import annotations

import logging
import uuid
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
from services.contracts.events import hub as hub_events
from services.contracts.reasons import reason
from services.hub.crossborder import matching_view, progress, report, rounds, snapshot, timeline
from services.hub.crossborder import store as crossborder_store
from services.hub.crossborder.allocation import Allocation, Order, allocate
from services.hub.crossborder.costs import CostModel
from services.hub.crossborder.progress import PartMessageRejected

__all__ = ["CostModel", "CrossBorder", "PartAnswerRejected", "PartMessageRejected"]

log = logging.getLogger("sopro.hub.crossborder")

Handler = Callable[[Connection, Envelope], None]

PartAnswerRejected = PartMessageRejected  # an answer for an unknown part, or for another site's part

PROGRESS_TYPES = (enquiries.PartProductionStarted.TYPE, enquiries.PartDeliveryRecorded.TYPE,
                  enquiries.PartFailed.TYPE)


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
        still goes through before the hub looks at what it means for an order. Each type's handler
        takes every version of it."""

        def on_enquiry_changed(conn: Connection, env: Envelope) -> None:
            apply_enquiry(conn, env)
            self.on_enquiry_changed(conn, env)

        return {
            enquiries.CrossBorderRequested.TYPE: self.on_request,
            enquiries.PartAccepted.TYPE: self.on_answer,
            enquiries.PartDeclined.TYPE: self.on_answer,
            enquiries.EnquiryChanged.TYPE: on_enquiry_changed,
            **{kind: self.on_progress for kind in PROGRESS_TYPES},
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
            "min_lot": data["min_lot"], "sites": list(data["sites"]), "status": crossborder_store.ORDER_FORWARDED,
            "version": 0, "allocation": {"rounds": [], "failures": []}, "agreed_at": None,
            "created_at": now, "updated_at": now,
        }
        crossborder_store.add_order(conn, order)
        timeline.record(conn, env, order["id"], timeline.REQUESTED, now, quantity=order["quantity"], params={
            "deadline": data["deadline"], "max_partners": order["max_partners"], "min_lot": order["min_lot"],
            "sites": order["sites"], "label_required": order["label_required"]})
        _, parts = self._allocate(conn, env, order, [], now, rounds.REQUEST)
        self._publish_consortium(conn, env, order, parts, now)

    # --- 2. a site answers for a part ---------------------------------------------------------------

    def on_answer(self, conn: Connection, env: Envelope) -> None:
        answer = env.data["status"]
        part = progress.owned_part(conn, env)
        if part["status"] != crossborder_store.FORWARDED:
            # The same answer again (a retry), an answer to a part withdrawn meanwhile, or one overtaken by
            # the part's production report: nothing changes.
            log.info("part %s is %s; %s answer %s changes nothing", part["id"], part["status"], answer, env.id)
            return
        code, note = _answer(env)
        order = dict(crossborder_store.order(conn, part["order_id"], lock=True))
        now = self.clock()
        crossborder_store.update_part(conn, part["id"], status=answer, answer=code, note=note, answered_at=now,
                                      version=part["version"] + 1)
        timeline.record(conn, env, order["id"], answer, now, part=part, quantity=part["quantity"],
                        code=code["code"] if code else None, params={"note": note} if note else {})
        parts = crossborder_store.parts(conn, order["id"])
        if answer == crossborder_store.DECLINED and order["status"] != crossborder_store.ORDER_CANCELLED:
            _, parts = self._allocate(conn, env, order, parts, now, rounds.DECLINE)
        self._publish_consortium(conn, env, order, parts, now)

    # --- 3. its site reports a part's production, deliveries, failure -------------------------------

    def on_progress(self, conn: Connection, env: Envelope) -> None:
        part = progress.owned_part(conn, env)
        order = dict(crossborder_store.order(conn, part["order_id"], lock=True))
        now = self.clock()
        applied = progress.apply(conn, env, part, now)
        if applied is None:
            return
        parts = crossborder_store.parts(conn, order["id"])
        if applied.failed_now and order["status"] != crossborder_store.ORDER_CANCELLED:
            parts = self._after_failure(conn, env, order, applied.part, parts, now)
        self._publish_consortium(conn, env, order, parts, now)

    def _after_failure(self, conn: Connection, env: Envelope, order: dict, part: dict, parts: list,
                       now: datetime) -> list:
        """Re-allocate what the failed part will not deliver while the deadline allows (the matching view
        only offers SEs that can deliver before it); what is left is a shortfall with the failure's cause."""
        failure = part["failure"]
        missing = failure["params"]["missing"]
        if missing <= 0:
            return parts
        taken, outcome = 0, "no_time_left"
        if now.date() < order["deadline"]:
            allocation, parts = self._allocate(conn, env, order, parts, now, rounds.FAILURE, requested=missing)
            taken = allocation.allocated if allocation else 0
            outcome = "no_candidate"
        if taken:
            timeline.record(conn, env, order["id"], timeline.REALLOCATED, now, part=part, quantity=taken)
        if missing > taken:
            left = {"code": failure["code"], "quantity": missing - taken,
                    "params": {**failure["params"], "reallocation": outcome}}
            order["allocation"] = {**order["allocation"],
                                   "failures": [*order["allocation"].get("failures", []), left]}
            timeline.record(conn, env, order["id"], timeline.SHORTFALL, now, part=part, quantity=left["quantity"],
                            code=left["code"], params=left["params"])
        return parts

    # --- 4. the origin cancels ----------------------------------------------------------------------

    def on_enquiry_changed(self, conn: Connection, env: Envelope) -> None:
        """A cancelled or expired enquiry withdraws its order's open parts; an order agreed or under way
        stays (its parts are agreements at their sites)."""
        state = env.data["state"]
        if state not in ("cancelled", "expired"):
            return
        found = crossborder_store.order_for_enquiry(conn, env.site, str(env.data["enquiry_id"]))
        if found is None or found["status"] not in (crossborder_store.ORDER_FORWARDED, crossborder_store.ORDER_SHORT):
            return
        order = dict(crossborder_store.order(conn, found["id"], lock=True))
        now = self.clock()
        why = reason("order_cancelled" if state == "cancelled" else "order_expired", reference=order["reference"])
        for part in crossborder_store.parts(conn, order["id"]):
            if part["status"] in crossborder_store.ACTIVE_PARTS:
                crossborder_store.update_part(conn, part["id"], status=crossborder_store.WITHDRAWN,
                                              version=part["version"] + 1)
                timeline.record(conn, env, order["id"], timeline.WITHDRAWN, now, part=part,
                                quantity=part["quantity"], code=why["code"], params=why["params"])
                message = hub_events.PartWithdrawnV2(part_id=part["id"], order_id=order["id"], reason=why)
                self._send(conn, env, order, Recorded(message, part["id"], part["version"] + 1), to=part["site"])
        order["status"] = crossborder_store.ORDER_CANCELLED
        timeline.record(conn, env, order["id"], crossborder_store.ORDER_CANCELLED, now, code=why["code"],
                        params=why["params"])
        self._publish_consortium(conn, env, order, crossborder_store.parts(conn, order["id"]), now)

    # --- allocation and messages --------------------------------------------------------------------

    def _allocate(self, conn: Connection, env: Envelope, order: dict, parts: list, now: datetime, cause: str,
                  requested: int | None = None) -> tuple[Allocation | None, list]:
        """Allocate `requested` units (by default what the parts don't cover and no failure wrote off),
        forward the new parts, and add the round to the order's history. Returns the allocation (None
        when the partner limit left no room) and the parts with the new ones."""
        crossborder_store.lock_allocations(conn)  # before reading what capacity other orders' parts hold
        if requested is None:
            requested = order["quantity"] - snapshot.allocated(parts) - snapshot.written_off(order)
        if requested <= 0:
            return None, parts
        terms = matching_view.OrderTerms(order["cpv_codes"], order["deadline"], order["delivery_nuts3"],
                                         order["label_required"], order["min_lot"], order["sites"])
        view = matching_view.candidates(conn, terms, now.date(), self.site_places[order["origin_site"]],
                                        self.site_places)
        partners_left = order["max_partners"] - snapshot.partners(parts)
        allocation = None
        if partners_left > 0:
            exclude = {p["offer_id"] for p in parts}  # an SE that declined or failed is not asked again
            allocation = allocate(
                Order(quantity=requested, label_required=order["label_required"], max_partners=partners_left,
                      transport_eur_per_unit_km=self.costs.transport_eur_per_unit_km,
                      partner_fixed_eur=self.costs.partner_fixed_eur),
                view.candidates, self.rates, time_limit=self.costs.time_limit_seconds, exclude=exclude)
        entry = rounds.entry(cause, requested, allocation, order["max_partners"], view.out_of_radius, now)
        order["allocation"] = {**order["allocation"], "rounds": [*order["allocation"].get("rounds", []), entry]}
        timeline.record(conn, env, order["id"], timeline.ALLOCATED, now, quantity=entry["allocated"], params={
            key: entry[key] for key in ("cause", "requested", "allocated", "missing", "method", "status")})
        if allocation is not None:
            parts = parts + [self._forward(conn, env, order, share, now) for share in allocation.shares]
        return allocation, parts

    def _forward(self, conn: Connection, env: Envelope, order: dict, share, now: datetime) -> dict:
        part = {
            "id": str(uuid.uuid4()), "order_id": order["id"], "site": share.site,
            "organisation_id": share.organisation_id, "offer_id": share.offer_id, "quantity": share.quantity,
            "unit_price": share.unit_price, "currency": share.currency, "unit_cost_eur": share.unit_cost_eur,
            "reason": share.reason, "status": crossborder_store.FORWARDED, "answer": None, "note": None,
            "version": 1, "forwarded_at": now, "answered_at": None, "delivered": 0, "deliveries": None,
            "failure": None, "impact": None, "progress_version": None, "progressed_at": None,
        }
        crossborder_store.add_parts(conn, [part])
        timeline.record(conn, env, order["id"], timeline.FORWARDED, now, part=part, quantity=share.quantity,
                        code=share.reason["code"], params=share.reason["params"])
        message = hub_events.PartForwardedV2(
            part_id=part["id"], order_id=order["id"], origin_site=order["origin_site"],
            enquiry_reference=order["reference"], title=order["title"], type=order["type"],
            cpv_codes=order["cpv_codes"], offer_id=share.offer_id, organisation_id=share.organisation_id,
            quantity=share.quantity, unit=order["unit"], unit_price=share.unit_price, currency=share.currency,
            deadline=order["deadline"], delivery_nuts3=order["delivery_nuts3"],
            label_required=order["label_required"], reason=share.reason)
        self._send(conn, env, order, Recorded(message, part["id"], 1), to=share.site)
        return part

    def _publish_consortium(self, conn: Connection, env: Envelope, order: dict, parts: list,
                            now: datetime) -> None:
        """Store the order's new status and send the origin its consortium: `agreed` the first time every
        part is agreed, `updated` for every other change."""
        data = snapshot.consortium(order, parts, report.organisation_names(conn, parts), self.rates,
                                   self.costs.partner_fixed_eur)
        status = data["status"]
        agreed_now = order["agreed_at"] is None and status != crossborder_store.ORDER_CANCELLED \
            and snapshot.is_agreed(order, parts)
        if agreed_now:
            timeline.record(conn, env, order["id"], crossborder_store.ORDER_AGREED, now, quantity=order["quantity"])
        if status != order["status"] and status in (crossborder_store.ORDER_IN_PRODUCTION,
                                                   crossborder_store.ORDER_DELIVERED):
            timeline.record(conn, env, order["id"], status, now, quantity=data["delivered"])
        version = order["version"] + 1
        crossborder_store.update_order(conn, order["id"], status=status, version=version,
                                       allocation=order["allocation"], updated_at=now,
                                       agreed_at=now if agreed_now else order["agreed_at"])
        kind = hub_events.ConsortiumAgreedV2 if agreed_now else hub_events.ConsortiumUpdatedV2
        self._send(conn, env, order, Recorded(kind(**data), order["id"], version), to=order["origin_site"])

    def _send(self, conn: Connection, env: Envelope, order: dict, recorded: Recorded, to: str) -> None:
        outbox.append(conn, self.hub_site, [recorded], correlation_id=order["correlation_id"],
                      causation_id=str(env.id), to=to)


def _answer(env: Envelope) -> tuple[dict | None, str | None]:
    """A site's answer as the hub keeps it: (a decline's reason code, the broker's note). Version 1
    carried the broker's free text as `reason`: it becomes the note, and a decline's code `other`."""
    data = env.data
    if env.version >= 2:
        return data["reason"], data["note"]
    code = reason("other") if data["status"] == crossborder_store.DECLINED else None
    return code, data["reason"]
