"""Building blocks of the hub's OCDS releases, shared by every stage: values, times, items, references.

Money: exact JSON numbers in one currency each (OCDS has one currency per value, so nothing is
converted). Times: RFC 3339 UTC (a naive datetime counts as UTC); a day without a time (a deadline, a
delivery) is the end of that day in UTC, as the order holds no time zone.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.contracts import cpv
from services.hub.ocds.model import OcdsOrder, OcdsPart

LABEL_SCHEME = "SOPRO-LABEL"
LABEL_NAME = 'Quality label "socio-ecologically produced"'


def item(item_id: str, order: OcdsOrder, quantity: int, part: OcdsPart | None = None) -> dict:
    """The order's goods or services, classified by CPV; a part's item carries its unit price and, for a
    labelled supplier, the label as an additional classification."""
    built: dict = {"id": item_id, "description": order.title, "quantity": quantity}
    codes = [_classification(code) for code in order.cpv_codes]
    if codes:
        built["classification"] = codes[0]
    extra = codes[1:]
    if part is not None and part.labelled:
        extra.append({"scheme": LABEL_SCHEME, "id": part.label_number or "labelled", "description": LABEL_NAME})
    if extra:
        built["additionalClassifications"] = extra
    unit: dict = {"name": order.unit} if order.unit else {}
    if part is not None:
        unit["value"] = value(part.unit_price, part.currency)
    if unit:
        built["unit"] = unit
    return built


def _classification(code: str) -> dict:
    label = cpv.label(code)
    return {"scheme": "CPV", "id": code, **({"description": label} if label else {})}


def supplier_id(part: OcdsPart) -> str:
    """The party id of a part's social enterprise, also its award's id: `<site>-<organisation uuid>`."""
    return f"{part.site}-{part.organisation_id}"


def reference(party_id: str, name: str | None) -> dict:
    return {"id": party_id, **({"name": name} if name else {})}


def until_deadline(deadline: date) -> dict:
    return {"endDate": end_of(deadline)}


def end_of(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def value(amount: Decimal, currency: str) -> dict:
    return {"amount": json_number(amount), "currency": currency}


def json_number(amount: Decimal) -> int | float:
    """A Decimal as the JSON number with the same digits: an int when whole, else the float whose shortest
    repr is exactly those digits (true for any amount of money up to 15 significant digits)."""
    if amount == amount.to_integral_value():
        return int(amount)
    number = float(amount)
    if Decimal(repr(number)) != amount:
        raise ValueError(f"{amount} has more digits than a JSON number keeps exactly")
    return number


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, microseconds only when there are some."""
    return utc(moment).isoformat().replace("+00:00", "Z")
