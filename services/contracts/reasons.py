"""Why things happen in a cross-border order, as codes with parameters, and their wording.

Events and tables store a reason as `{"code": ..., "params": {...}}`, never as a sentence: the hub, the
origin site and the target sites show it in the reader's language, with numbers formatted for that
language, when a page is drawn (`describe`). A code unknown to this version (a newer publisher) is
shown as the code itself, so nothing is lost.

| group                  | codes                                                                       |
|------------------------|-----------------------------------------------------------------------------|
| why a share            | whole_capacity, minimum_lot, rest_of_order                                  |
| allocation shortfall   | label, min_lot, deadline, capacity, partners, lots_do_not_fit               |
| failure after accepting| se_withdrew, delivered_short, deadline_missed                               |
| a target declines      | no_capacity, deadline_too_short, price_too_low, not_our_product, other      |
| the hub withdraws      | order_cancelled, order_expired, replaced                                    |
| nothing re-allocated   | no_time_left, no_candidate (appear as `params.reallocation` of a failure)   |
"""
from __future__ import annotations

from typing import Mapping

import marshmallow as ma
from marshmallow import validate

SHARE_CODES = ("whole_capacity", "minimum_lot", "rest_of_order")
ALLOCATION_SHORTFALLS = ("label", "min_lot", "deadline", "capacity", "partners", "lots_do_not_fit")
FAILURE_CAUSES = ("se_withdrew", "delivered_short", "deadline_missed")
DECLINE_REASONS = ("no_capacity", "deadline_too_short", "price_too_low", "not_our_product", "other")
WITHDRAWAL_REASONS = ("order_cancelled", "order_expired", "replaced")
REALLOCATION_OUTCOMES = ("reallocated", "no_time_left", "no_candidate")
# A sentence stored before reasons were codes, carried in a version 2 message as {"code": "text",
# "params": {"text": ...}}: shown as it was written.
LEGACY_TEXT = "text"
CODES = SHARE_CODES + ALLOCATION_SHORTFALLS + FAILURE_CAUSES + DECLINE_REASONS + WITHDRAWAL_REASONS \
    + REALLOCATION_OUTCOMES


class ReasonData(ma.Schema):
    """A reason in an event: a code and the values its wording needs (numbers as JSON numbers or
    decimal strings, ids, site codes; never free text a person typed, except `note` where a field says so)."""

    class Meta:
        unknown = ma.RAISE

    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))
    params = ma.fields.Dict(keys=ma.fields.String(), required=True)


def reason(code: str, **params) -> dict:
    """A reason as events and tables hold it."""
    return {"code": code, "params": params}


def describe(value: Mapping | str | None) -> str:
    """The reason in the current request's language (Flask-Babel). A plain string (a v1 message that
    carried a sentence) is shown as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value.get("code") == LEGACY_TEXT:
        return str((value.get("params") or {}).get("text", ""))
    from services.contracts.reason_texts import text_for  # Flask-Babel is only needed where pages are drawn
    return text_for(value.get("code", ""), dict(value.get("params") or {}))
