"""Renewal is a new assessment (issue 17): under the catalogue version in force, pre-filled from the last
application, decided by four eyes; it renews the label without a gap; a label whose renewal is still being
assessed on its last day stays valid for the network's grace period, then lapses. PostgreSQL and SQLite."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest
import yaml
from sqlalchemy import select

from services.common.errors import Conflict, Forbidden
from services.common.outbox import outbox
from services.label import catalogues, handlers as h
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES, V2
from tests.support.migrated import bootstrap

GRANTED_ON = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
ORG = str(uuid.uuid4())
V2_FROM = date(2027, 1, 1)


@pytest.fixture(params=BACKENDS)
def runtime(request, make_settings, tmp_path):
    url = pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'renewal.sqlite'}")
    rt = bootstrap(make_settings("HU22", db_url=url))
    yield rt
    rt.engine.dispose()


def granted(rt, evidence=GOOD_EVIDENCE):
    """A label granted under version 1 on GRANTED_ON (valid until 2028-03-01)."""
    fields = {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
              "cpv_codes": ["18930000"], "evidence": evidence}
    app = h.create_application(rt.uow(), fields, "member1", ORG, today=GRANTED_ON)
    h.submit_application(rt.uow(), app.id, "member1", ORG)
    h.assess_application(rt.uow(), app.id, "anna", GOOD_SCORES, NOW)
    return h.decide_application(rt.uow(), app.id, "bela", "granted", "ok", GRANTED_ON, NOW)[1]


def publish_v2(rt) -> None:
    """Version 2 as the agency's `hub.criteria.published` leaves it at the site: the SE share threshold rises
    from 30 to 40 %, validity three years, from V2_FROM."""
    with rt.uow() as uow:
        catalogues.store_published(uow.conn, yaml.safe_load(V2), V2_FROM, NOW, None)
        uow.commit()


def label_events(rt) -> list[tuple[str, dict]]:
    with rt.engine.connect() as conn:
        return [(r.type, r.data) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


def test_a_renewal_under_a_newer_version_applies_its_changed_threshold(runtime):
    label = granted(runtime, {**GOOD_EVIDENCE, "se_share": {"figure": "35"}})  # passes version 1's 30 %
    publish_v2(runtime)
    renewal = h.start_renewal(runtime.uow(), label.number, "member1", date(2027, 12, 1), ORG)
    assert (renewal.purpose, renewal.catalogue_version, renewal.status) == ("renewal", 2, "draft")
    assert renewal.evidence == {"se_share": {"figure": "35"}}, "pre-filled from the last application"
    h.submit_application(runtime.uow(), renewal.id, "member1", ORG)
    assessed = h.assess_application(runtime.uow(), renewal.id, "anna", {"se_share": {"reason": "checked"}}, NOW)
    assert not assessed.assessment["passed"]
    assert assessed.assessment["failures"] == {"se_share": ["below the minimum of 40 percent"]}
    with pytest.raises(Conflict) as refused:
        h.decide_application(runtime.uow(), renewal.id, "bela", "granted", "ok", date(2027, 12, 2), NOW)
    assert refused.value.code == "criteria_not_met"

    h.decide_application(runtime.uow(), renewal.id, "bela", "returned", "the share is too low now", GRANTED_ON, NOW)
    h.update_application(runtime.uow(), renewal.id, {"evidence": {"se_share": {"figure": "42"}}}, "member1", ORG)
    h.submit_application(runtime.uow(), renewal.id, "member1", ORG)
    h.assess_application(runtime.uow(), renewal.id, "anna", {"se_share": {"reason": "new timesheets"}}, NOW)
    app, renewed = h.decide_application(runtime.uow(), renewal.id, "bela", "granted", "ok", date(2027, 12, 2), NOW)
    assert app.status == "granted" and app.label_number == label.number
    assert renewed.number == label.number and renewed.catalogue_version == 2
    assert renewed.valid_until == date(2031, 3, 1), "three more years (version 2) after 2028-03-01, no gap"
    kind, data = label_events(runtime)[-1]
    assert kind == "label.label.renewed" and data["catalogue_version"] == 2 and data["application_id"] == renewal.id
    stored = h.find_label(runtime.engine, label.number)
    assert (stored.valid_until, stored.catalogue_version, stored.application_id) == (date(2031, 3, 1), 2, renewal.id)


def test_before_its_date_a_new_version_does_not_apply(runtime):
    label = granted(runtime)
    publish_v2(runtime)
    renewal = h.start_renewal(runtime.uow(), label.number, "member1", date(2026, 12, 31), ORG)
    assert renewal.catalogue_version == 1


def test_one_renewal_at_a_time_and_only_the_holders(runtime):
    label = granted(runtime)
    with pytest.raises(Forbidden):
        h.start_renewal(runtime.uow(), label.number, "stranger", GRANTED_ON, str(uuid.uuid4()))
    first = h.start_renewal(runtime.uow(), label.number, "member1", GRANTED_ON, ORG)
    with pytest.raises(Conflict) as twice:
        h.start_renewal(runtime.uow(), label.number, "member1", GRANTED_ON, ORG)
    assert twice.value.code == "already_under_way" and twice.value.errors == {"application": [first.id]}
    h.withdraw_application(runtime.uow(), first.id, "member1", ORG)
    assert h.start_renewal(runtime.uow(), label.number, "member1", GRANTED_ON, ORG).id != first.id


def test_a_submitted_renewal_holds_the_label_within_the_grace_only(runtime):
    label = granted(runtime)
    renewal = h.start_renewal(runtime.uow(), label.number, "member1", date(2028, 2, 1), ORG)
    h.update_application(runtime.uow(), renewal.id, {"evidence": GOOD_EVIDENCE}, "member1", ORG)
    h.submit_application(runtime.uow(), renewal.id, "member1", ORG)
    assert h.expire_labels(runtime.uow, date(2028, 3, 2), grace_days=30) == []
    assert h.expire_labels(runtime.uow, date(2028, 3, 31), grace_days=30) == []
    [lapsed] = h.expire_labels(runtime.uow, date(2028, 4, 1), grace_days=30)
    assert lapsed.status == "expired" and lapsed.reason == "the renewal was not decided in time"
    assert label_events(runtime)[-1][0] == "label.label.expired"
    h.assess_application(runtime.uow(), renewal.id, "anna", GOOD_SCORES, NOW)
    with pytest.raises(Conflict) as late:  # too late: the label lapsed, the holder applies anew
        h.decide_application(runtime.uow(), renewal.id, "bela", "granted", "ok", date(2028, 4, 2), NOW)
    assert late.value.code == "illegal_state"


def test_a_draft_renewal_does_not_hold_the_label(runtime):
    label = granted(runtime)
    h.start_renewal(runtime.uow(), label.number, "member1", date(2028, 2, 1), ORG)
    [expired] = h.expire_labels(runtime.uow, date(2028, 3, 2), grace_days=30)
    assert expired.number == label.number and expired.reason == "validity ended"
