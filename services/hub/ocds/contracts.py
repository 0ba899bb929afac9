"""The contract and implementation stages of a cross-border order's release (pure, OCDS 1.1.5 core).

- `contracts`: one per part its target site accepted: `id` the part's UUID, `awardID` the award of its
  social enterprise (`<site>-<organisation uuid>`), `value` quantity x unit price in the part's own
  currency, `dateSigned` and the start of `period` the acceptance (a target site's acceptance is what
  binds it in this flow), the end of `period` the deadline, and the part's item. `status` from the closed
  contractStatus codelist: `active` while accepted or in production; `terminated` once the part is
  delivered in full, has failed, or was withdrawn after acceptance (OCDS: "signed and in force, and has
  now come to a close", by completion or early termination).
- `implementation.transactions`: one per delivery, valued at the part's unit price (what falls due for
  that quantity: the hub brokers the order and records no payments), dated the delivery's day, from the
  buyer (only when the order names its kind) to the supplier.
- `implementation.milestones`, all of type `delivery`: one per delivery, `met` on its day; and one for
  the part's whole quantity, due at the deadline, under the same id in every release so that a compiled
  record follows it: `scheduled` while the part is accepted or in production, `met` on the last
  delivery's day, `notMet` when the part failed, with the failure's cause (a code of
  services.contracts.reasons: se_withdrew, delivered_short, deadline_missed) as its `code`.
"""
from __future__ import annotations

from decimal import Decimal

from services.hub.ocds.blocks import end_of, item, reference, rfc3339, supplier_id, until_deadline, value
from services.hub.ocds.model import STARTED, OcdsOrder, OcdsPart

BUYER = "client"  # the buyer's party id: the client appears only by its kind

# part status -> contractStatus, for a part that was accepted
CONTRACT_STATUS = {"accepted": "active", "in_production": "active", "delivered": "terminated",
                   "failed": "terminated", "superseded": "terminated"}


def contracts(order: OcdsOrder) -> list[dict]:
    return [_contract(part, order) for part in order.parts if part.was_accepted]


def _contract(part: OcdsPart, order: OcdsOrder) -> dict:
    contract: dict = {
        "id": part.part_id,
        "awardID": supplier_id(part),
        "title": f"Part at site {part.site}: {part.quantity}{_unit(order)}",
        "status": CONTRACT_STATUS[part.status],
        "value": value(part.unit_price * part.quantity, part.currency),
        "items": [item(part.part_id, order, part.quantity, part)],
    }
    if part.answered_at is not None:
        contract["dateSigned"] = rfc3339(part.answered_at)
        contract["period"] = {"startDate": rfc3339(part.answered_at)}
    if order.deadline is not None:
        contract["period"] = {**contract.get("period", {}), **until_deadline(order.deadline)}
    if part.status in STARTED or part.deliveries:
        contract["implementation"] = _implementation(part, order)
    return contract


def _implementation(part: OcdsPart, order: OcdsOrder) -> dict:
    implementation: dict = {"milestones": [_delivery_milestone(part, order, d) for d in part.deliveries]
                            + [_whole_quantity_milestone(part, order)]}
    if part.deliveries:
        implementation["transactions"] = [_transaction(part, order, d) for d in part.deliveries]
    return implementation


def _transaction(part: OcdsPart, order: OcdsOrder, delivery) -> dict:
    transaction = {"id": delivery.delivery_id, "date": end_of(delivery.delivered_on),
                   "value": value(part.unit_price * Decimal(delivery.quantity), part.currency),
                   "payee": reference(supplier_id(part), part.organisation_name)}
    if order.client_kind:
        transaction["payer"] = {"id": BUYER}
    return transaction


def _delivery_milestone(part: OcdsPart, order: OcdsOrder, delivery) -> dict:
    return {"id": delivery.delivery_id, "title": f"Delivery of {delivery.quantity}{_unit(order)}",
            "type": "delivery", "status": "met", "dateMet": end_of(delivery.delivered_on)}


def _whole_quantity_milestone(part: OcdsPart, order: OcdsOrder) -> dict:
    milestone: dict = {"id": f"{part.part_id}-whole", "title": f"Delivery of all {part.quantity}{_unit(order)}",
                       "type": "delivery", "status": "scheduled"}
    if order.deadline is not None:
        milestone["dueDate"] = end_of(order.deadline)
    if part.status == "delivered" and part.deliveries:
        milestone.update(status="met", dateMet=end_of(max(d.delivered_on for d in part.deliveries)))
    elif part.failure is not None:
        failure = part.failure
        milestone.update(status="notMet", code=failure.cause, dateModified=rfc3339(failure.at),
                         description=f"Failed ({failure.cause}): {part.delivered} of {part.quantity}{_unit(order)} "
                                     f"delivered, {failure.missing} missing.")
    return milestone


def _unit(order: OcdsOrder) -> str:
    return f" {order.unit}" if order.unit else ""


def has_transactions(order: OcdsOrder) -> bool:
    return any(part.deliveries for part in order.parts if part.was_accepted)


def payee_ids(order: OcdsOrder) -> set[str]:
    return {supplier_id(part) for part in order.parts if part.was_accepted and part.deliveries}

