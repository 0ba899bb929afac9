"""The hub's community handlers on SQLite and PostgreSQL: each site's events and platform members as their
newest snapshot, whatever order the events arrive in; counts only, nothing personal."""
from __future__ import annotations

from sqlalchemy import inspect, select

from services.hub.community import queries
from services.hub.community.store import hub_community_event, hub_platform_member
from tests.support import hub
from tests.support.hub_community import event, member, new_id

runtime = hub.runtime  # the hub's fixture: on SQLite and on PostgreSQL
apply = hub.apply


def _row(rt, table, site: str, aggregate_id: str):
    with rt.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.site == site, table.c.id == aggregate_id)).mappings().first()


def test_the_newest_snapshot_wins_and_its_counts_are_kept(runtime):
    event_id = new_id()
    apply(runtime, event(1, event_id), event(3, event_id, "community.event.updated", registered=30, waiting=4))
    apply(runtime, event(2, event_id, "community.event.updated", registered=20))  # late: stale
    row = _row(runtime, hub_community_event, "AT12", event_id)
    assert row["aggregate_version"] == 3
    assert (row["capacity"], row["registered"], row["waiting"]) == (30, 30, 4)
    assert row["starts_at"].tzinfo is not None and row["texts"][0]["title"] == "Forum Kreislaufwirtschaft"


def test_counts_change_with_each_update(runtime):
    event_id = new_id()
    apply(runtime, event(1, event_id), event(2, event_id, "community.event.updated", registered=13))
    assert _row(runtime, hub_community_event, "AT12", event_id)["registered"] == 13
    apply(runtime, event(3, event_id, "community.event.updated", registered=11))
    assert _row(runtime, hub_community_event, "AT12", event_id)["registered"] == 11


def test_a_cancelled_event_stays_cancelled_and_a_stale_update_does_not_revive_it(runtime):
    event_id = new_id()
    apply(runtime, event(1, event_id), event(4, event_id, "community.event.cancelled", status="cancelled"),
          event(3, event_id, "community.event.updated", status="scheduled", registered=29))
    row = _row(runtime, hub_community_event, "AT12", event_id)
    assert row["status"] == "cancelled" and row["registered"] == 12 and row["aggregate_version"] == 4


def test_the_same_id_at_two_sites_is_two_events(runtime):
    event_id = new_id()
    apply(runtime, event(1, event_id),
          event(1, event_id, site="HU22", country="HU", registered=3))
    assert _row(runtime, hub_community_event, "AT12", event_id)["registered"] == 12
    assert _row(runtime, hub_community_event, "HU22", event_id)["registered"] == 3


def test_a_member_who_left_is_hidden_and_a_stale_join_does_not_bring_it_back(runtime):
    stays, leaves = new_id(), new_id()
    apply(runtime, member(1, stays, role="research"), member(1, leaves), member(2, leaves, status="left"),
          member(1, leaves))  # a redelivered join (version 1) after the leave: stale
    assert _row(runtime, hub_platform_member, "AT12", leaves)["status"] == "left"
    with runtime.engine.connect() as conn:
        shown = queries.members(conn, "AT")
        assert queries.member_counts(conn, ["AT", "HU"]) == {"AT": 1, "HU": 0}
    assert [(m.organisation_id, m.role) for m in shown] == [(stays, "research")]
    apply(runtime, member(3, leaves, role="funder"))  # rejoined
    with runtime.engine.connect() as conn:
        assert {m.organisation_id for m in queries.members(conn, "AT")} == {stays, leaves}


def test_the_community_tables_hold_no_personal_columns(runtime):
    columns = {table: {c["name"] for c in inspect(runtime.engine).get_columns(table)}
               for table in ("hub_community_event", "hub_platform_member")}
    for names in columns.values():
        assert not names & {"name", "email", "e_mail", "first_name", "last_name", "phone", "registrations",
                            "person", "attendees"}
    assert {"capacity", "registered", "waiting"} <= columns["hub_community_event"]
