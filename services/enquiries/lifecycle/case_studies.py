"""A closed enquiry becomes a case study in the registry, with its impact attached.

`draft` is pure: it proposes the case study's fields from the enquiry, its agreements and their impact.
`publish` hands them to the registry through the port `CaseStudyPublisher` (`services.contracts.ports`;
the registry provides it, see `provides` of REGISTRY in `services.composition`), in-process and in the
registry's own transaction, then links the case study to the enquiry in a second one. The case study's
id is derived from the site and the enquiry, and the registry publishes an id once: a crash between the
two transactions leaves a case study that the retry links instead of publishing a second one.
(An HTTP call to /api/v1/case-studies would need a staff token minted by the site for itself, for no
gain when both run in one process.) The registry has no unpublished state, so the broker reviews the
draft (GET) before publishing it (POST), optionally with their own title and summary.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from services.common.errors import Conflict
from services.contracts.ports import CaseStudyFields, CaseStudyImpact, CaseStudyPublisher
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


def draft(enquiry: Enquiry, agreements: list[d.Agreement], impacts: list[ImpactRecord]) -> dict:
    delivered = [a for a in agreements if a.status == d.DELIVERED]
    # The case study names one social enterprise: the one that delivered the largest share.
    main = max(delivered, key=lambda a: a.terms.quantity, default=None)

    def total(name: str) -> Decimal | None:
        values = [getattr(i, name) for i in impacts if getattr(i, name) is not None]
        return sum(values, Decimal(0)) if values else None

    quantity = sum((a.terms.quantity for a in delivered), Decimal(0))
    partners = len({a.organisation_id for a in delivered})
    title = enquiry.shareable_title  # a case study is public: never the client's own words unapproved
    summary = (f"{title}: {quantity} {enquiry.unit or 'units'} delivered by {partners} social "
               f"enterprise{'s' if partners != 1 else ''} ({enquiry.reference}).")
    year = max((i.year for i in impacts), default=enquiry.created_at.year)
    return {
        "title": title, "summary": summary, "year": year, "cpv_codes": list(enquiry.cpv_codes),
        "client_organisation_id": enquiry.client.organisation_id,
        "social_enterprise_id": main.organisation_id if main else None,
        "impact": {"value_paid_eur": total("value_paid_eur"), "material_diverted_kg": total("material_diverted_kg"),
                   "integration_hours": total("integration_hours")},
        "case_study_id": enquiry.case_study_id,
    }


def load_draft(conn, enquiry_id: str) -> dict:
    enquiry = store.load_enquiry(conn, enquiry_id)
    _require_closed(enquiry)
    return draft(enquiry, deals_store.agreements_of(conn, enquiry_id), deals_store.impacts_of(conn, enquiry_id))


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
            "case_study_id": study.id}


def _as_contract(fields: dict) -> CaseStudyFields:
    return CaseStudyFields(
        title=fields["title"], summary=fields["summary"], year=fields["year"], cpv_codes=tuple(fields["cpv_codes"]),
        client_organisation_id=fields["client_organisation_id"], social_enterprise_id=fields["social_enterprise_id"],
        impact=CaseStudyImpact(**fields["impact"]))


def _require_closed(enquiry: Enquiry) -> None:
    if enquiry.state != CLOSED:
        raise Conflict(f"a case study is made of a closed enquiry; this one is {enquiry.state}",
                       {"state": [enquiry.state]}, code="not_closed")


