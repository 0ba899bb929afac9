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
  awaited or was accepted (in production, delivered or failed too), else (declined, superseded) as
  `tenderer`; once deliveries are recorded the buyer is also `payer` and the supplier `payee`.
- `awards`: one per social enterprise, with the same id in every release so that a compiled record
  follows it: `active` (its accepted parts, whatever came of them since), else `pending` (forwarded, awaiting its site's answer:
  OCDS's "proposed, not yet in force"), else `unsuccessful` (declined), else `cancelled` (superseded).
  Values are in the supplier's own currency; OCDS has one currency per value, so nothing is converted.
- `contracts` and their `implementation` (deliveries as transactions and milestones): see `contracts`.
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
free `details` object. Money and times: see `blocks`.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from services.hub.ocds import contracts as contract_stage
from services.hub.ocds.blocks import (
    LABEL_NAME, LABEL_SCHEME, item, json_number, reference, rfc3339, supplier_id, until_deadline, utc, value,
)
from services.hub.ocds.model import CONTRACTED, LIVE, OcdsDelivery, OcdsFailure, OcdsOrder, OcdsPart

OCDS_VERSION = "1.1"
DEFAULT_URI = "http://localhost:8000/api/v1/ocds/release-package"  # the embedded hub; pass the real one
PART_SCHEME = "SOPRO-PART"

# order status -> tenderStatus (closed codelist); "short": the quantity cannot be met (accepted parts keep
# their awards); once agreed, the tender stays complete through production and delivery
TENDER_STATUS = {"allocating": "active", "forwarded": "active", "agreed": "complete", "short": "unsuccessful",
                 "in_production": "complete", "delivered": "complete", "cancelled": "cancelled"}
TENDER_ENDED = ("agreed", "short", "in_production", "delivered", "cancelled")
# awardStatus of a social enterprise's award by its parts' states, the first that any of its parts has wins
AWARD_STATUS = (("active", CONTRACTED), ("pending", ("forwarded",)), ("unsuccessful", ("declined",)),
                ("cancelled", ("superseded",)))

__all__ = ["OcdsDelivery", "OcdsFailure", "OcdsOrder", "OcdsPart", "json_number", "release", "release_package",
           "rfc3339"]


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
    contracts = contract_stage.contracts(order)
    body = {
        "ocid": f"{ocid_prefix}-{order.order_id}",
        "date": rfc3339(order.updated_at),
        "tag": _tags(order, awards, contracts),
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(order, site_names or {}),
        "tender": _tender(order, site_names or {}),
    }
    if order.client_kind:
        body["buyer"] = {"id": contract_stage.BUYER}
    if awards:
        body["awards"] = awards
    if contracts:
        body["contracts"] = contracts
    if order.parts:
        body["relatedProcesses"] = [_related_process(part, order) for part in order.parts]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]
    return {"ocid": body["ocid"], "id": f"{utc(order.updated_at).strftime('%Y%m%dT%H%M%S%fZ')}-{digest}", **body}


def _tags(order: OcdsOrder, awards: list, contracts: list) -> list[str]:
    tags = ["tenderCancellation" if order.status == "cancelled" else "tender"]
    if awards:
        tags.append("award")
    if contracts:
        tags.append("contract")
    if any("implementation" in c for c in contracts):
        tags.append("implementation")
    return tags


def _tender(order: OcdsOrder, site_names: Mapping[str, str]) -> dict:
    tender = {
        "id": order.enquiry_reference,
        "title": order.title,
        "description": _tender_description(order),
        "status": TENDER_STATUS[order.status],
        "procuringEntity": _site_reference(order.origin_site, site_names),
        "items": [item(order.enquiry_id, order, order.quantity)],
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
        tender["value"] = value(order.budget, order.currency)
    if order.status in TENDER_ENDED:
        tender["tenderPeriod"]["endDate"] = rfc3339(order.updated_at)
    if order.deadline is not None:
        tender["contractPeriod"] = until_deadline(order.deadline)
    return tender


def _tender_description(order: OcdsOrder) -> str:
    text = f"Cross-border order for enquiry {order.enquiry_reference} of site {order.origin_site}."
    if order.delivery_nuts3:
        text += f" Delivery to NUTS-3 region {order.delivery_nuts3}."
    if order.status == "short":
        # a failed part still counts what it delivered before it failed
        covered = sum(p.quantity if p.status in LIVE else p.delivered for p in order.parts)
        text += f" Short: {order.quantity - covered} of {order.quantity} units could not be allocated."
    return text


def _procurement_category(codes: list[str]) -> str | None:
    if not codes or not codes[0][:2].isdigit():
        return None
    division = int(codes[0][:2])
    return "works" if division == 45 else "goods" if division < 45 or division == 48 else "services"


def _parties(order: OcdsOrder, site_names: Mapping[str, str]) -> list[dict]:
    paying = contract_stage.has_transactions(order)
    payees = contract_stage.payee_ids(order)
    parties = [{**_site_reference(order.origin_site, site_names), "roles": ["procuringEntity"]}]
    if order.client_kind:
        parties.append({"id": contract_stage.BUYER, "roles": ["buyer", "payer"] if paying else ["buyer"],
                        "details": {"kind": order.client_kind}})
    for organisation, parts in _by_supplier(order.parts).items():
        first = parts[0]
        party = reference(organisation, first.organisation_name)
        if first.organisation_nuts3:
            party["address"] = {"region": first.organisation_nuts3}
        supplying = any(p.status in LIVE or p.was_accepted for p in parts)
        party["roles"] = (["supplier"] if supplying else ["tenderer"]) + (["payee"] if organisation in payees else [])
        details: dict = {"kind": "social_enterprise", "site": first.site}
        if first.workers_in_integration is not None:
            details["workersInIntegration"] = first.workers_in_integration
        number = next((p.label_number for p in parts if p.labelled and p.label_number), None)
        if number:
            details["label"] = {"scheme": LABEL_SCHEME, "id": number, "name": LABEL_NAME}
        party["details"] = details
        parties.append(party)
    return parties


def _award_status(part: OcdsPart) -> str | None:
    if part.was_accepted:
        return "active"
    return next((award for award, states in AWARD_STATUS if part.status in states), None)


def _awards(order: OcdsOrder) -> list[dict]:
    awards = []
    for organisation, parts in _by_supplier(order.parts).items():
        statuses = {_award_status(p) for p in parts}
        status = next((award for award, _ in AWARD_STATUS if award in statuses), None)
        if status is None:
            continue  # a part status this mapping does not know: leave it out rather than guess
        chosen = [p for p in parts if _award_status(p) == status]
        award: dict = {
            "id": organisation,
            "title": f"Part of the consortium at site {chosen[0].site}",
            "status": status,
            "date": rfc3339(max(p.answered_at or p.forwarded_at for p in chosen)),
            "value": value(sum((p.unit_price * p.quantity for p in chosen), Decimal(0)), chosen[0].currency),
            "suppliers": [reference(organisation, chosen[0].organisation_name)],
            "items": [item(p.part_id, order, p.quantity, p) for p in chosen],
        }
        if order.deadline is not None:
            award["contractPeriod"] = until_deadline(order.deadline)
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
    for part in sorted(parts, key=lambda p: utc(p.forwarded_at)):
        grouped.setdefault(supplier_id(part), []).append(part)
    return grouped


def _site_reference(site: str, site_names: Mapping[str, str]) -> dict:
    return {"id": site, "name": f"SoPro service site {site_names[site]} ({site})" if site in site_names
            else f"SoPro service site {site}"}
