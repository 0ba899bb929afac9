"""Cross-border orders brokered by the hub as an OCDS 1.1 release package (pure: no Flask, no database).

The mapping uses OCDS 1.1.5 core only, no extensions, so the official schema validates it as it is:
- The enquiry is the contracting process: one release per order, `ocid` `<prefix>-<order_id>`, release
  `id` the order's `updated_at` plus a hash of the release: the same for the same state, new for a new
  one (even when two changes share a timestamp).
- `tender`: one item classified by CPV (the first code; the others as additional classifications),
  quantity, unit, budget, tender period (allocation started -> ended), the delivery deadline as the end
  of the contract period; `mainProcurementCategory` by the EU rule on the CPV division (03-44 and 48
  goods, 45 works, else services); `procurementMethod` `limited`, as the hub chooses whom it asks.
- `parties`: the origin site as `procuringEntity`; the client only as an unnamed `buyer` with its kind;
  each social enterprise a part went to (id `<site>-<organisation uuid>`) as `supplier` while a part is
  accepted or awaited, else (declined, superseded) as `tenderer`.
- `awards`: one per social enterprise, with the same id in every release so that a compiled record
  follows it: `active` (its accepted parts), else `pending` (forwarded, awaiting its site's answer:
  OCDS's "proposed, not yet in force"), else `unsuccessful` (declined), else `cancelled` (superseded).
  Values are in the supplier's own currency; OCDS has one currency per value, so nothing is converted.
- `relatedProcesses`: each forwarded part, relationship `subContract`, scheme `SOPRO-PART` (a part has no
  ocid for the scheme `ocid`) with the part's UUID, and its URI at the target site when known.

Sustainability: OCDS 1.1.5 core has no sustainability field or codelist. What it has is used:
`awardCriteria` `costOnly` (the hub minimises the overall cost: prices at EUR/HUF rates, transport per
km, a fixed cost per partner; not `ratedCriteria`, as social and ecological aspects are conditions here,
not weighted scores) and `eligibilityCriteria` (work-integration social enterprises; the label when
required). `documentType` `environmentalImpact` stays unused: the hub holds no such assessment. The label
"socio-ecologically produced" goes where core OCDS leaves room: an additional classification of a
labelled supplier's award items (scheme `SOPRO-LABEL`, an open codelist's own value, with the label
number, verifiable at `/api/v1/labels/<number>`), and, with the workers in integration, the supplier's
free `details` object. Money: exact JSON numbers. Times: RFC 3339 UTC (a naive datetime counts as UTC).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from services.contracts import cpv

OCDS_VERSION = "1.1"
DEFAULT_URI = "http://localhost:8000/api/v1/ocds/release-package"  # the embedded hub; pass the real one
LABEL_SCHEME = "SOPRO-LABEL"
PART_SCHEME = "SOPRO-PART"
LABEL_NAME = 'Quality label "socio-ecologically produced"'

# order status -> tenderStatus (closed codelist); "short": the quantity cannot be met (accepted parts keep
# their awards)
TENDER_STATUS = {"allocating": "active", "forwarded": "active", "agreed": "complete", "short": "unsuccessful",
                 "cancelled": "cancelled"}
LIVE_PART = ("accepted", "forwarded")
# part status -> awardStatus of its social enterprise's award, the first status an SE's parts have wins
AWARD_STATUS = {"accepted": "active", "forwarded": "pending", "declined": "unsuccessful", "superseded": "cancelled"}


@dataclass(frozen=True)
class OcdsPart:
    """One part of the consortium, forwarded to the site of its social enterprise."""
    part_id: str
    site: str
    organisation_id: str
    organisation_name: str | None
    organisation_nuts3: str | None
    offer_id: str
    quantity: int
    unit_price: Decimal
    currency: str
    status: str  # forwarded | accepted | declined | superseded
    forwarded_at: datetime
    answered_at: datetime | None
    labelled: bool
    label_number: str | None
    workers_in_integration: int | None = None
    uri: str | None = None  # where the part can be read at its target site, when the hub knows it


@dataclass(frozen=True)
class OcdsOrder:
    """A cross-border order brokered by the hub."""
    order_id: str
    origin_site: str
    enquiry_id: str
    enquiry_reference: str
    title: str
    enquiry_type: str
    cpv_codes: list[str]
    quantity: int
    unit: str | None
    deadline: date | None
    delivery_nuts3: str | None
    budget: Decimal | None
    currency: str
    label_required: bool
    status: str  # allocating | forwarded | agreed | short | cancelled
    created_at: datetime
    updated_at: datetime
    parts: tuple[OcdsPart, ...]
    client_kind: str | None = None  # economic_enterprise | public_institution (never a person)


def release_package(orders: Iterable[OcdsOrder], *, published_date: datetime,
                    publisher_name: str = "SoPro Innovation Agency (EEIG)", uri: str = DEFAULT_URI,
                    ocid_prefix: str = "ocds-sopro1", site_names: Mapping[str, str] | None = None) -> dict:
    """The release package of `orders`, one release each, as JSON-ready values. `uri` should identify this
    package. With no orders `releases` is `[]` (as ocdskit does), which the schema's minItems 1 rejects."""
    return {"uri": uri, "version": OCDS_VERSION, "publishedDate": rfc3339(published_date),
            "publisher": {"name": publisher_name},
            "releases": [release(order, ocid_prefix=ocid_prefix, site_names=site_names) for order in orders]}


def release(order: OcdsOrder, *, ocid_prefix: str = "ocds-sopro1",
            site_names: Mapping[str, str] | None = None) -> dict:
    """One order as one release; its id is stable for this state of the order."""
    awards = _awards(order)
    body = {
        "ocid": f"{ocid_prefix}-{order.order_id}",
        "date": rfc3339(order.updated_at),
        "tag": ["tenderCancellation" if order.status == "cancelled" else "tender"] + (["award"] if awards else []),
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(order, site_names or {}),
        "tender": _tender(order, site_names or {}),
    }
    if order.client_kind:
        body["buyer"] = {"id": "client"}
    if awards:
        body["awards"] = awards
    if order.parts:
        body["relatedProcesses"] = [_related_process(part, order) for part in order.parts]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]
    return {"ocid": body["ocid"], "id": f"{_utc(order.updated_at).strftime('%Y%m%dT%H%M%S%fZ')}-{digest}", **body}


def _tender(order: OcdsOrder, site_names: Mapping[str, str]) -> dict:
    tender = {
        "id": order.enquiry_reference,
        "title": order.title,
        "description": _tender_description(order),
        "status": TENDER_STATUS[order.status],
        "procuringEntity": _site_reference(order.origin_site, site_names),
        "items": [_item(order.enquiry_id, order, order.quantity)],
        "procurementMethod": "limited",
        "procurementMethodDetails": f"Cross-border consortium of social enterprises composed by the SoPro hub "
                                    f"(enquiry type {order.enquiry_type}).",
        "awardCriteria": "costOnly",
        "awardCriteriaDetails": "The hub minimises the overall cost of the consortium: unit prices converted "
                                "at configured EUR/HUF rates, plus transport per km, plus a fixed cost per "
                                "partner, within every partner's capacity before the deadline.",
        "eligibilityCriteria": "Work-integration social enterprises of the SoPro network with an offer open to "
                               "cross-border orders." + (f" {LABEL_NAME} required." if order.label_required else ""),
        "tenderPeriod": {"startDate": rfc3339(order.created_at)},
    }
    category = _procurement_category(order.cpv_codes)
    if category:
        tender["mainProcurementCategory"] = category
    if order.budget is not None:
        tender["value"] = _value(order.budget, order.currency)
    if order.status in ("agreed", "short", "cancelled"):
        tender["tenderPeriod"]["endDate"] = rfc3339(order.updated_at)
    if order.deadline is not None:
        tender["contractPeriod"] = _until_deadline(order.deadline)
    return tender


def _tender_description(order: OcdsOrder) -> str:
    text = f"Cross-border order for enquiry {order.enquiry_reference} of site {order.origin_site}."
    if order.delivery_nuts3:
        text += f" Delivery to NUTS-3 region {order.delivery_nuts3}."
    if order.status == "short":
        covered = sum(p.quantity for p in order.parts if p.status in LIVE_PART)
        text += f" Short: {order.quantity - covered} of {order.quantity} units could not be allocated."
    return text


def _item(item_id: str, order: OcdsOrder, quantity: int, part: OcdsPart | None = None) -> dict:
    item: dict = {"id": item_id, "description": order.title, "quantity": quantity}
    codes = [_classification(code) for code in order.cpv_codes]
    if codes:
        item["classification"] = codes[0]
    extra = codes[1:]
    if part is not None and part.labelled:
        extra.append({"scheme": LABEL_SCHEME, "id": part.label_number or "labelled", "description": LABEL_NAME})
    if extra:
        item["additionalClassifications"] = extra
    unit: dict = {"name": order.unit} if order.unit else {}
    if part is not None:
        unit["value"] = _value(part.unit_price, part.currency)
    if unit:
        item["unit"] = unit
    return item


def _classification(code: str) -> dict:
    label = cpv.label(code)
    return {"scheme": "CPV", "id": code, **({"description": label} if label else {})}


def _procurement_category(codes: list[str]) -> str | None:
    if not codes or not codes[0][:2].isdigit():
        return None
    division = int(codes[0][:2])
    return "works" if division == 45 else "goods" if division < 45 or division == 48 else "services"


def _parties(order: OcdsOrder, site_names: Mapping[str, str]) -> list[dict]:
    parties = [{**_site_reference(order.origin_site, site_names), "roles": ["procuringEntity"]}]
    if order.client_kind:
        parties.append({"id": "client", "roles": ["buyer"], "details": {"kind": order.client_kind}})
    for organisation, parts in _by_supplier(order.parts).items():
        first = parts[0]
        party = _reference(organisation, first.organisation_name)
        if first.organisation_nuts3:
            party["address"] = {"region": first.organisation_nuts3}
        party["roles"] = ["supplier"] if any(p.status in LIVE_PART for p in parts) else ["tenderer"]
        details: dict = {"kind": "social_enterprise", "site": first.site}
        if first.workers_in_integration is not None:
            details["workersInIntegration"] = first.workers_in_integration
        number = next((p.label_number for p in parts if p.labelled and p.label_number), None)
        if number:
            details["label"] = {"scheme": LABEL_SCHEME, "id": number, "name": LABEL_NAME}
        party["details"] = details
        parties.append(party)
    return parties


def _awards(order: OcdsOrder) -> list[dict]:
    awards = []
    for organisation, parts in _by_supplier(order.parts).items():
        part_status = next((s for s in AWARD_STATUS if any(p.status == s for p in parts)), None)
        if part_status is None:
            continue  # a part status this mapping does not know: leave it out rather than guess
        chosen = [p for p in parts if p.status == part_status]
        award: dict = {
            "id": organisation,
            "title": f"Part of the consortium at site {chosen[0].site}",
            "status": AWARD_STATUS[part_status],
            "date": rfc3339(max(p.answered_at or p.forwarded_at for p in chosen)),
            "value": _value(sum((p.unit_price * p.quantity for p in chosen), Decimal(0)), chosen[0].currency),
            "suppliers": [_reference(organisation, chosen[0].organisation_name)],
            "items": [_item(p.part_id, order, p.quantity, p) for p in chosen],
        }
        if order.deadline is not None:
            award["contractPeriod"] = _until_deadline(order.deadline)
        awards.append(award)
    return awards


def _related_process(part: OcdsPart, order: OcdsOrder) -> dict:
    unit = f" {order.unit}" if order.unit else ""
    return {"id": part.part_id, "relationship": ["subContract"],
            "title": f"Part forwarded to site {part.site}: {part.quantity}{unit}, {part.status}",
            "scheme": PART_SCHEME, "identifier": part.part_id, **({"uri": part.uri} if part.uri else {})}


def _by_supplier(parts: Iterable[OcdsPart]) -> dict[str, list[OcdsPart]]:
    """Parts per social enterprise, in the order each was first forwarded to."""
    grouped: dict[str, list[OcdsPart]] = {}
    for part in sorted(parts, key=lambda p: _utc(p.forwarded_at)):
        grouped.setdefault(f"{part.site}-{part.organisation_id}", []).append(part)
    return grouped


def _reference(party_id: str, name: str | None) -> dict:
    return {"id": party_id, **({"name": name} if name else {})}


def _site_reference(site: str, site_names: Mapping[str, str]) -> dict:
    return {"id": site, "name": f"SoPro service site {site_names[site]} ({site})" if site in site_names
            else f"SoPro service site {site}"}


def _until_deadline(deadline: date) -> dict:
    """Delivery by the deadline: to the end of that day (in UTC; the order holds no time zone)."""
    return {"endDate": f"{deadline.isoformat()}T23:59:59Z"}


def _value(amount: Decimal, currency: str) -> dict:
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


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, microseconds only when there are some."""
    return _utc(moment).isoformat().replace("+00:00", "Z")
