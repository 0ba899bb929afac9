"""Appeals against a label decision: the pure rules (no Flask, no SQLAlchemy).

An appeal is against an application's refusal, a label's suspension or a label's revocation. The holder
organisation files it (a member, or a site admin on its behalf) with written grounds, within
APPEAL_DAYS days of the decision. One appeal per decision: while it is open a second is refused, and
once decided the appeal's decision is final (a new decision, e.g. after a reopened application is
refused again, may be appealed anew).

Four eyes: everyone who decided before (`excluded`) may not decide the appeal, nor the person who filed
it. Appeal: open -> upheld | dismissed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.common.errors import Conflict, Invalid

AGAINST = ("refused", "suspended", "revoked")
OUTCOMES = ("upheld", "dismissed")
STATUSES = ("open", *OUTCOMES)
APPEAL_DAYS = 30
GROUNDS_MAX = 5000


@dataclass(frozen=True)
class Decided:
    """The decision an appeal is against, as the store found it."""
    against: str                  # refused | suspended | revoked
    holder_organisation_id: str
    status_now: str               # the application's or the label's status today
    decided_at: datetime          # when the decision was taken (UTC)
    deciders: tuple[str, ...]     # everyone who decided before
    application_id: str | None = None
    label_number: str | None = None

    @property
    def appeal_until(self) -> date:
        """The last day an appeal may be filed (UTC dates)."""
        return self.decided_at.date() + timedelta(days=APPEAL_DAYS)


def unique(names) -> list[str]:
    """Names in their first order, each once, without empty ones."""
    return [n for n in dict.fromkeys(names) if n]


@dataclass
class Appeal:
    id: str
    against: str
    holder_organisation_id: str
    grounds: str
    filed_by: str
    excluded: list = field(default_factory=list)
    application_id: str | None = None
    label_number: str | None = None
    status: str = "open"
    decided_by: str | None = None
    decision_reason: str | None = None
    created_at: datetime | None = None
    decided_at: datetime | None = None

    @classmethod
    def file(cls, id: str, decided: Decided, grounds: str, filed_by: str, now: datetime,
             earlier: list["Appeal"]) -> "Appeal":
        """`earlier`: the appeals filed against the same application or label since the decision."""
        if decided.against not in AGAINST:
            raise Invalid(f"an appeal is against one of {list(AGAINST)}", {"against": [f"one of {list(AGAINST)}"]})
        if decided.status_now != decided.against:
            raise Conflict(f"only a decision that stands may be appealed: this one is {decided.status_now}, "
                           f"not {decided.against}", {"against": [f"is {decided.status_now}"]}, code="not_appealable")
        if now.date() > decided.appeal_until:
            raise Conflict(f"an appeal must be filed within {APPEAL_DAYS} days of the decision "
                           f"(by {decided.appeal_until.isoformat()})",
                           {"against": [f"the {APPEAL_DAYS} days ended on {decided.appeal_until.isoformat()}"]},
                           code="appeal_too_late")
        mine = [a for a in earlier if a.against == decided.against]
        if any(a.status == "open" for a in mine):
            raise Conflict("an appeal against this decision is already open", {"against": ["already appealed"]},
                           code="appeal_open")
        if mine:
            raise Conflict("this decision was already appealed and the appeal decided; that decision is final",
                           {"against": ["already appealed"]}, code="appeal_decided")
        if not (grounds or "").strip():
            raise Invalid("the grounds of an appeal are required", {"grounds": ["must not be blank"]})
        if len(grounds) > GROUNDS_MAX:
            raise Invalid(f"the grounds are at most {GROUNDS_MAX} characters",
                          {"grounds": [f"Longer than maximum length {GROUNDS_MAX}."]})
        return cls(id=id, against=decided.against, holder_organisation_id=decided.holder_organisation_id,
                   grounds=grounds, filed_by=filed_by, excluded=unique(decided.deciders),
                   application_id=decided.application_id, label_number=decided.label_number, created_at=now)

    def may_decide(self, person: str) -> bool:
        return person not in self.excluded and person != self.filed_by

    def decide(self, decider: str, outcome: str, reason: str, now: datetime) -> None:
        if outcome not in OUTCOMES:
            raise Invalid(f"unknown outcome {outcome!r}", {"outcome": [f"one of {list(OUTCOMES)}"]})
        if self.status != "open":
            raise Conflict(f"the appeal is already {self.status}", {"status": [f"is {self.status}"]},
                           code="appeal_decided")
        if not self.may_decide(decider):
            raise Conflict("a person who decided before (or filed the appeal) cannot decide the appeal (four eyes)",
                           {"decided_by": ["must differ from everyone who decided before"]}, code="four_eyes")
        if not (reason or "").strip():
            raise Invalid("a decision on an appeal needs its reason", {"reason": ["must not be blank"]})
        self.status, self.decided_by, self.decision_reason, self.decided_at = outcome, decider, reason, now

    @property
    def upheld(self) -> bool:
        return self.status == "upheld"
