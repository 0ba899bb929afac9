"""The pure rules of appeals: what may be appealed, within 30 days, once per decision, and decided only by a
person who did not decide before (issue 17: "an appeal decided by the same person is refused"). And the two
domain steps an upheld appeal takes: an application reopened, a revocation lifted."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.errors import Conflict, Invalid
from services.label import model as m
from services.label.appeal_model import APPEAL_DAYS, Appeal, Decided

DECIDED_AT = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
ORG = "0f2e1d8c-0000-4000-8000-000000000001"


def refusal(**kw) -> Decided:
    return Decided(**{"against": "refused", "holder_organisation_id": ORG, "status_now": "refused",
                      "decided_at": DECIDED_AT, "deciders": ("anna", "bela"), "application_id": "app-1", **kw})


def filed(decided: Decided | None = None, now: datetime = DECIDED_AT + timedelta(days=3), earlier=()) -> Appeal:
    return Appeal.file("appeal-1", decided or refusal(), "The figures were misread.", "member1", now, list(earlier))


def test_an_appeal_decided_by_the_same_person_who_decided_before_is_refused():
    appeal = filed()
    for before in ("anna", "bela"):  # the assessor and the approver of the refusal
        with pytest.raises(Conflict) as refused:
            appeal.decide(before, "upheld", "looks right", DECIDED_AT + timedelta(days=5))
        assert refused.value.code == "four_eyes" and "four eyes" in refused.value.message
    assert appeal.status == "open" and appeal.decided_by is None
    appeal.decide("csilla", "upheld", "the figures were misread", DECIDED_AT + timedelta(days=5))
    assert (appeal.status, appeal.decided_by, appeal.decision_reason) == ("upheld", "csilla", "the figures were misread")


def test_everyone_who_suspended_or_revoked_and_the_filer_are_excluded_once_each():
    decided = Decided(against="revoked", holder_organisation_id=ORG, status_now="revoked", decided_at=DECIDED_AT,
                      deciders=("dora", "emil", "dora", "anna", "bela", None), label_number="SOPRO-HU22-2026-0001")
    appeal = filed(decided)
    assert appeal.excluded == ["dora", "emil", "anna", "bela"]
    assert not appeal.may_decide("member1") and appeal.may_decide("csilla")
    with pytest.raises(Conflict):
        appeal.decide("emil", "dismissed", "no", DECIDED_AT)


def test_an_appeal_is_filed_within_30_days_of_the_decision():
    last_day = DECIDED_AT.replace(hour=23) + timedelta(days=APPEAL_DAYS)
    assert filed(now=last_day).created_at == last_day
    with pytest.raises(Conflict) as late:
        filed(now=last_day + timedelta(hours=1))
    assert late.value.code == "appeal_too_late" and "2026-03-31" in late.value.message


def test_only_a_standing_refusal_suspension_or_revocation_may_be_appealed():
    with pytest.raises(Conflict) as gone:
        filed(refusal(status_now="submitted"))
    assert gone.value.code == "not_appealable"
    with pytest.raises(Conflict):
        filed(Decided(against="suspended", holder_organisation_id=ORG, status_now="valid", decided_at=DECIDED_AT,
                      deciders=(), label_number="SOPRO-HU22-2026-0001"))
    with pytest.raises(Invalid):
        filed(refusal(against="granted", status_now="granted"))


def test_one_appeal_per_decision_and_grounds_are_required():
    first = filed()
    with pytest.raises(Conflict) as second:
        filed(earlier=[first])
    assert second.value.code == "appeal_open"
    first.decide("csilla", "dismissed", "the refusal stands", DECIDED_AT + timedelta(days=4))
    with pytest.raises(Conflict) as again:
        filed(earlier=[first])
    assert again.value.code == "appeal_decided"
    with pytest.raises(Invalid) as blank:
        Appeal.file("a", refusal(), "   ", "member1", DECIDED_AT, [])
    assert blank.value.errors == {"grounds": ["must not be blank"]}


def test_a_decided_appeal_is_not_decided_again_and_needs_a_known_outcome_and_reason():
    appeal = filed()
    with pytest.raises(Invalid):
        appeal.decide("csilla", "granted", "no", DECIDED_AT)
    with pytest.raises(Invalid):
        appeal.decide("csilla", "upheld", " ", DECIDED_AT)
    appeal.decide("csilla", "dismissed", "stands", DECIDED_AT)
    with pytest.raises(Conflict) as twice:
        appeal.decide("dora", "upheld", "no", DECIDED_AT)
    assert twice.value.code == "appeal_decided" and appeal.status == "dismissed"


def _label(status: str, valid_until: date) -> m.Label:
    return m.Label(id="l1", number="SOPRO-HU22-2026-0001", application_id="app-1", holder_organisation_id=ORG,
                   holder_name="Textil Kft", product="Tote bag", cpv_codes=["18930000"], catalogue_version=1,
                   status=status, valid_from=date(2026, 3, 1), valid_until=valid_until, reason="revoked for x")


def test_an_upheld_appeal_lifts_a_revocation_valid_or_expired_by_the_validity():
    within = _label("revoked", date(2028, 3, 1))
    within.restore_on_appeal(date(2026, 4, 1), "the revocation was wrong")
    assert (within.status, within.reason) == ("valid", "the revocation was wrong")
    assert [type(r.event).__name__ for r in within.pop_events()] == ["LabelReinstated"]
    ended = _label("revoked", date(2026, 3, 31))
    ended.restore_on_appeal(date(2026, 4, 1), "the revocation was wrong")
    assert ended.status == "expired" and [type(r.event).__name__ for r in ended.pop_events()] == ["LabelExpired"]
    with pytest.raises(Conflict):
        _label("valid", date(2028, 3, 1)).restore_on_appeal(date(2026, 4, 1), "no")


def test_an_upheld_refusal_reopens_the_application_for_a_new_assessment():
    app = m.Application(id="app-1", holder_organisation_id=ORG, holder_name="Textil Kft", product="Tote bag",
                        cpv_codes=["18930000"], catalogue_version=1, status="refused",
                        assessment={"assessor": "anna"}, decision={"approver": "bela", "outcome": "refused"})
    app.reopen_on_appeal()
    assert (app.status, app.assessment, app.decision, app.version) == ("submitted", None, None, 1)
    with pytest.raises(Conflict):
        app.reopen_on_appeal()
