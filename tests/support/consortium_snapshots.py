"""The hub's consortium snapshots (`hub.consortium.updated` / `.agreed`, version 2 unless asked) as the
origin site receives them, checked against the contract's schema so a test cannot feed what the hub
could never send; and `Order`, an enquiry of a test site passed to the hub, fed those snapshots."""
from __future__ import annotations

import itertools
import uuid
from datetime import date

from services.common.envelope import Envelope
from services.contracts.events.hub import ConsortiumData, ConsortiumDataV2
from services.enquiries.crossborder import consumers
from tests.support.clock import in_days
from tests.support.lifecycle import LifecycleSite, enquiry_body


def deadline():
    return in_days(30).isoformat()


RATES = {"EUR": "1", "HUF": "0.00254"}
_seq = itertools.count(1)


def part(site: str, quantity: int, status: str = "accepted", *, unit_price: str = "3.00", currency: str = "EUR",
         delivered: int = 0, impact: dict | None = None, name: str | None = None, part_id: str | None = None,
         organisation_id: str | None = None) -> dict:
    unit_price_eur = str(round(float(unit_price) * float(RATES[currency]), 4))
    return {"part_id": part_id or str(uuid.uuid4()), "site": site,
            "organisation_id": organisation_id or str(uuid.uuid4()),
            "organisation_name": name or f"SE at {site}", "offer_id": str(uuid.uuid4()), "quantity": quantity,
            "unit_price": unit_price, "currency": currency, "unit_price_eur": unit_price_eur, "status": status,
            "reason": {"code": "whole_capacity", "params": {"unit_cost_eur": unit_price_eur, "rank": 1, "eligible": 3,
                                                            "capacity": quantity}},
            "answer": None, "note": None, "delivered": delivered,
            "deliveries": [{"delivery_id": str(uuid.uuid4()), "quantity": delivered, "delivered_on": deadline()}]
            if delivered else [], "impact": impact}


def part_impact(value_paid_eur: str, material_diverted_kg: str | None = None,
                integration_hours: str | None = None, currency: str = "EUR") -> dict:
    return {"year": date.today().year, "value_paid": value_paid_eur, "currency": currency,
            "value_paid_eur": value_paid_eur, "material_diverted_kg": material_diverted_kg, "regional_share": None,
            "distance_km": None, "production_nuts3": None, "integration_hours": integration_hours}


def snapshot(order_id: str, enquiry_id: str, status: str, parts: list[dict], *, quantity: int | None = None,
             shortfalls: list[dict] = (), impact: dict | None = None) -> dict:
    active = [p for p in parts if p["status"] not in ("declined", "withdrawn", "failed")]
    quantity = quantity if quantity is not None else sum(p["quantity"] for p in active)
    allocated = sum(p["quantity"] for p in active)
    data = {"order_id": order_id, "enquiry_id": enquiry_id, "enquiry_reference": "AT12-E-2026-0001",
            "status": status, "quantity": quantity, "allocated": allocated,
            "accepted": sum(p["quantity"] for p in active if p["status"] != "forwarded"),
            "delivered": sum(p["delivered"] for p in parts), "missing": quantity - allocated, "deadline": deadline(),
            "total_cost_eur": "300.00", "method": "milp", "solver_status": "optimal", "gap": 0.0, "parts": parts,
            "shortfalls": list(shortfalls),
            "impact": impact or {"parts": 0, "value_paid_eur": "0", "material_diverted_kg": "0",
                                 "integration_hours": "0", "distance_km": None, "regional_share": None}}
    errors = ConsortiumDataV2().validate(data)
    assert not errors, errors
    return data


def hub_message(data: dict, aggregate_version: int, *, agreed: bool = False, version: int = 2,
                to: str = "AT12") -> Envelope:
    """The snapshot as the hub's directed message to the origin site."""
    if version == 1:
        errors = ConsortiumData().validate(data)
        assert not errors, errors
    return Envelope(id=str(uuid.uuid4()), type="hub.consortium.agreed" if agreed else "hub.consortium.updated",
                    version=version, site="EU", stream=f"EU/hub_to_{to.lower()}", seq=next(_seq),
                    aggregate_id=data["order_id"], aggregate_version=aggregate_version,
                    occurred_at="2026-11-01T10:00:00Z", correlation_id="corr-consortium", causation_id=None,
                    data=data, to=to)


class Order:
    """An enquiry of the site passed to the hub, and the hub's snapshots of its order."""

    def __init__(self, site: LifecycleSite, state: str = "in_consultation", client_organisation_id: str | None = None):
        self.site = site
        body = {**enquiry_body(quantity="300"), "client_kind": "economic_enterprise",
                "client_organisation_id": client_organisation_id or str(uuid.uuid4()), "submit": True}
        self.enquiry_id = site.ok("POST", "/enquiries", expect=201, json=body)["id"]
        if state != "submitted":
            site.ok("POST", f"/enquiries/{self.enquiry_id}/transitions", json={"to": state})
        site.ok("POST", f"/enquiries/{self.enquiry_id}/cross-border", expect=202, json={})
        self.order_id = str(uuid.uuid4())
        self.version = 0

    def report(self, status: str, *parts: dict, version: int | None = None, message_version: int = 2,
               **extra) -> Envelope:
        """The hub's next snapshot (or one of the given aggregate version), through the site's consumer."""
        if version is None:
            self.version += 1
            version = self.version
        env = hub_message(snapshot(self.order_id, self.enquiry_id, status, list(parts), **extra), version,
                          agreed=status == "agreed", version=message_version)
        deliver(self.site, env)
        return env

    @property
    def state(self) -> str:
        return self.site.ok("GET", f"/enquiries/{self.enquiry_id}")["state"]

    def audit(self) -> list[tuple]:
        return [(e["from_state"], e["to_state"], e["party"], e["reason"])
                for e in self.site.ok("GET", f"/enquiries/{self.enquiry_id}/audit")]

    def agreement(self, expect: int = 200):
        return self.site.ok("GET", f"/enquiries/{self.enquiry_id}/consortium/agreement", expect=expect)

    def picture(self) -> dict:
        return self.site.ok("GET", f"/enquiries/{self.enquiry_id}/consortium")

    def changes(self) -> list:
        return [e for e in self.site.outbox_rows("enquiries.enquiry.changed") if e.aggregate_id == self.enquiry_id]


def deliver(site: LifecycleSite, env: Envelope) -> None:
    """As the inbox consumer applies a message: its handler, in one transaction."""
    with site.runtime.engine.begin() as conn:
        consumers.HANDLERS[env.type](conn, env)
