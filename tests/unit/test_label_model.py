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


def test_expiry_and_renewal_with_a_controllable_clock():
    label = granted_label()
    assert not label.expire_if_due(date(2028, 3, 1))
    label.renew(date(2028, 2, 1), 2)
    assert label.valid_until == date(2030, 3, 1)
    assert label.expire_if_due(date(2030, 3, 2)) and label.status == "expired"
    with pytest.raises(Conflict):
        label.renew(date(2030, 3, 3), 2)
    assert [r.type for r in label.pop_events()][-2:] == ["label.label.renewed", "label.label.expired"]


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
