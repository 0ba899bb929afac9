"""The national stakeholder platform's membership rules (issue 19, item 5): join with a role of the
contract, leave, rejoin; joining twice and leaving twice are conflicts, an unknown role is invalid; every
change records the membership's snapshot, with the organisation's id and nothing about a person."""
from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import Conflict, Invalid
from services.community.platforms.model import Membership
from services.community.platforms.pages import ROLES
from services.contracts.events.community import MEMBER_ROLES, PlatformMemberData

ORG = "0b6f5a52-3a51-4f0e-9b43-2a0c55f1d001"


def test_joining_records_the_snapshot_with_the_organisation_and_no_person():
    membership = Membership.join(ORG, "AT", "ngo", date(2026, 12, 1))
    [recorded] = membership.pop_events()
    assert recorded.aggregate_id == ORG and recorded.aggregate_version == 1
    assert recorded.event.__class__.__name__ == "PlatformMemberJoined"
    data = PlatformMemberData().dump(recorded.event)
    assert data == {"organisation_id": ORG, "country": "AT", "role": "ngo", "joined_on": "2026-12-01",
                    "status": "active"}
    assert PlatformMemberData().validate(data) == {}


def test_leaving_and_rejoining_with_another_role():
    membership = Membership.join(ORG, "AT", "company", date(2026, 1, 5))
    membership.leave(date(2026, 6, 1))
    assert (membership.status, membership.left_on) == ("left", date(2026, 6, 1))
    membership.rejoin("funder", date(2026, 12, 1))
    assert (membership.status, membership.role, membership.joined_on, membership.left_on) == \
        ("active", "funder", date(2026, 12, 1), None)
    kinds = [r.event.__class__.__name__ for r in membership.pop_events()]
    assert kinds == ["PlatformMemberJoined", "PlatformMemberLeft", "PlatformMemberJoined"]
    assert membership.version == 3


def test_joining_twice_or_leaving_twice_is_a_conflict():
    membership = Membership.join(ORG, "HU", "research", date(2026, 1, 5))
    with pytest.raises(Conflict) as twice:
        membership.rejoin("research", date(2026, 2, 1))
    assert twice.value.status == 409 and twice.value.code == "already_member"
    membership.leave(date(2026, 3, 1))
    with pytest.raises(Conflict) as again:
        membership.leave(date(2026, 3, 2))
    assert again.value.status == 409 and again.value.code == "not_member"


@pytest.mark.parametrize("role", ["", "person", "SOCIAL_ENTERPRISE", "funder "])
def test_an_unknown_role_is_invalid(role):
    with pytest.raises(Invalid) as refused:
        Membership.join(ORG, "AT", role, date(2026, 1, 5))
    assert refused.value.status == 422 and list(refused.value.errors) == ["role"]


def test_every_role_of_the_contract_has_words_on_the_pages():
    assert set(ROLES) == set(MEMBER_ROLES)
