"""What the origin site's API and pages read of its cross-border orders: one place for both.

- `consortium_picture`: the hub's latest snapshot of the enquiry's order, in the version 2 shape (parts
  with status, deliveries, impact and reasons as codes; shortfalls as codes; the impact rolled up).
- `client_agreement`: the client-facing agreement, once the consortium is agreed.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from sqlalchemy import Connection

from services.enquiries.crossborder import origin, origin_store, store
from services.enquiries.crossborder.origin import ClientAgreement


def consortium_picture(conn: Connection, enquiry_id: str, rates_to_eur: Mapping[str, Decimal]) -> dict | None:
    """None until the hub answered. `rates_to_eur` prices the parts of a snapshot kept before version 2
    was read (stored as it came, without EUR prices)."""
    row = store.consortium_of(conn, str(enquiry_id))
    if row is None:
        return None
    snapshot = row["snapshot"]
    if "version" not in snapshot:
        snapshot = origin.upgrade(snapshot, 1, rates_to_eur)
    return {**snapshot, "correlation_id": row["correlation_id"]}


def client_agreement(conn: Connection, enquiry_id: str) -> ClientAgreement | None:
    """None before the consortium is agreed."""
    return origin_store.load_agreement(conn, str(enquiry_id))
