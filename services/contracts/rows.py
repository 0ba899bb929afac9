"""What the data of a registry or label event says as plain column values: decimals as Decimal, dates
as date, ids as str, whatever form the JSON carried them in.

The hub's register and a site's matching projection store the same facts; both read a payload through
these functions, so it means the same values in either. Each keeps the columns its tables have and
adds its own (the hub its search text); the row's key and bookkeeping come from the envelope.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal


def as_decimal(value) -> Decimal | None:
    """A JSON number or numeric string as an exact Decimal (through its text, never a binary float)."""
    return None if value is None else Decimal(str(value))


def as_date(value) -> date | None:
    """An ISO date string (or a date) as a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def optional_str(value) -> str | None:
    """An optional id (a UUID in the schema) as text."""
    return None if value is None else str(value)


def organisation_values(data: dict) -> dict:
    """`registry.organisation.registered` / `.updated`: the organisation's public snapshot."""
    return {
        "status": data["status"],
        "reference": data["reference"],
        "kind": data["kind"],
        "name": data["name"],
        "town": data["town"],
        "postcode": data["postcode"],
        "country": data["country"],
        "nuts3": data["nuts3"],
        "lat": data["lat"],
        "lon": data["lon"],
        "labour_market_segment": data["labour_market_segment"],
        "workers_in_integration": data["workers_in_integration"],
        "website": data["website"],
    }


def offer_values(data: dict) -> dict:
    """`registry.offer.published` / `.updated`: the offer's snapshot."""
    return {
        "status": data["status"],
        "organisation_id": str(data["organisation_id"]),
        "title": data["title"],
        "description": data["description"],
        "cpv_codes": list(data["cpv_codes"]),
        "capacity_per_week": as_decimal(data["capacity_per_week"]),
        "unit": data["unit"],
        "lead_time_days": data["lead_time_days"],
        "price_min": as_decimal(data["price_min"]),
        "price_max": as_decimal(data["price_max"]),
        "currency": data["currency"],
        "delivery_radius_km": data["delivery_radius_km"],
        "cross_border": data["cross_border"],
    }


def label_values(data: dict) -> dict:
    """Any `label.label.*` event: every one is a full snapshot of the label (its id is the envelope's)."""
    return {
        "number": data["number"],
        "holder_organisation_id": str(data["holder_organisation_id"]),
        "holder_name": data["holder_name"],
        "product": data["product"],
        "cpv_codes": list(data["cpv_codes"]),
        "catalogue_version": data["catalogue_version"],
        "status": data["status"],
        "valid_from": as_date(data["valid_from"]),
        "valid_until": as_date(data["valid_until"]),
        "suspended_until": as_date(data["suspended_until"]),
        "reason": data["reason"],
    }
