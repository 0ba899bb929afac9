"""The hub's orders as the OCDS builder's input (`release` is pure; this reads the hub's store).

A part row holds its deliveries (`[{delivery_id, quantity, delivered_on}]`) and, when it failed after
acceptance, its failure as a reason code with parameters (`{code, params: {missing, ...}}`), dated by the
part's last progress.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, and_, select

from services.common.clock import utc_today
from services.hub.crossborder import store as crossborder_store
from services.hub.labels import store as label_store
from services.hub.register import store as register_store
from services.hub.ocds.release import OcdsDelivery, OcdsFailure, OcdsOrder, OcdsPart, release_package

# The builder's part states are the store's, except that a part withdrawn (its order was cancelled, or it
# was replaced) is "superseded" there.
SUPERSEDED = {crossborder_store.WITHDRAWN: "superseded"}
# Completed: every part delivered or ended, nothing still to come (a shortfall says what is missing). What the
# hub publishes openly.
COMPLETED = crossborder_store.ORDER_DELIVERED


def load(conn: Connection, completed_only: bool = False) -> list[OcdsOrder]:
    """Every order (the agency's export), or only the completed ones (the public one)."""
    orders = _completed_orders(conn) if completed_only else crossborder_store.all_orders(conn)
    today = utc_today()
    result = []
    for order in orders:
        parts = crossborder_store.parts(conn, order["id"])
        organisations = _organisations(conn, parts)
        labels = _labels(conn, parts, today)
        result.append(OcdsOrder(
            order_id=order["id"], origin_site=order["origin_site"], enquiry_id=order["enquiry_id"],
            enquiry_reference=order["reference"], title=order["title"], enquiry_type=order["type"],
            cpv_codes=list(order["cpv_codes"]), quantity=order["quantity"], unit=order["unit"],
            deadline=order["deadline"], delivery_nuts3=order["delivery_nuts3"], budget=order["budget"],
            currency=order["currency"], label_required=order["label_required"], status=order["status"],
            created_at=order["created_at"], updated_at=order["updated_at"], client_kind=order["client_kind"],
            parts=tuple(_part(p, organisations, labels) for p in parts),
        ))
    return result


def _completed_orders(conn: Connection) -> list:
    o = crossborder_store.hub_crossborder_orders
    return list(conn.execute(select(o).where(o.c.status == COMPLETED).order_by(o.c.created_at, o.c.id)).mappings())


def package(orders: list[OcdsOrder], published: datetime, uri: str, site_names: dict[str, str]) -> dict:
    return release_package(orders, published_date=published, uri=uri, site_names=site_names)


def _part(p, organisations: dict, labels: dict) -> OcdsPart:
    org = organisations.get((p["site"], p["organisation_id"]), {})
    return OcdsPart(
        part_id=p["id"], site=p["site"], organisation_id=p["organisation_id"], organisation_name=org.get("name"),
        organisation_nuts3=org.get("nuts3"), offer_id=p["offer_id"], quantity=p["quantity"],
        unit_price=p["unit_price"], currency=p["currency"], status=SUPERSEDED.get(p["status"], p["status"]),
        forwarded_at=p["forwarded_at"], answered_at=p["answered_at"],
        labelled=(p["site"], p["organisation_id"]) in labels, label_number=labels.get((p["site"], p["organisation_id"])),
        workers_in_integration=org.get("workers_in_integration"),
        deliveries=tuple(_delivery(d) for d in p.get("deliveries") or ()), failure=_failure(p),
    )


def _delivery(d: dict) -> OcdsDelivery:
    return OcdsDelivery(delivery_id=str(d["delivery_id"]), quantity=int(d["quantity"]),
                        delivered_on=date.fromisoformat(str(d["delivered_on"])[:10]))


def _failure(p) -> OcdsFailure | None:
    failure = p.get("failure")
    if p["status"] != "failed" or not failure:
        return None
    params = failure.get("params") or {}
    delivered = sum(int(d["quantity"]) for d in p.get("deliveries") or ())
    return OcdsFailure(cause=failure["code"], at=p.get("progressed_at") or p["answered_at"] or p["forwarded_at"],
                       missing=int(params.get("missing", p["quantity"] - delivered)))


def _organisations(conn: Connection, parts) -> dict:
    keys = {(p["site"], p["organisation_id"]) for p in parts}
    if not keys:
        return {}
    o = register_store.hub_organisation
    rows = conn.execute(select(o.c.site, o.c.id, o.c.name, o.c.nuts3, o.c.workers_in_integration)
                        .where(o.c.id.in_(sorted({k[1] for k in keys})))).mappings()
    return {(r["site"], r["id"]): dict(r) for r in rows if (r["site"], r["id"]) in keys}


def _labels(conn: Connection, parts, today: date) -> dict:
    keys = {(p["site"], p["organisation_id"]) for p in parts}
    if not keys:
        return {}
    lb = label_store.hub_labels
    rows = conn.execute(select(lb.c.site, lb.c.holder_organisation_id, lb.c.number).where(and_(
        lb.c.holder_organisation_id.in_(sorted({k[1] for k in keys})), lb.c.status == label_store.VALID,
        lb.c.valid_until >= today)))
    return {(site, org): number for site, org, number in rows if (site, org) in keys}
