"""The hub's orders as the OCDS builder's input (`release` is pure; this reads the hub's store)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, and_, select

from services.hub.crossborder import store as crossborder_store
from services.hub.labels import store as label_store
from services.hub.register import store as register_store
from services.hub.ocds.release import OcdsOrder, OcdsPart, release_package

# The builder's part states: a part withdrawn with its cancelled order is "superseded" there.
PART_STATUS = {crossborder_store.FORWARDED: "forwarded", crossborder_store.ACCEPTED: "accepted", crossborder_store.DECLINED: "declined", crossborder_store.WITHDRAWN: "superseded"}


def load(conn: Connection) -> list[OcdsOrder]:
    orders = crossborder_store.all_orders(conn)
    today = date.today()
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


def package(orders: list[OcdsOrder], published: datetime, uri: str, site_names: dict[str, str]) -> dict:
    return release_package(orders, published_date=published, uri=uri, site_names=site_names)


def _part(p, organisations: dict, labels: dict) -> OcdsPart:
    org = organisations.get((p["site"], p["organisation_id"]), {})
    return OcdsPart(
        part_id=p["id"], site=p["site"], organisation_id=p["organisation_id"], organisation_name=org.get("name"),
        organisation_nuts3=org.get("nuts3"), offer_id=p["offer_id"], quantity=p["quantity"],
        unit_price=p["unit_price"], currency=p["currency"], status=PART_STATUS[p["status"]],
        forwarded_at=p["forwarded_at"], answered_at=p["answered_at"],
        labelled=(p["site"], p["organisation_id"]) in labels, label_number=labels.get((p["site"], p["organisation_id"])),
        workers_in_integration=org.get("workers_in_integration"),
    )


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
