"""The label's use cases through its handlers on a fresh SQLite site each: apply, assess and decide with
four eyes across a return for more evidence, a refusal that is final, and what a refused step leaves
behind (nothing: no label, no event, no audit row, no number taken)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.common.errors import Conflict, Forbidden, Invalid
from services.label import handlers as h
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES
from tests.support.sites import outbox_rows

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
ORG, OTHER_ORG = "4d7c7f0e-3c55-4f7e-9b2a-5d0f0e1c2a01", "4d7c7f0e-3c55-4f7e-9b2a-5d0f0e1c2a02"


@pytest.fixture
def site(site_runtime):
    return site_runtime("HU22")


def submitted(site, evidence=GOOD_EVIDENCE) -> str:
    """An application a member made for its own organisation and submitted."""
    fields = {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
              "cpv_codes": ["18930000"], "evidence": evidence}
    app = h.create_application(site.uow(), fields, "member", acting_for=ORG)
    h.submit_application(site.uow(), app.id, "member", acting_for=ORG)
    return app.id


def assess(site, app_id: str) -> str:
    h.assess_application(site.uow(), app_id, "anna", GOOD_SCORES, NOW)
    return app_id


def status(site, application_id: str) -> str:
    return h.get_application(site.engine, application_id, acting_for=None).status


def steps(site, *subject_ids: str) -> list[tuple[str, str]]:
    return [(a["action"], a["actor"]) for a in h.audit_trail(site.engine, list(subject_ids))]


def test_four_eyes_follow_the_assessment_being_decided_across_a_return_for_more_evidence(site):
    app_id = submitted(site, {k: v for k, v in GOOD_EVIDENCE.items() if k != "quality_innovation"})
    h.assess_application(site.uow(), app_id, "anna", GOOD_SCORES, NOW)
    returned, label = h.decide_application(site.uow(), app_id, "bela", "returned", "test report missing", TODAY, NOW)
    assert (returned.status, label) == ("returned", None)

    h.update_application(site.uow(), app_id, {"evidence": GOOD_EVIDENCE}, "member", acting_for=ORG)
    h.submit_application(site.uow(), app_id, "member", acting_for=ORG)
    with pytest.raises(Conflict) as unassessed:  # the first assessment went with the return
        h.decide_application(site.uow(), app_id, "bela", "granted", "ok", TODAY, NOW)
    assert (unassessed.value.status, unassessed.value.code) == (409, "not_assessed")

    h.assess_application(site.uow(), app_id, "carla", GOOD_SCORES, NOW)
    with pytest.raises(Conflict) as same_person:
        h.decide_application(site.uow(), app_id, "carla", "granted", "ok", TODAY, NOW)
    assert same_person.value.code == "four_eyes" and status(site, app_id) == "assessed"
    app, label = h.decide_application(site.uow(), app_id, "anna", "granted", "ok", TODAY, NOW)  # not this assessor

    assert (app.status, app.label_number, label.number) == ("granted", "SOPRO-HU22-2026-0001", "SOPRO-HU22-2026-0001")
    assert [(t, v) for t, _, v, _ in outbox_rows(site)] == [("label.label.granted", 1)]
    assert steps(site, app_id, label.number) == [
        ("created", "member"), ("submitted", "member"), ("assessed", "anna"), ("decided_returned", "bela"),
        ("edited", "member"), ("submitted", "member"), ("assessed", "carla"), ("granted", "anna"),
        ("decided_granted", "anna")]


def test_a_refused_grant_leaves_everything_as_it_was_and_a_refusal_is_final(site):
    app_id = submitted(site, {k: v for k, v in GOOD_EVIDENCE.items() if k != "se_share"})  # mandatory criterion
    assessed = h.assess_application(site.uow(), app_id, "anna", GOOD_SCORES, NOW)
    assert assessed.assessment["passed"] is False and "se_share" in assessed.assessment["failures"]

    with pytest.raises(Conflict) as not_met:
        h.decide_application(site.uow(), app_id, "bela", "granted", "ok", TODAY, NOW)
    assert (not_met.value.status, not_met.value.code) == (409, "criteria_not_met")
    assert "se_share" in not_met.value.errors["criteria"]
    assert status(site, app_id) == "assessed" and outbox_rows(site) == []
    assert steps(site, app_id)[-1] == ("assessed", "anna")

    refused, label = h.decide_application(site.uow(), app_id, "bela", "refused", "no SE share shown", TODAY, NOW)
    assert (refused.status, refused.label_number, label) == ("refused", None, None)
    for again in (lambda: h.decide_application(site.uow(), app_id, "bela", "granted", "ok", TODAY, NOW),
                  lambda: h.assess_application(site.uow(), app_id, "carla", GOOD_SCORES, NOW),
                  lambda: h.update_application(site.uow(), app_id, {"product": "Bag"}, "member", acting_for=ORG)):
        with pytest.raises(Conflict) as final:
            again()
        assert final.value.code == "illegal_state"
    assert outbox_rows(site) == []  # a refusal publishes nothing

    _, granted = h.decide_application(site.uow(), assess(site, submitted(site)), "bela", "granted", "ok", TODAY, NOW)
    assert granted.number == "SOPRO-HU22-2026-0001"  # no number was taken before


def test_a_member_acts_only_for_its_own_organisation_and_a_submission_freezes_the_evidence(site):
    fields = {"holder_organisation_id": OTHER_ORG, "holder_name": "Other Kft", "product": "Bag",
              "cpv_codes": ["18930000"], "evidence": GOOD_EVIDENCE}
    with pytest.raises(Forbidden) as foreign:
        h.create_application(site.uow(), fields, "member", acting_for=ORG)
    assert foreign.value.status == 403
    assert h.list_applications(site.engine, None, None, 1, 10).total == 0

    app_id = submitted(site)
    with pytest.raises(Forbidden):
        h.get_application(site.engine, app_id, acting_for=OTHER_ORG)
    with pytest.raises(Forbidden):
        h.update_application(site.uow(), app_id, {"product": "Other"}, "stranger", acting_for=OTHER_ORG)
    with pytest.raises(Conflict) as frozen:
        h.update_application(site.uow(), app_id, {"product": "Other"}, "member", acting_for=ORG)
    assert (frozen.value.status, frozen.value.code) == (409, "illegal_state")
    assert h.get_application(site.engine, app_id, acting_for=ORG).product == "Tote bag"
    assert steps(site, app_id) == [("created", "member"), ("submitted", "member")]


def test_evidence_and_scores_that_do_not_fit_the_catalogue_are_422_and_change_nothing(site):
    fields = {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
              "cpv_codes": ["18930000"], "evidence": {**GOOD_EVIDENCE, "se_share": {"figure": "140"}}}
    with pytest.raises(Invalid) as evidence:
        h.create_application(site.uow(), fields, "member", acting_for=ORG)
    assert evidence.value.status == 422 and list(evidence.value.errors["evidence"]) == ["se_share"]
    assert h.list_applications(site.engine, ORG, None, 1, 10).total == 0

    app_id = submitted(site)
    for scores, criterion in (({**GOOD_SCORES, "resource_saving": {"score": 99, "reason": "r"}}, "resource_saving"),
                              ({**GOOD_SCORES, "se_share": {"score": 3, "reason": "r"}}, "se_share"),
                              ({**GOOD_SCORES, "no_such_criterion": {"score": 1, "reason": "r"}}, "no_such_criterion")):
        with pytest.raises(Invalid) as misfit:
            h.assess_application(site.uow(), app_id, "anna", scores, NOW)
        assert list(misfit.value.errors["scores"]) == [criterion]
    assert status(site, app_id) == "submitted"
    assert steps(site, app_id) == [("created", "member"), ("submitted", "member")]
