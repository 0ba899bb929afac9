"""What a cross-border order amounts to, from its row and its parts (pure: no I/O).

The same figures make the origin's `hub.consortium.*` message and the agency's view of the order:
its status, what its parts cover, accepted and delivered, its cost, what is missing and why, and the
impact its parts' sites recorded, summed.

What a part covers of the order: a part still to deliver or delivered covers its quantity; a failed
part only what it delivered before failing; a declined or withdrawn part nothing.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Mapping, Sequence

from services.hub.crossborder import store as s

CENT, FOURTH = Decimal("0.01"), Decimal("0.0001")
COVERING = (s.FORWARDED, s.ACCEPTED, s.IN_PRODUCTION, s.DELIVERED)


def covers(part: Mapping) -> int:
    if part["status"] in COVERING:
        return part["quantity"]
    return part["delivered"] if part["status"] == s.FAILED else 0


def committed(part: Mapping) -> int:
    """Units its site agreed to make (and, for a failed part, did make)."""
    if part["status"] in s.COMMITTED_PARTS:
        return part["quantity"]
    return part["delivered"] if part["status"] == s.FAILED else 0


def allocated(parts: Sequence[Mapping]) -> int:
    return sum(covers(p) for p in parts)


def partners(parts: Sequence[Mapping]) -> int:
    return sum(1 for p in parts if covers(p) > 0)


def written_off(order: Mapping) -> int:
    """Units that failed parts left and no one could take over: no round asks for them again."""
    return sum(f["quantity"] for f in order["allocation"].get("failures", []))


def is_agreed(order: Mapping, parts: Sequence[Mapping]) -> bool:
    """Every part its site agreed to, together the whole order."""
    return sum(committed(p) for p in parts) == order["quantity"] == allocated(parts)


def status(order: Mapping, parts: Sequence[Mapping]) -> str:
    if order["status"] == s.ORDER_CANCELLED:
        return s.ORDER_CANCELLED
    delivered = sum(p["delivered"] for p in parts)
    if delivered and not any(p["status"] in s.ACTIVE_PARTS for p in parts):
        return s.ORDER_DELIVERED  # nothing is still to come; shortfalls say what is missing
    if delivered or any(p["status"] in (s.IN_PRODUCTION, s.DELIVERED) for p in parts):
        return s.ORDER_IN_PRODUCTION
    if is_agreed(order, parts):
        return s.ORDER_AGREED
    return s.ORDER_SHORT if allocated(parts) < order["quantity"] else s.ORDER_FORWARDED


def shortfalls(order: Mapping, parts: Sequence[Mapping]) -> list[dict]:
    """Why units are missing: what failed parts left that no one could take over (with the failure's
    cause), and what the last allocation round could not place (with the allocation's causes)."""
    history = order["allocation"]
    failures = list(history.get("failures", []))
    rounds = [r for r in history.get("rounds", []) if r.get("cause") != "failure"]
    unplaced = order["quantity"] - allocated(parts) - written_off(order)
    last = rounds[-1].get("shortfalls", []) if rounds and unplaced > 0 else []
    return failures + [_shortfall(x) for x in last]


def _shortfall(x: Mapping) -> dict:
    if "code" in x:
        return {"code": x["code"], "quantity": int(x["quantity"]), "params": dict(x.get("params") or {})}
    # a round stored before reasons were codes: the old cause is a code already, its sentence is dropped
    return {"code": x["reason"], "quantity": int(x["quantity"]), "params": {"quantity": int(x["quantity"])}}


def impact(parts: Sequence[Mapping]) -> dict:
    """The parts' impact summed; distance and regional share as means weighted by the units each part
    delivered, over the parts that report them."""
    reported = [(p, p["impact"]) for p in parts if p.get("impact")]
    total = {"parts": len(reported)}
    for key in ("value_paid_eur", "material_diverted_kg", "integration_hours"):
        total[key] = sum((Decimal(i[key]) for _, i in reported if i.get(key) is not None), Decimal(0))
    for key in ("distance_km", "regional_share"):
        weighted = [(Decimal(p["delivered"] or p["quantity"]), Decimal(i[key]))
                    for p, i in reported if i.get(key) is not None]
        units = sum(w for w, _ in weighted)
        total[key] = (sum(w * v for w, v in weighted) / units).quantize(FOURTH) if units else None
    return total


def unit_price_eur(part: Mapping, rates_to_eur: Mapping[str, Decimal]) -> Decimal:
    return (Decimal(part["unit_price"]) * rates_to_eur[part["currency"]]).quantize(FOURTH)


def part_summary(part: Mapping, names: Mapping, rates_to_eur: Mapping[str, Decimal]) -> dict:
    """A part as the origin and the agency see it (ConsortiumPartDataV2)."""
    return {
        "part_id": part["id"], "site": part["site"], "organisation_id": part["organisation_id"],
        "organisation_name": names.get((part["site"], part["organisation_id"])), "offer_id": part["offer_id"],
        "quantity": part["quantity"], "unit_price": part["unit_price"], "currency": part["currency"],
        "unit_price_eur": unit_price_eur(part, rates_to_eur), "status": part["status"],
        "reason": as_reason(part["reason"]), "answer": part["failure"] or part["answer"], "note": part["note"],
        "delivered": part["delivered"], "deliveries": deliveries(part), "impact": part["impact"],
    }


def deliveries(part: Mapping) -> list[dict]:
    return [{**d, "delivered_on": date.fromisoformat(d["delivered_on"])} for d in part["deliveries"] or []]


def as_reason(value) -> dict:
    """A stored reason as messages carry it; a sentence stored before reasons were codes keeps its text."""
    return value if isinstance(value, Mapping) else {"code": "text", "params": {"text": value}}


def consortium(order: Mapping, parts: Sequence[Mapping], names: Mapping, rates_to_eur: Mapping[str, Decimal],
               partner_fixed_eur: Decimal) -> dict:
    """The ConsortiumDataV2 snapshot of an order (its status as `status` derives it)."""
    rounds = order["allocation"].get("rounds") or [{}]
    last = rounds[-1]
    placed = allocated(parts)
    cost = sum((Decimal(covers(p)) * Decimal(p["unit_cost_eur"]) for p in parts), Decimal(0)) \
        + partner_fixed_eur * partners(parts)
    return dict(
        order_id=order["id"], enquiry_id=order["enquiry_id"], enquiry_reference=order["reference"],
        status=status(order, parts), quantity=order["quantity"], allocated=placed,
        accepted=sum(committed(p) for p in parts), delivered=sum(p["delivered"] for p in parts),
        missing=order["quantity"] - placed, deadline=order["deadline"], total_cost_eur=cost.quantize(CENT),
        method=last.get("method", "none"), solver_status=last.get("status", "none"), gap=last.get("gap"),
        parts=[part_summary(p, names, rates_to_eur) for p in parts], shortfalls=shortfalls(order, parts),
        impact=impact(parts),
    )
