"""The registry's implementations of the contract's ports (`services.contracts.ports`), provided to the
other services by the composition root (`provides` of REGISTRY in `services.composition`)."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select

from services.common.runtime import Runtime
from services.contracts.ports import (
    CaseStudyFields, CaseStudyImpact, CaseStudyPartner, MemberOffer, MemberOrganisation, PublishedCaseStudy,
)
from services.registry import handlers
from services.registry.case_studies import Impact, Partner
from services.registry.offer_store import search_offers
from services.registry.organisation_store import search_organisations
from services.registry.rules import ACTIVE
from services.registry.tables import organisation


class CaseStudies:
    """`CaseStudyPublisher`: the registry's own use case (`handlers.publish_case_study`), in its own
    transaction, idempotent by the caller's id."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    def publish(self, case_study_id: str, fields: CaseStudyFields, today: date) -> PublishedCaseStudy:
        study = handlers.publish_case_study(self._runtime.uow(), dict(
            title=fields.title, summary=fields.summary, year=fields.year, cpv_codes=list(fields.cpv_codes),
            client_organisation_id=fields.client_organisation_id,
            social_enterprise_id=fields.social_enterprise_id, impact=_impact(fields.impact),
            partners=[Partner(p.site, p.organisation_id, p.organisation_name, p.quantity, _impact(p.impact))
                      for p in fields.partners]), today, case_study_id=case_study_id)
        return PublishedCaseStudy(id=study.id, reference=study.reference, fields=CaseStudyFields(
            title=study.title, summary=study.summary, year=study.year, cpv_codes=tuple(study.cpv_codes),
            client_organisation_id=study.client_organisation_id, social_enterprise_id=study.social_enterprise_id,
            impact=_contract_impact(study.impact),
            partners=tuple(CaseStudyPartner(p.site, p.organisation_id, p.organisation_name, p.quantity,
                                            _contract_impact(p.impact)) for p in study.partners)))


def _impact(impact: CaseStudyImpact) -> Impact:
    return Impact(value_paid_eur=impact.value_paid_eur, material_diverted_kg=impact.material_diverted_kg,
                  integration_hours=impact.integration_hours)


def _contract_impact(impact: Impact) -> CaseStudyImpact:
    return CaseStudyImpact(value_paid_eur=impact.value_paid_eur, material_diverted_kg=impact.material_diverted_kg,
                           integration_hours=impact.integration_hours)


class Members:
    """`MemberDirectory`: the registry's organisations as a site administrator looks them up."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    def find(self, text: str, limit: int = 20) -> list[MemberOrganisation]:
        with self._runtime.engine.connect() as conn:
            found = search_organisations(conn, per_page=limit, q=text)
        return sorted((_member(o) for o in found.items), key=lambda m: m.name.casefold())

    def named(self, ids: Iterable[str]) -> dict[str, MemberOrganisation]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        t = organisation
        with self._runtime.engine.connect() as conn:
            rows = conn.execute(select(t.c.id, t.c.name, t.c.kind, t.c.town, t.c.status).where(t.c.id.in_(wanted)))
            return {r.id: MemberOrganisation(r.id, r.name, r.kind, r.town, r.status == ACTIVE) for r in rows}


def _member(org) -> MemberOrganisation:
    return MemberOrganisation(org.id, org.name, org.kind, org.address.town if org.address else None)


class Offers:
    """`OfferDirectory`: an organisation's published offers."""

    def __init__(self, runtime: Runtime):
        self._runtime = runtime

    def published(self, organisation_id: str) -> list[MemberOffer]:
        with self._runtime.engine.connect() as conn:
            found = search_offers(conn, organisation_id=organisation_id, per_page=200)
        return sorted((MemberOffer(o.id, o.title, tuple(o.cpv_codes)) for o in found.items),
                      key=lambda o: o.title.casefold())
