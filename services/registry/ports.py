"""The registry's implementations of the contract's ports (`services.contracts.ports`), provided to the
other services by the composition root (`provides` of REGISTRY in `services.composition`)."""
from __future__ import annotations

from datetime import date

from services.common.runtime import Runtime
from services.contracts.ports import CaseStudyFields, CaseStudyImpact, CaseStudyPartner, PublishedCaseStudy
from services.registry import handlers
from services.registry.case_studies import Impact, Partner


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
