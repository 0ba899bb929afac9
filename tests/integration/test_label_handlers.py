"""Label use cases on PostgreSQL: four eyes, numbers under concurrent grants, expiry and renewal with a
controllable clock, outbox events, and the catalogue version kept on old decisions. SQLite too."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest
import yaml
from sqlalchemy import select

from services.common.errors import Conflict
from services.common.outbox import outbox
from services.label import catalogues, handlers as h
from services.contracts.events.label import LabelData
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES, V2
from tests.support.migrated import bootstrap

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
ORG = str(uuid.uuid4())


@pytest.fixture(params=BACKENDS)
def runtime(request, make_settings, tmp_path):
    """PostgreSQL (distributed mode) and SQLite (the embedded mode, the default run)."""
    url = pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'label.sqlite'}")
    rt = bootstrap(make_settings("HU22", db_url=url))
    yield rt
    rt.engine.dispose()


def fields(**kw):
    return {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
            "cpv_codes": ["18930000"], "evidence": GOOD_EVIDENCE, **kw}


def assessed(rt) -> str:
    app = h.create_application(rt.uow(), fields(), "member1", acting_for=ORG)
    h.submit_application(rt.uow(), app.id, "member1", acting_for=ORG)
    h.assess_application(rt.uow(), app.id, "anna", GOOD_SCORES, NOW)
    return app.id


def events(rt) -> list[tuple[str, dict]]:
    with rt.engine.connect() as conn:
        return [(r.type, r.data) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


def test_grant_by_a_second_person_publishes_the_label(runtime):
    app_id = assessed(runtime)
    with pytest.raises(Conflict):
        h.decide_application(runtime.uow(), app_id, "anna", "granted", "ok", TODAY, NOW)
    app, label = h.decide_application(runtime.uow(), app_id, "bela", "granted", "ok", TODAY, NOW)
    assert label.number == "SOPRO-HU22-2026-0001" and app.label_number == label.number
    assert label.valid_until == date(2028, 3, 1)
    [(kind, data)] = events(runtime)
    assert kind == "label.label.granted" and data["number"] == label.number and data["catalogue_version"] == 1
    actions = [a["action"] for a in h.audit_trail(runtime.engine, [app_id, label.number])]
    assert actions == ["created", "submitted", "assessed", "granted", "decided_granted"]


def test_label_numbers_are_unique_under_concurrent_grants(runtime):
    ids = [assessed(runtime) for _ in range(12)]
    barrier = threading.Barrier(len(ids))

    def grant(app_id):
        barrier.wait(timeout=60)
        return h.decide_application(runtime.uow(), app_id, "bela", "granted", "ok", TODAY, NOW)[1].number

    with ThreadPoolExecutor(len(ids)) as pool:
        numbers = list(pool.map(grant, ids))
    assert sorted(numbers) == [f"SOPRO-HU22-2026-{n:04d}" for n in range(1, 13)]


def test_expiry_by_the_tick_with_a_controllable_clock(runtime):
    _, label = h.decide_application(runtime.uow(), assessed(runtime), "bela", "granted", "ok", TODAY, NOW)
    assert h.expire_labels(runtime.uow, date(2028, 3, 1), grace_days=90) == []
    [expired] = h.expire_labels(runtime.uow, date(2028, 3, 2), grace_days=90)  # no renewal under way: no grace
    assert expired.status == "expired" and h.find_label(runtime.engine, label.number).status == "expired"
    assert [t for t, _ in events(runtime)] == ["label.label.granted", "label.label.expired"]


def test_an_upheld_complaint_suspends_the_label(runtime):
    _, label = h.decide_application(runtime.uow(), assessed(runtime), "bela", "granted", "ok", TODAY, NOW)
    c = h.file_complaint(runtime.uow(), label.number, "the cotton is imported", "someone@example.org")
    h.review_complaint(runtime.uow(), c.id, "upheld", "checked", "admin", TODAY, "suspend", date(2026, 6, 1))
    assert h.find_label(runtime.engine, label.number).status == "suspended"
    assert events(runtime)[-1][0] == "label.label.suspended"
    assert "someone" not in str(events(runtime))
    for _, data in events(runtime):  # what a consumer of the contract loads, unknown fields refused
        LabelData().load(data)


def test_old_decisions_keep_their_catalogue_version(runtime):
    _, old = h.decide_application(runtime.uow(), assessed(runtime), "bela", "granted", "ok", TODAY, NOW)
    with runtime.uow() as uow:  # as the hub's `hub.criteria.published` leaves it (services/label/consumers.py)
        catalogues.store_published(uow.conn, yaml.safe_load(V2), TODAY, NOW, None)
        uow.commit()
    app = h.create_application(runtime.uow(), fields(evidence={"se_share": {"figure": "45"}}), "m", None)
    assert app.catalogue_version == 2
    h.submit_application(runtime.uow(), app.id, "m", None)
    h.assess_application(runtime.uow(), app.id, "anna", {"se_share": {"reason": "ok"}}, NOW)
    _, new = h.decide_application(runtime.uow(), app.id, "bela", "granted", "ok", TODAY, NOW)
    assert new.valid_until == date(2029, 3, 1)  # v2 says three years
    assert h.find_label(runtime.engine, old.number).catalogue_version == 1
    assert h.find_label(runtime.engine, new.number).catalogue_version == 2


def test_the_tick_ends_a_lapsed_suspension(runtime):
    _, label = h.decide_application(runtime.uow(), assessed(runtime), "bela", "granted", "ok", TODAY, NOW)
    h.suspend_label(runtime.uow(), label.number, "bela", date(2026, 4, 1), "complaint", TODAY)
    assert h.end_lapsed_suspensions(runtime.uow, date(2026, 4, 1)) == []
    [back] = h.end_lapsed_suspensions(runtime.uow, date(2026, 4, 2))
    assert back.status == "valid" and events(runtime)[-1][0] == "label.label.reinstated"


def test_the_register_finds_holders_by_any_case_of_their_name(runtime):
    app = h.create_application(runtime.uow(), fields(holder_name="ŐRSÉGI Textil Kft"), "m", None)
    h.submit_application(runtime.uow(), app.id, "m", None)
    h.assess_application(runtime.uow(), app.id, "anna", GOOD_SCORES, NOW)
    h.decide_application(runtime.uow(), app.id, "bela", "granted", "ok", TODAY, NOW)
    found = h.search_labels(runtime.engine, holder="őrségi", cpv_division="18", status="valid", page=1, per_page=10)
    assert found.total == 1 and found.items[0].holder_name == "ŐRSÉGI Textil Kft"
