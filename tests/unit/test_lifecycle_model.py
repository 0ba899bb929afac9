"""The enquiry's state machine, transition by transition: every move of the table is allowed for its
parties when its precondition holds; every other (state, target) pair is a 409 naming the state and
the allowed next ones; the wrong party gets 403; a failing precondition is a 409."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from services.common.errors import Conflict, Forbidden, Invalid
from services.contracts.events import enquiries as ev
from services.contracts.events.enquiries import ENQUIRY_STATES
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import (
    AGREED, BROKER, CANCELLED, CLIENT, DELIVERED, DRAFT, EXPIRED, IN_CONSULTATION, IN_PRODUCTION, MATCHING,
    NEGOTIATING, OPEN, PARTIES, PEOPLE, SUBMITTED, SYSTEM, TABLE, TERMINAL, TRANSITIONS, Actor, Facts, allowed_next,
)
from services.enquiries.lifecycle.values import Client, Contact, ResidualMaterial
from tests.support.enquiries import ACTORS, CLIENT_ORG, NOW, SE_ORG, TODAY, enquiry

ALL_GOOD = Facts(TODAY, open_proposals=1, active_agreements=1, undelivered_agreements=0, consortium_agreed=True,
                 consortium_delivered=True)


def move(e: Enquiry, target: str, party: str, facts: Facts = ALL_GOOD):
    return e.move(target, ACTORS[party], facts, NOW, "because", social_enterprise_id=SE_ORG)


ALLOWED = [(t.source, t.target, p) for t in TRANSITIONS for p in sorted(t.parties)]
FORBIDDEN = [(s, t) for s in ENQUIRY_STATES for t in ENQUIRY_STATES if (s, t) not in TABLE]
WRONG_PARTY = [(t.source, t.target, p) for t in TRANSITIONS for p in PARTIES if p not in t.parties]


@pytest.mark.parametrize("source,target,party", ALLOWED)
def test_every_allowed_transition_moves_and_is_audited(source, target, party):
    e = enquiry(source, deadline=TODAY - timedelta(days=1) if target == EXPIRED else TODAY + timedelta(days=9))
    entry = move(e, target, party)
    assert e.state == target
    assert (entry.from_state, entry.to_state, entry.party, entry.actor, entry.at, entry.reason) == \
        (source, target, party, ACTORS[party].subject, NOW, "because")
    events = [r.event for r in e.pop_events()]
    if source == DRAFT and target == CANCELLED:
        assert events == []  # a draft is never published
    elif target == SUBMITTED:
        assert [type(x) for x in events] == [ev.EnquirySubmitted] and events[0].state == SUBMITTED
    else:
        assert [type(x) for x in events] == [ev.EnquiryChanged] and events[0].state == target


@pytest.mark.parametrize("source,target", FORBIDDEN)
def test_every_transition_not_in_the_table_is_a_conflict_naming_the_allowed_next(source, target):
    e = enquiry(source)
    with pytest.raises(Conflict) as caught:
        move(e, target, BROKER)
    assert caught.value.code == "illegal_transition"
    assert source in caught.value.message
    assert caught.value.errors == {"state": [source], "allowed_next": allowed_next(source, (BROKER,))}
    for nxt in allowed_next(source, (BROKER,)):
        assert nxt in caught.value.message
    assert e.state == source and e.pop_events() == []


def test_the_moves_offered_to_people_leave_out_those_only_the_system_makes():
    assert "agreed" in allowed_next("submitted")  # when the hub's consortium is agreed
    assert "agreed" not in allowed_next("submitted", PEOPLE) and "expired" not in allowed_next("matching", PEOPLE)
    assert allowed_next("submitted", (BROKER,)) == ["in_consultation", "matching", "cancelled"]


@pytest.mark.parametrize("source,target,party", WRONG_PARTY)
def test_a_party_not_in_the_table_is_forbidden(source, target, party):
    e = enquiry(source, deadline=TODAY - timedelta(days=1) if target == EXPIRED else TODAY + timedelta(days=9))
    with pytest.raises(Forbidden):
        move(e, target, party)
    assert e.state == source


def test_a_member_of_another_organisation_is_no_party():
    e = enquiry(DRAFT)
    with pytest.raises(Forbidden):
        e.move(SUBMITTED, Actor("other", organisation_id="33333333-3333-4333-8333-333333333333"), ALL_GOOD, NOW)


FAILING = [
    (DRAFT, SUBMITTED, CLIENT, dict(deadline=TODAY - timedelta(days=1)), ALL_GOOD, "deadline"),
    (SUBMITTED, MATCHING, BROKER, dict(cpv_codes=[]), ALL_GOOD, "cpv_codes"),
    (IN_CONSULTATION, MATCHING, BROKER, dict(quantity=None, unit=None), ALL_GOOD, "quantity"),
    (MATCHING, NEGOTIATING, BROKER, {}, Facts(TODAY), "proposal"),
    (NEGOTIATING, AGREED, CLIENT, {}, Facts(TODAY, open_proposals=2), "accepted proposal"),
    (AGREED, IN_PRODUCTION, BROKER, {}, Facts(TODAY), "agreement"),
    (IN_PRODUCTION, DELIVERED, BROKER, {}, Facts(TODAY, active_agreements=2, undelivered_agreements=1),
     "not delivered"),
    (IN_PRODUCTION, DELIVERED, BROKER, {}, Facts(TODAY), "no agreement"),
    (IN_PRODUCTION, DELIVERED, SYSTEM, {}, Facts(TODAY, consortium_agreed=True), "consortium"),
    (SUBMITTED, AGREED, SYSTEM, {}, Facts(TODAY, active_agreements=1), "consortium agreed"),
    (IN_CONSULTATION, AGREED, SYSTEM, {}, Facts(TODAY), "consortium agreed"),
    (MATCHING, AGREED, SYSTEM, {}, Facts(TODAY), "consortium agreed"),
    (NEGOTIATING, EXPIRED, SYSTEM, dict(deadline=TODAY), ALL_GOOD, "not passed"),
    (SUBMITTED, EXPIRED, SYSTEM, dict(deadline=None), ALL_GOOD, "not passed"),
]


@pytest.mark.parametrize("source,target,party,fields,facts,says", FAILING)
def test_a_failing_precondition_is_a_conflict_saying_why(source, target, party, fields, facts, says):
    e = enquiry(source, **fields)
    with pytest.raises(Conflict) as caught:
        move(e, target, party, facts)
    assert caught.value.code == "precondition_failed" and says in caught.value.message
    assert e.state == source


def test_every_transition_with_a_precondition_has_a_failing_case():
    guarded = {(t.source, t.target) for t in TRANSITIONS if t.precondition is not None}
    assert guarded <= {(s, t) for s, t, *_ in FAILING} | {(s, EXPIRED) for s in OPEN} | \
        {(SUBMITTED, MATCHING)}


def test_terminal_states_have_no_way_out():
    for state in TERMINAL:
        assert allowed_next(state) == []


# --- the enquiry's rules -----------------------------------------------------------------------------

def create(**overrides):
    fields = dict(id="e1", reference="AT12-E-2026-0001", type="service", title="Cleaning",
                  client=Client("economic_enterprise", CLIENT_ORG), created_at=NOW, currency="EUR")
    fields.update(overrides)
    return Enquiry.create(TODAY, "HUF", **fields)


@pytest.mark.parametrize("overrides,field", [
    (dict(quantity=Decimal("-1"), unit="pieces"), "quantity"),
    (dict(quantity=Decimal("0"), unit="pieces"), "quantity"),
    (dict(quantity=Decimal("3")), "unit"),
    (dict(deadline=TODAY - timedelta(days=1)), "deadline"),
    (dict(cpv_codes=["99999999"]), "cpv_codes"),
    (dict(currency="USD"), "currency"),
    (dict(type="recycling_upcycling"), "residual_material"),
    (dict(residual_material=ResidualMaterial("wood", Decimal(1), "t", "weekly")), "residual_material"),
    (dict(client=Client("anonymous", None, Contact("Anna"))), "contact"),
    (dict(client=Client("economic_enterprise", None)), "client_organisation_id"),
    (dict(budget=Decimal("-5")), "budget"),
])
def test_invalid_enquiries_are_422_with_the_field(overrides, field):
    with pytest.raises(Invalid) as caught:
        create(**overrides)
    assert field in caught.value.errors


def test_events_carry_the_public_title_only_once_a_broker_approved_it():
    e = enquiry(SUBMITTED, title="Anfrage von Maria Huber (m@example.org)")
    assert e.snapshot()["title"] == "AT12-E-2026-0001 (CPV 39100000)"
    with pytest.raises(Forbidden):
        e.approve_public_text(ACTORS[CLIENT], "Pallet furniture", None, NOW)
    e.approve_public_text(ACTORS[BROKER], "Pallet furniture", "100 pieces", NOW)
    assert [r.event.title for r in e.pop_events()] == ["Pallet furniture"]
    e.approve_public_text(ACTORS[BROKER], "Pallet furniture", "100 pieces, soon", NOW)
    assert e.pop_events() == []  # no event carries the description: nothing to publish
    e.edit(ACTORS[BROKER], {"title": "Chairs of Maria Huber"}, TODAY, "EUR")  # public != title: stays
    assert [r.event.title for r in e.pop_events()] == ["Pallet furniture"]
    e.edit(ACTORS[BROKER], {"title": "Pallet furniture"}, TODAY, "EUR")
    e.edit(ACTORS[BROKER], {"title": "Pallet chairs"}, TODAY, "EUR")  # public == title: a broker's edit follows
    assert [r.event.title for r in e.pop_events()] == ["Pallet furniture", "Pallet chairs"]


def test_site_currency_and_eur_are_accepted():
    assert create(currency="HUF").currency == "HUF"
    assert create(currency="EUR", cpv_codes=["39100000", "39100000"]).cpv_codes == ["39100000"]


def test_drafts_are_edited_silently_and_submitted_enquiries_publish_their_changes():
    e = enquiry(DRAFT)
    e.edit(ACTORS[CLIENT], {"title": "New"}, TODAY, "EUR")
    assert e.title == "New" and e.pop_events() == []
    move(e, SUBMITTED, CLIENT)
    e.pop_events()
    with pytest.raises(Forbidden):  # after submission only the broker refines it
        e.edit(ACTORS[CLIENT], {"title": "Newer"}, TODAY, "EUR")
    e.edit(ACTORS[BROKER], {"title": "Newer"}, TODAY, "EUR")
    assert [r.event.title for r in e.pop_events()] == ["AT12-E-2026-0001 (CPV 39100000)"]  # the client's words wait
    e.edit(ACTORS[BROKER], {"title": "Newer"}, TODAY, "EUR")
    assert e.pop_events() == []  # nothing changed, nothing published
    with pytest.raises(Invalid):
        e.edit(ACTORS[BROKER], {"quantity": Decimal(-1)}, TODAY, "EUR")
    assert e.quantity == Decimal(100)


def test_a_broker_takes_over_an_anonymous_first_contact():
    e = enquiry(SUBMITTED, client=Client("anonymous", None, Contact("Anna", "a@example.org")))
    with pytest.raises(Forbidden):
        e.edit(ACTORS[CLIENT], {"client": {"kind": "public_institution"}}, TODAY, "EUR")
    e.edit(ACTORS[BROKER], {"client": {"kind": "public_institution", "organisation_id": CLIENT_ORG}}, TODAY, "EUR")
    assert e.client == Client("public_institution", CLIENT_ORG, Contact("Anna", "a@example.org"))
    assert e.pop_events()[0].event.client_organisation_id == CLIENT_ORG


def test_no_edit_after_matching():
    e = enquiry(NEGOTIATING)
    with pytest.raises(Conflict):
        e.edit(ACTORS[BROKER], {"title": "x"}, TODAY, "EUR")


def test_events_carry_no_personal_data():
    e = enquiry(DRAFT)
    move(e, SUBMITTED, CLIENT)
    data = e.pop_events()[0].data()
    assert "Maria" not in str(data) and "m@example.org" not in str(data)
    assert data["client_organisation_id"] == CLIENT_ORG and data["quantity"] == "100"


def test_cross_border_flag_is_published_once():
    e = enquiry(MATCHING, cross_border_allowed=True)
    assert e.flag_cross_border() and not e.flag_cross_border()
    assert [r.event.cross_border_flagged for r in e.pop_events()] == [True]
    assert not enquiry(DRAFT, cross_border_allowed=True).flag_cross_border()


def test_an_enquiry_whose_client_did_not_allow_cross_border_work_is_never_flagged():
    e = enquiry(MATCHING, cross_border_allowed=False)
    assert not e.flag_cross_border()
    assert not e.cross_border_flagged and e.pop_events() == []
