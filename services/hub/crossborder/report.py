"""An order as the agency sees it: its row, every part with its SE's public name, price in EUR,
deliveries and impact, and the consortium's figures as the origin was last told them (snapshot.py).
For the agency's pages and the OCDS export."""
from __future__ import annotations

from typing import Mapping, Sequence

from sqlalchemy import Connection, select

from services.common.config import Settings
from services.hub.crossborder import snapshot
from services.hub.crossborder.costs import CostModel
from services.hub.crossborder import store as crossborder_store
from services.hub.register import store as register_store


def organisation_names(conn: Connection, parts: Sequence[Mapping]) -> dict[tuple[str, str], str]:
    """(site, organisation id) -> the public name its site registered, from the consolidated registry."""
    keys = {(p["site"], p["organisation_id"]) for p in parts}
    if not keys:
        return {}
    o = register_store.hub_organisation
    rows = conn.execute(select(o.c.site, o.c.id, o.c.name).where(o.c.id.in_(sorted({org for _, org in keys}))))
    return {(site, org): name for site, org, name in rows if (site, org) in keys}


def order_view(conn: Connection, order_id: str, settings: Settings) -> dict | None:
    """`{**order row, "parts": [{**part row, organisation_name, unit_price_eur}], "consortium": snapshot}`,
    or None for an unknown order."""
    order = crossborder_store.order(conn, order_id)
    if order is None:
        return None
    parts = crossborder_store.parts(conn, order_id)
    names = organisation_names(conn, parts)
    rates = settings.federation.rates_to_eur
    fixed = CostModel.from_settings(settings).partner_fixed_eur
    return {
        **order,
        "parts": [{**p, "organisation_name": names.get((p["site"], p["organisation_id"])),
                   "unit_price_eur": snapshot.unit_price_eur(p, rates)} for p in parts],
        "consortium": snapshot.consortium(order, parts, names, rates, fixed),
    }
