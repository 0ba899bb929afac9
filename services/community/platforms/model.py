"""A membership of the national stakeholder platform (no I/O).

An organisation registered at the site joins its country's platform with a role of the contract
(`MEMBER_ROLES`); it may leave, and rejoin later (with a role chosen anew, from the day it rejoins).
Joining while a member, or leaving while not, is a conflict (409); a role the contract does not know is
invalid input (422). Each change records the membership's snapshot (`community.platform_member.joined` or
`.left`): the organisation's id, never a person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.common.errors import Conflict, invalid
from services.common.events import Aggregate
from services.contracts.events.community import (
    ACTIVE, LEFT, MEMBER_ROLES, PlatformMemberJoined, PlatformMemberLeft,
)

__all__ = ["ACTIVE", "LEFT", "MEMBER_ROLES", "Membership", "check_role"]


def check_role(role: str) -> str:
    if role not in MEMBER_ROLES:
        raise invalid("role", f"must be one of {', '.join(MEMBER_ROLES)}")
    return role


@dataclass
class Membership(Aggregate):
    id: str  # the organisation's id
    country: str
    role: str
    joined_on: date
    status: str = ACTIVE
    left_on: date | None = None

    @classmethod
    def join(cls, organisation_id: str, country: str, role: str, today: date) -> "Membership":
        membership = cls(id=organisation_id, country=country, role=check_role(role), joined_on=today)
        membership._record(PlatformMemberJoined(**membership._snapshot()))
        return membership

    def rejoin(self, role: str, today: date) -> None:
        check_role(role)
        if self.status == ACTIVE:
            raise Conflict(f"already a member of the platform since {self.joined_on:%Y-%m-%d}",
                           {"organisation_id": ["already a member of the platform"]}, code="already_member")
        self.role, self.joined_on, self.status, self.left_on = role, today, ACTIVE, None
        self._record(PlatformMemberJoined(**self._snapshot()))

    def leave(self, today: date) -> None:
        if self.status != ACTIVE:
            raise Conflict("the organisation is not a member of the platform", code="not_member")
        self.status, self.left_on = LEFT, today
        self._record(PlatformMemberLeft(**self._snapshot()))

    def _snapshot(self) -> dict:
        return dict(organisation_id=self.id, country=self.country, role=self.role, joined_on=self.joined_on,
                    status=self.status)
