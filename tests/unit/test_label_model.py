"""The label's state machines: application, four eyes, and the label's life (with a fixed clock)."""
from datetime import date, datetime, timezone

import pytest

from services.common.errors import Conflict, Invalid
from services.label import catalogue, model as m
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
CAT = catalogue.load(1)


def application(**kw) -> m.Application:
    return m.Application(id="a1", holder_organisation_id="o1", holder_name="Textil Kft", product="Tote bag",
                         cpv_codes=["18930000"], catalogue_version=1, **kw)


def assessed(evidence=GOOD_EVIDENCE) -> m.Application:
    app = application()
    app.edit(CAT, {"evidence": evidence})
    app.submit()
    app.assess(CAT, "anna", GOOD_SCORES, NOW)
    return app


def test_submission_freezes_the_draft():
    app = application()
    app.edit(CAT, {"product": "Bag"})
    app.submit()
    with pytest.raises(Conflict):
        app.edit(CAT, {"product": "Other"})


def test_out_of_range_evidence_is_invalid():
    with pytest.raises(Invalid) as exc:
        application().edit(CAT, {"evidence": {"se_share": {"figure": "150"}}})
    assert "se_share" in exc.value.errors["evidence"]


def test_deciding_an_unassessed_application_conflicts():
    app = application()
    app.submit()
    with pytest.raises(Conflict) as exc:
        app.decide("bela", "granted", "ok", NOW)
    assert exc.value.code == "not_assessed"


def test_four_eyes_the_assessor_cannot_decide():
    app = assessed()
    with pytest.raises(Conflict) as exc:
        app.decide("anna", "granted", "ok", NOW)
    assert exc.value.code == "four_eyes"
    app.decide("bela", "granted", "ok", NOW)
    assert app.status == "granted"


def test_no_grant_without_the_mandatory_criterion():
    app = assessed({k: v for k, v in GOOD_EVIDENCE.items() if k != "se_share"})
    with pytest.raises(Conflict) as exc:
        app.decide("bela", "granted", "ok", NOW)
    assert exc.value.code == "criteria_not_met"
    app.decide("bela", "refused", "the SE share is not evidenced", NOW)
    assert app.status == "refused"


def test_returned_for_more_evidence_is_editable_again():
    app = assessed()
    app.decide("bela", "returned", "more invoices", NOW)
    app.edit(CAT, {"product": "Bag v2"})
    app.submit()
    assert app.status == "submitted" and app.assessment is None


def granted_label(today=date(2026, 3, 1)) -> m.Label:
    app = assessed()
    app.decide("bela", "granted", "ok", NOW)
    return m.Label.grant("l1", m.label_number("HU22", 2026, 1), app, today, validity_years=2)


def test_a_grant_is_valid_two_years_and_records_its_event():
    label = granted_label()
    assert label.number == "SOPRO-HU22-2026-0001" and label.valid_until == date(2028, 3, 1)
    assert [r.type for r in label.pop_events()] == ["label.label.granted"]


def renewal_of(label: m.Label, catalogue=CAT) -> m.Application:
    last = assessed()
    return m.reassessment("r1", label, last, "renewal", catalogue)


def test_a_renewal_is_a_new_assessment_that_extends_the_validity_without_a_gap():
    label = granted_label()
    renewal = renewal_of(label)
    assert renewal.purpose == "renewal" and renewal.label_number == label.number and renewal.status == "draft"
    assert renewal.evidence == {cid: {"figure": GOOD_EVIDENCE[cid]["figure"]}
                                for cid in ("se_share", "regional_primary_products", "resource_saving")}
    with pytest.raises(Conflict):
        label.renew(renewal, 2)  # not assessed and decided: the handler renews only on a grant
    renewal.edit(CAT, {"evidence": GOOD_EVIDENCE})
    renewal.submit()
    renewal.assess(CAT, "anna", GOOD_SCORES, NOW)
    renewal.decide("bela", "granted", "ok", NOW)
    label.pop_events()
    label.renew(renewal, 2)
    assert label.valid_until == date(2030, 3, 1) and label.application_id == "r1"
    assert [r.type for r in label.pop_events()] == ["label.label.renewed"]


def test_only_a_renewal_of_this_label_renews_it():
    label = granted_label()
    other = renewal_of(label)
    other.label_number = "SOPRO-HU22-2026-0002"
    with pytest.raises(Conflict):
        label.renew(other, 2)
    with pytest.raises(Conflict):
        label.renew(assessed(), 2)  # a first application


def test_a_label_lapses_after_its_last_day_unless_a_renewal_is_assessed_within_the_grace():
    label = granted_label()
    assert not label.expire_if_due(date(2028, 3, 1))
    assert not label.expire_if_due(date(2028, 3, 2), renewal_under_way=True, grace_days=90)
    assert not label.expire_if_due(date(2028, 5, 30), renewal_under_way=True, grace_days=90)
    assert label.expire_if_due(date(2028, 5, 31), renewal_under_way=True, grace_days=90)
    assert label.status == "expired" and label.reason == "the renewal was not decided in time"
    late = granted_label()
    assert late.expire_if_due(date(2028, 3, 2), renewal_under_way=False, grace_days=90)
    assert late.reason == "validity ended"
    with pytest.raises(Conflict):
        late.renew(renewal_of(late), 2)


def test_a_reassessment_keeps_only_figures_the_catalogue_in_force_still_accepts():
    v2 = catalogue.from_dict({"version": 2, "validity_years": 3, "criteria": [
        {"id": "se_share", "kind": "threshold", "text": {"de": "a", "hu": "b", "en": "c"},
         "evidence": {"figure": {"name": "share_percent", "unit": "percent", "min": 50, "max": 100}},
         "scoring": {"minimum": 60}}]})
    renewal = renewal_of(granted_label(), v2)
    assert renewal.catalogue_version == 2
    assert renewal.evidence == {}  # 45 % is outside version 2's range; the other criteria are gone
    with pytest.raises(Invalid):
        m.reassessment("x", granted_label(), assessed(), "rename", CAT)


def test_suspension_at_most_six_months_then_reinstate_or_revoke():
    label = granted_label()
    with pytest.raises(Invalid):
        label.suspend(date(2026, 4, 1), date(2026, 10, 2), "complaint")
    label.suspend(date(2026, 4, 1), date(2026, 10, 1), "complaint")
    assert label.status == "suspended"
    label.reinstate("resolved")
    label.revoke("fraud")
    with pytest.raises(Conflict):
        label.reinstate("again")
    assert label.status == "revoked"


def test_complaint_moves():
    c = m.Complaint("c1", "SOPRO-HU22-2026-0001", "not regional", None)
    c.move("under_review", None)
    c.move("upheld", "suspended")
    with pytest.raises(Conflict):
        c.move("open", None)


def test_add_months_clamps_to_the_month_end():
    assert m.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert m.add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_a_suspension_ends_by_itself_after_its_end_date():
    label = granted_label()
    label.suspend(date(2026, 4, 1), date(2026, 5, 1), "complaint")
    assert not label.end_suspension_if_lapsed(date(2026, 5, 1))
    assert label.end_suspension_if_lapsed(date(2026, 5, 2)) and label.status == "valid"
    assert label.suspended_until is None
