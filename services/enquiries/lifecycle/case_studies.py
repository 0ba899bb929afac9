"""A closed enquiry becomes a case study in the registry, with its impact attached.

`draft` is pure: it proposes the case study's fields from the enquiry, its agreements and their impact.
`publish` hands them to the registry through the port `CaseStudyPublisher` (`services.contracts.ports`;
the registry provides it, see `provides` of REGISTRY in `services.composition`), in-process and in the
registry's own transaction, then links the case study to the enquiry in a second one. The case study's
id is derived from the site and the enquiry, and the registry publishes an id once: a crash between the
two transactions leaves a case study that the retry links instead of publishing a second one. A
cross-border order's case study credits every social enterprise of the consortium (`partners`, of any
site), each with its part's impact.
(An HTTP call to /api/v1/case-studies would need a staff token minted by the site for itself, for no
gain when both run in one process.) The registry has no unpublished state, so the broker reviews the
draft (GET) before publishing it (POST), optionally with their own title and summary.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Mapping

from services.common.errors import Conflict
from services.contracts.ports import CaseStudyFields, CaseStudyImpact, CaseStudyPartner, CaseStudyPublisher
from services.enquiries.crossborder import store as crossborder_store
from services.enquiries.lifecycle import deals as d, deals_store, store
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import CLOSED
from services.enquiries.lifecycle.impact import ImpactRecord

# The namespace of case study ids (uuid5 of site and enquiry). Never change it: a retry after an upgrade
# would publish a second case study of an enquiry published before.
CASE_STUDY_IDS = uuid.UUID("5b0e2c1e-6f4a-4d43-9a57-c0a5e5c0d1e5")


def case_study_id(site_id: str, enquiry_id: str) -> str:
    """The id of the case study made of an enquiry: the same on every attempt."""
    return str(uuid.uuid5(CASE_STUDY_IDS, f"{site_id}/{enquiry_id}"))


IMPACT = ("value_paid_eur", "material_diverted_kg", "integration_hours")


def draft(enquiry: Enquiry, agreements: list[d.Agreement], impacts: list[ImpactRecord],
          consortium: Mapping | None = None) -> dict:
    """The case study's fields. A cross-border order (`consortium`: the hub's latest snapshot) credits
    every social enterprise of the consortium that delivered, each with its part's impact, and adds the
    consortium's impact to the totals."""
    delivered = [a for a in agreements if a.status == d.DELIVERED]
    # `social_enterprise_id` names one of this site's: the one that delivered the largest local share.
    main = max(delivered, key=lambda a: a.terms.quantity, default=None)
    partners = consortium_partners(consortium)
    consortium_impact = (consortium or {}).get("impact") or {}

    def total(name: str) -> Decimal | None:
        values = [getattr(i, name) for i in impacts if getattr(i, name) is not None]
        if partners and consortium_impact.get(name) is not None:
            values.append(Decimal(str(consortium_impact[name])))
        return sum(values, Decimal(0)) if values else None

    quantity = sum((a.terms.quantity for a in delivered), Decimal(0)) + sum(p["quantity"] for p in partners)
    count = len({a.organisation_id for a in delivered} | {p["organisation_id"] for p in partners})
    title = enquiry.shareable_title  # a case study is public: never the client's own words unapproved
    summary = (f"{title}: {quantity} {enquiry.unit or 'units'} delivered by {count} social "
               f"enterprise{'s' if count != 1 else ''} ({enquiry.reference}).")
    years = [i.year for i in impacts] + [p["year"] for p in partners if p["year"] is not None]
    return {
        "title": title, "summary": summary, "year": max(years, default=enquiry.created_at.year),
        "cpv_codes": list(enquiry.cpv_codes), "client_organisation_id": enquiry.client.organisation_id,
        "social_enterprise_id": main.organisation_id if main else None,
        "impact": {name: total(name) for name in IMPACT},
        "partners": [{k: v for k, v in p.items() if k != "year"} for p in partners],
        "case_study_id": enquiry.case_study_id,
    }


def consortium_partners(consortium: Mapping | None) -> list[dict]:
    """The consortium's social enterprises that delivered, with what they delivered and their part's impact."""
    partners = []
    for part in (consortium or {}).get("parts", ()):
        if not part.get("delivered"):
            continue
        impact = part.get("impact") or {}
        partners.append({
            "site": part["site"], "organisation_id": str(part["organisation_id"]),
            "organisation_name": part.get("organisation_name"), "quantity": part["delivered"],
            "impact": {name: None if impact.get(name) is None else Decimal(str(impact[name])) for name in IMPACT},
            "year": impact.get("year")})
    return partners


def load_draft(conn, enquiry_id: str) -> dict:
    enquiry = store.load_enquiry(conn, enquiry_id)
    _require_closed(enquiry)
    consortium = crossborder_store.consortium_of(conn, enquiry_id)
    return draft(enquiry, deals_store.agreements_of(conn, enquiry_id), deals_store.impacts_of(conn, enquiry_id),
                 consortium["snapshot"] if consortium is not None else None)


def publish(new_uow, publisher: CaseStudyPublisher, enquiry_id: str, overrides: dict, now: datetime) -> dict:
    """Publish the case study in the registry, then link it to the enquiry (a second transaction: the
    registry commits its own). Once linked, a second call is a 409, not a second case study; before that,
    a retry publishes the same id, which the registry returns unchanged, and links it."""
    with new_uow() as uow:
        fields = load_draft(uow.conn, enquiry_id)
        study_id = case_study_id(uow.site_id, enquiry_id)
    if fields["case_study_id"]:
        raise Conflict(f"the enquiry already has the case study {fields['case_study_id']}",
                       {"case_study_id": [fields["case_study_id"]]}, code="case_study_exists")
    fields.pop("case_study_id")
    fields.update({k: v for k, v in overrides.items() if v is not None})
    study = publisher.publish(study_id, _as_contract(fields), now.date())
    with new_uow() as uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        enquiry.case_study_id = study.id
        store.save_enquiry(uow.conn, enquiry)
        uow.commit()
    published = study.fields
    return {"title": published.title, "summary": published.summary, "year": published.year,
            "cpv_codes": list(published.cpv_codes), "client_organisation_id": published.client_organisation_id,
            "social_enterprise_id": published.social_enterprise_id, "impact": asdict(published.impact),
            "partners": [asdict(p) for p in published.partners], "case_study_id": study.id}


def _as_contract(fields: dict) -> CaseStudyFields:
    return CaseStudyFields(
        title=fields["title"], summary=fields["summary"], year=fields["year"], cpv_codes=tuple(fields["cpv_codes"]),
        client_organisation_id=fields["client_organisation_id"], social_enterprise_id=fields["social_enterprise_id"],
        impact=CaseStudyImpact(**fields["impact"]),
        partners=tuple(CaseStudyPartner(p["site"], p["organisation_id"], p["organisation_name"], p["quantity"],
                                        CaseStudyImpact(**p["impact"])) for p in fields["partners"]))


def _require_closed(enquiry: Enquiry) -> None:
    if enquiry.state != CLOSED:
        raise Conflict(f"a case study is made of a closed enquiry; this one is {enquiry.state}",
                       {"state": [enquiry.state]}, code="not_closed")


