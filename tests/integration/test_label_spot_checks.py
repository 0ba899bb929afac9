"""The yearly spot-check draw as a use case (issue 17, item 5), on PostgreSQL and SQLite: it draws the share of
this site's valid labels its seed gives, opens a spot-check re-assessment of each in the assessors' queue in
the same transaction, is audited and replays; a second draw of the year is a 409; the yearly job draws once."""
from __future__ import annotations

import math
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services import jobs
from services.common.errors import Conflict
from services.composition import LABEL
from services.contracts.label_policy import LabelPolicy
from services.label import handlers as h, spot_check_draws, spot_checks
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES
from tests.support.migrated import bootstrap

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
ORG = str(uuid.uuid4())


@pytest.fixture(params=BACKENDS)
def runtime(request, make_settings, tmp_path):
    url = pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'label.sqlite'}")
    rt = bootstrap(make_settings("HU22", db_url=url))
    yield rt
    rt.engine.dispose()


def granted(rt, n: int) -> list[str]:
    numbers = []
    for i in range(n):
        app = h.create_application(rt.uow(), {"holder_organisation_id": ORG, "holder_name": "Textil Kft",
                                              "product": f"Tote bag {i}", "cpv_codes": ["18930000"],
                                              "evidence": GOOD_EVIDENCE}, "member1", acting_for=ORG, today=TODAY)
        h.submit_application(rt.uow(), app.id, "member1", acting_for=ORG)
        h.assess_application(rt.uow(), app.id, "anna", GOOD_SCORES, NOW)
        numbers.append(h.decide_application(rt.uow(), app.id, "bela", "granted", "ok", TODAY, NOW)[1].number)
    return numbers


def test_a_draw_opens_spot_checks_in_the_queue_is_audited_replays_and_happens_once_a_year(runtime):
    numbers = granted(runtime, 12)
    h.suspend_label(runtime.uow(), numbers[4], "bela", date(2026, 4, 1), "checked", TODAY)  # not valid: not drawn
    valid = sorted(n for n in numbers if n != numbers[4])

    done = spot_check_draws.draw_spot_checks(runtime.uow(), 2026, "lottery 3 17 22", "bela", Decimal("0.25"), TODAY)
    assert done.population == valid and len(done.drawn) == math.ceil(Decimal("0.25") * 11) == 3
    assert done.drawn == spot_checks.draw(valid, Decimal("0.25"), "lottery 3 17 22")
    assert sorted(done.applications) == sorted(done.drawn)
    for number, app_id in done.applications.items():
        app = h.get_application(runtime.engine, app_id, None)
        assert (app.purpose, app.label_number, app.holder_organisation_id) == ("spot_check", number, ORG)
        assert app.status in ("draft", "submitted")  # the re-assessment waits in the queue
        assert [a["action"] for a in h.audit_trail(runtime.engine, [number])][-1] == "spot_check opened"
    queue = h.list_applications(runtime.engine, None, app.status, 1, 100).items
    assert {a.label_number for a in queue if a.purpose == "spot_check"} == set(done.drawn)

    [step] = h.audit_trail(runtime.engine, [spot_check_draws.audit_id(2026)])
    assert (step["action"], step["actor"]) == ("drawn", "bela")
    assert step["details"]["seed"] == "lottery 3 17 22" and step["details"]["drawn"] == done.drawn
    with runtime.engine.connect() as conn:
        [recorded] = spot_check_draws.draws(conn)
    assert (recorded.year, recorded.share, recorded.drawn, recorded.applications) == (
        2026, Decimal("0.25"), done.drawn, done.applications)
    assert spot_checks.replay(recorded)

    with pytest.raises(Conflict) as refused:
        spot_check_draws.draw_spot_checks(runtime.uow(), 2026, None, "bela", Decimal("0.25"), TODAY)
    assert refused.value.status == 409 and refused.value.code == "already_drawn"
    with runtime.engine.connect() as conn:
        assert len(spot_check_draws.draws(conn)) == 1


def test_the_yearly_job_draws_once_with_a_recorded_random_seed_and_the_networks_share(runtime):
    assert jobs.draw_spot_checks in LABEL.jobs
    # a tick with no valid label yet records no empty draw: the year's draw waits for labels
    assert jobs.draw_spot_checks(runtime, datetime(2027, 1, 1, tzinfo=timezone.utc)) == [
        "no valid label to draw for the spot checks of 2027 yet"]
    with runtime.engine.connect() as conn:
        assert spot_check_draws.draws(conn) == []
    numbers = granted(runtime, 11)
    share = LabelPolicy.of(runtime.settings.federation).spot_check_share
    january = datetime(2027, 1, 1, 0, 5, tzinfo=timezone.utc)
    lines = jobs.draw_spot_checks(runtime, january)
    k = math.ceil(share * 11)
    assert lines[-1] == f"{k} of 11 valid labels drawn for the spot checks of 2027" and len(lines) == k + 1
    with runtime.engine.connect() as conn:
        [recorded] = spot_check_draws.draws(conn)
    assert recorded.year == 2027 and recorded.drawn_by == "sopro tick" and len(recorded.seed) == 32
    assert recorded.population == sorted(numbers) and spot_checks.replay(recorded)
    assert jobs.draw_spot_checks(runtime, datetime(2027, 1, 1, 1, 5, tzinfo=timezone.utc)) == [
        "the spot checks of 2027 are drawn already"]

    # next year: a label whose spot check is still undecided is not drawn from again
    lines = jobs.draw_spot_checks(runtime, datetime(2028, 1, 1, tzinfo=timezone.utc))
    with runtime.engine.connect() as conn:
        latest = spot_check_draws.draws(conn)[0]
    assert latest.year == 2028 and set(latest.population) == set(numbers) - set(recorded.drawn)


def test_two_draws_of_the_same_year_at_once_make_one_draw(runtime):
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: two draws cannot overlap there")
    granted(runtime, 4)
    barrier = threading.Barrier(2)

    def attempt(seed):
        barrier.wait(timeout=30)
        try:
            return spot_check_draws.draw_spot_checks(runtime.uow(), 2026, seed, "bela", Decimal("0.5"), TODAY).seed
        except Conflict as exc:
            return exc.status

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(map(str, pool.map(attempt, ["one", "two"])))
    assert outcomes[0] == "409" and outcomes[1] in ("one", "two")
    with runtime.engine.connect() as conn:
        [recorded] = spot_check_draws.draws(conn)
    assert recorded.seed == outcomes[1] and len(recorded.applications) == 2  # the loser opened nothing
    spot = h.list_applications(runtime.engine, None, None, 1, 100).items
    assert len([a for a in spot if a.purpose == "spot_check"]) == 2
