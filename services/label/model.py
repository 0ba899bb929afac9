"""The label's domain: applications with evidence, assessment, four-eyes decision, and the label's life.

Application: draft -> submitted -> assessed -> granted | refused | returned (-> submitted again);
             draft | returned -> withdrawn (by the applicant).
Label:       valid <-> suspended; valid | suspended -> revoked | expired; renewal extends a valid one.
Complaint:   open -> under_review -> upheld | dismissed (open may be closed directly).

Pure: no Flask, no SQLAlchemy. The catalogue comes in as a parameter, so an application is always
judged by the catalogue version it was made under.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.common.errors import Conflict, Invalid
from services.common.events import Aggregate
from services.contracts.events import label as ev
from services.label.catalogue import Catalogue

EDITABLE = ("draft", "returned")
PURPOSES = ("new", "renewal", "spot_check")
OUTCOMES = ("granted", "refused", "returned")
MAX_SUSPENSION_MONTHS = 6
COMPLAINT_MOVES = {"open": ("under_review", "upheld", "dismissed"), "under_review": ("upheld", "dismissed")}


def label_number(site_id: str, year: int, n: int) -> str:
    return f"SOPRO-{site_id}-{year}-{n:04d}"


LABEL_NUMBER = re.compile(r"^SOPRO-([A-Z]{2}[0-9A-Z]{0,3})-([0-9]{4})-([0-9]{4,})$")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


# --- applications ------------------------------------------------------------------------------------

@dataclass
class Application:
    id: str
    holder_organisation_id: str
    holder_name: str
    product: str
    cpv_codes: list
    catalogue_version: int
    evidence: dict = field(default_factory=dict)   # criterion id -> {"figure": str|None, "documents": [...]}
    status: str = "draft"
    assessment: dict | None = None   # {"assessor", "at", "scores", "passed", "failures"}
    decision: dict | None = None     # {"approver", "at", "outcome", "reason"}
    label_number: str | None = None
    version: int = 0
    purpose: str = "new"  # PURPOSES: a first application, a renewal, or a spot check of label_number

    def _require(self, *states: str, doing: str) -> None:
        if self.status not in states:
            raise Conflict(f"cannot {doing} an application that is {self.status}",
                           {"status": [f"is {self.status}; must be one of {list(states)}"]}, code="illegal_state")

    def edit(self, catalogue: Catalogue, changes: dict) -> None:
        self._require(*EDITABLE, doing="edit")
        if "evidence" in changes:
            errors = catalogue.check_evidence(changes["evidence"])
            if errors:
                raise Invalid("the evidence does not fit the catalogue", {"evidence": errors})
        for name, value in changes.items():
            setattr(self, name, value)
        self.version += 1

    def submit(self) -> None:
        """Freezes the evidence; missing evidence is the assessor's to judge (it means no grant)."""
        self._require(*EDITABLE, doing="submit")
        self.status, self.assessment, self.decision = "submitted", None, None
        self.version += 1

    def withdraw(self) -> None:
        """The applicant takes back an application no assessor holds (a draft, or one returned): final. A spot
        check is not the holder's to take back."""
        self._require(*EDITABLE, doing="withdraw")
        if self.purpose == "spot_check":
            raise Conflict("a spot check cannot be withdrawn; it is decided like any application",
                           {"purpose": ["spot_check"]}, code="spot_check")
        self.status = "withdrawn"
        self.version += 1

    def assess(self, catalogue: Catalogue, assessor: str, scores: dict, at: datetime) -> None:
        self._require("submitted", "assessed", doing="assess")
        errors = catalogue.check_scores(scores)
        if errors:
            raise Invalid("the scores do not fit the catalogue", {"scores": errors})
        verdict = catalogue.verdict(self.evidence, scores)
        self.assessment = {"assessor": assessor, "at": at.isoformat(), "scores": scores,
                           "passed": verdict.passed, "failures": verdict.failures}
        self.status = "assessed"
        self.version += 1

    def decide(self, approver: str, outcome: str, reason: str, at: datetime) -> None:
        if outcome not in OUTCOMES:
            raise Invalid(f"unknown outcome {outcome!r}", {"outcome": [f"one of {list(OUTCOMES)}"]})
        if self.status == "submitted":
            raise Conflict("the application has not been assessed yet", {"status": ["not assessed"]},
                           code="not_assessed")
        self._require("assessed", doing="decide on")
        if approver == self.assessment["assessor"]:
            raise Conflict("the assessor of an application cannot also decide it (four eyes)",
                           {"approver": ["must differ from the assessor"]}, code="four_eyes")
        if outcome == "granted" and not self.assessment["passed"]:
            raise Conflict("the assessment does not meet the catalogue; the label cannot be granted",
                           {"criteria": self.assessment["failures"]}, code="criteria_not_met")
        self.decision = {"approver": approver, "at": at.isoformat(), "outcome": outcome, "reason": reason}
        self.status = outcome
        self.version += 1

    def reopen_on_appeal(self) -> None:
        """An upheld appeal against the refusal: the application waits for a new assessment (and decision)."""
        self._require("refused", doing="reopen")
        self.status, self.assessment, self.decision = "submitted", None, None
        self.version += 1


OPEN = ("draft", "submitted", "assessed", "returned")  # an application not decided yet
UNDER_ASSESSMENT = ("submitted", "assessed", "returned")  # submitted, and not decided yet


def reassessment(id: str, label: "Label", last: Application, purpose: str, catalogue: Catalogue) -> Application:
    """A renewal or a spot check of `label`: a new application under the catalogue in force, pre-filled with
    the figures of the label's last application that the catalogue still asks for and accepts. Documents are
    not carried over: a re-assessment looks at current ones."""
    if purpose not in ("renewal", "spot_check"):
        raise Invalid(f"unknown purpose {purpose!r}", {"purpose": ["one of renewal, spot_check"]})
    evidence = {}
    for cid, item in (last.evidence or {}).items():
        figure = (item or {}).get("figure")
        criterion = catalogue.criterion(cid)
        if figure is None or criterion is None or criterion.figure is None:
            continue
        if not catalogue.check_evidence({cid: {"figure": figure}}):
            evidence[cid] = {"figure": figure}
    return Application(id=id, holder_organisation_id=label.holder_organisation_id, holder_name=label.holder_name,
                       product=label.product, cpv_codes=list(label.cpv_codes), catalogue_version=catalogue.version,
                       evidence=evidence, purpose=purpose, label_number=label.number)


# --- labels ------------------------------------------------------------------------------------------

@dataclass
class Label(Aggregate):
    id: str
    number: str
    application_id: str
    holder_organisation_id: str
    holder_name: str
    product: str
    cpv_codes: list
    catalogue_version: int
    status: str
    valid_from: date
    valid_until: date
    suspended_until: date | None = None
    reason: str | None = None

    @classmethod
    def grant(cls, id: str, number: str, application: Application, today: date, validity_years: int) -> "Label":
        label = cls(id=id, number=number, application_id=application.id,
                    holder_organisation_id=application.holder_organisation_id,
                    holder_name=application.holder_name, product=application.product,
                    cpv_codes=list(application.cpv_codes), catalogue_version=application.catalogue_version,
                    status="valid", valid_from=today, valid_until=add_years(today, validity_years))
        label._snapshot(ev.LabelGranted)
        return label

    def _snapshot(self, event_cls) -> None:
        self._record(event_cls(
            label_id=self.id, number=self.number, application_id=self.application_id,
            holder_organisation_id=self.holder_organisation_id, holder_name=self.holder_name,
            product=self.product, cpv_codes=list(self.cpv_codes), catalogue_version=self.catalogue_version,
            status=self.status, valid_from=self.valid_from, valid_until=self.valid_until,
            suspended_until=self.suspended_until, reason=self.reason))

    def _require(self, *states: str, doing: str) -> None:
        if self.status not in states:
            raise Conflict(f"cannot {doing} a label that is {self.status}",
                           {"status": [f"is {self.status}; must be one of {list(states)}"]}, code="illegal_state")

    def renew(self, application: "Application", validity_years: int) -> None:
        """A renewal application was granted after a new assessment: the label now stands on that
        application and its catalogue version, and the new validity follows the current one without a gap
        (also when the decision comes in the grace period after the last day)."""
        self._require("valid", "suspended", doing="renew")
        if application.purpose != "renewal" or application.label_number != self.number \
                or application.status != "granted":
            raise Conflict("only a granted renewal application of this label renews it",
                           {"application": ["not a granted renewal of this label"]})
        self.application_id, self.catalogue_version = application.id, application.catalogue_version
        self.product, self.cpv_codes = application.product, list(application.cpv_codes)
        self.valid_until, self.reason = add_years(self.valid_until, validity_years), None
        self._snapshot(ev.LabelRenewed)

    def suspend(self, today: date, until: date, reason: str) -> None:
        self._require("valid", doing="suspend")
        limit = add_months(today, MAX_SUSPENSION_MONTHS)
        if not today < until <= limit:
            raise Invalid(f"a suspension ends after today and at most {MAX_SUSPENSION_MONTHS} months later",
                          {"until": [f"must be after {today} and no later than {limit}"]})
        self.status, self.suspended_until, self.reason = "suspended", until, reason
        self._snapshot(ev.LabelSuspended)

    def reinstate(self, reason: str | None) -> None:
        self._require("suspended", doing="reinstate")
        self.status, self.suspended_until, self.reason = "valid", None, reason
        self._snapshot(ev.LabelReinstated)

    def revoke(self, reason: str) -> None:
        self._require("valid", "suspended", doing="revoke")
        self.status, self.suspended_until, self.reason = "revoked", None, reason
        self._snapshot(ev.LabelRevoked)

    def restore_on_appeal(self, today: date, reason: str) -> None:
        """An upheld appeal lifts the revocation: the label is valid again if its validity has not ended,
        else expired."""
        self._require("revoked", doing="restore")
        self.status, self.suspended_until, self.reason = "valid", None, reason
        if today > self.valid_until:
            self.status = "expired"
            self._snapshot(ev.LabelExpired)
        else:
            self._snapshot(ev.LabelReinstated)

    def end_suspension_if_lapsed(self, today: date) -> bool:
        """A suspension ends by itself on its end date: the label is valid again from the day after."""
        if self.status != "suspended" or today <= self.suspended_until:
            return False
        self.status, self.suspended_until, self.reason = "valid", None, "the suspension ended"
        self._snapshot(ev.LabelReinstated)
        return True

    def lapsed_on(self, today: date, renewal_under_way: bool = False, grace_days: int = 0) -> bool:
        """Whether a valid or suspended label is past its last day (and past the grace, when its renewal is
        being assessed): the one rule of the tick's expiry and of what a verifier is told before the tick."""
        if self.status not in ("valid", "suspended") or today <= self.valid_until:
            return False
        return not (renewal_under_way and today <= self.valid_until + timedelta(days=grace_days))

    def expire_if_due(self, today: date, renewal_under_way: bool = False, grace_days: int = 0) -> bool:
        """A label lapses after its last day; a renewal still being assessed keeps it valid for the
        network's grace period (`grace_days`), and no longer."""
        if not self.lapsed_on(today, renewal_under_way, grace_days):
            return False
        self.status, self.suspended_until = "expired", None
        self.reason = "the renewal was not decided in time" if renewal_under_way else "validity ended"
        self._snapshot(ev.LabelExpired)
        return True


# --- complaints --------------------------------------------------------------------------------------

@dataclass
class Complaint:
    id: str
    label_number: str | None
    text: str
    contact: str | None      # the complainant's contact: personal data, staff-only, never in events
    status: str = "open"
    resolution: str | None = None

    def move(self, to: str, resolution: str | None) -> None:
        if to not in COMPLAINT_MOVES.get(self.status, ()):
            raise Conflict(f"a complaint that is {self.status} cannot become {to}",
                           {"status": [f"cannot move from {self.status} to {to}"]}, code="illegal_state")
        self.status, self.resolution = to, resolution
