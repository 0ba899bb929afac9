"""A closed enquiry becomes a case study in the registry, with its impact attached.

`draft` is pure: it proposes the case study's fields from the enquiry, its agreements and their impact.
`publish` hands them to the registry through the port `CaseStudyPublisher` (`services.contracts.ports`;
the registry provides it, see `provides` of REGISTRY in `services.composition`), in-process and in the
registry's own transaction, then links the case study to the enquiry in a second one.
(An HTTP call to /api/v1/case-studies would need a staff token minted by the site for itself, for no
gain when both run in one process.) The registry has no unpublished state, so the broker reviews the
draft (GET) before publishing it (POST), optionally with their own title and summary.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from services.common.errors import Conflict
from services.contracts.ports import CaseStudyFields, CaseStudyImpact, CaseStudyPublisher
from services.enquiries.lifecycle import deals as d, deals_store, model as m, store
from services.enquiries.lifecycle.impact import ImpactRecord


def draft(enquiry: m.Enquiry, agreements: list[d.Agreement], impacts: list[ImpactRecord]) -> dict:
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
    """Publish the case study in the registry, then remember it on the enquiry (a second transaction:
    the registry commits its own). A second call is a 409, not a second case study."""
    with new_uow() as uow:
        fields = load_draft(uow.conn, enquiry_id)
    if fields["case_study_id"]:
        raise Conflict(f"the enquiry already has the case study {fields['case_study_id']}",
                       {"case_study_id": [fields["case_study_id"]]}, code="case_study_exists")
    fields.pop("case_study_id")
    fields.update({k: v for k, v in overrides.items() if v is not None})
    study = publisher.publish(_as_contract(fields), now.date())
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


def _require_closed(enquiry: m.Enquiry) -> None:
    if enquiry.state != m.CLOSED:
        raise Conflict(f"a case study is made of a closed enquiry; this one is {enquiry.state}",
                       {"state": [enquiry.state]}, code="not_closed")


