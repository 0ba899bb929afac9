"""One cross-border order for the agency: its timeline (every allocation round, forward, answer,
production start, delivery, failure, re-allocation and shortfall), its parts with their prices in the
part's currency and in EUR, what is missing and why, and the impact its parts' sites recorded, summed.

The order and its figures are the hub's report (`crossborder.report.order_view`): the same figures the
origin site is sent, so the agency and the origin broker see the same. The store holds codes and figures
only; the page words them in its reader's language when it is drawn (the `reason` filter:
`services.contracts.reasons.describe`). The view is registered on the agency's blueprint by `agency`
(same roles, same navigation).
"""
from __future__ import annotations

from typing import Mapping

from flask import render_template
from sqlalchemy import Connection

from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.hub.crossborder import report
from services.hub.crossborder import store as crossborder_store


def order_page(order_id):
    """The agency's page of one order."""
    with current_runtime().engine.connect() as conn:
        order = report.order_view(conn, str(order_id), current_runtime().settings)
        if order is None:
            raise NotFound(f"no cross-border order {order_id}")
        steps = crossborder_store.timeline(conn, order["id"])
    return render_template("hub/agency/order.html", order=order, consortium=order["consortium"],
                           parts=order["parts"], steps=steps, by_part={p["id"]: p for p in order["parts"]})


def parts_of(conn: Connection, order: Mapping) -> list[dict]:
    """An order's parts as the agency's lists show them: each with its social enterprise's name and its
    unit price in EUR."""
    return report.order_view(conn, order["id"], current_runtime().settings)["parts"]


def organisation_names(conn: Connection, site: str, organisation_ids) -> dict[tuple[str, str], str]:
    """(site, organisation id) -> name, from the consolidated registry, for organisations of one site."""
    return report.organisation_names(conn, [{"site": site, "organisation_id": o} for o in organisation_ids])
