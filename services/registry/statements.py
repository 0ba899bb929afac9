"""Support statements: the paper form by which a person, or an organisation, supports social
enterprises. Anyone may file one; it counts in the statistics once confirmed.

No I/O. The person behind a statement is personal data: it lives in the statement, never in its events,
and goes entirely on erasure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from services.common.errors import Conflict, invalid
from services.common.events import Aggregate
from services.contracts.events import registry as events
from services.contracts.events.registry import ORGANISATION_KINDS, STATEMENT_KINDS
from services.registry.rules import ACTIVE, ERASED, WITHDRAWN, require_state

PHONE_KINDS = ("fixed", "mobile")

# Why personal data was erased (GDPR art. 17(1), and a backup restored from before an erasure): the audit
# keeps one of these, never a free text, which might name the person.
ERASURE_GROUNDS = ("request", "consent_withdrawn", "objection", "unlawful_processing", "legal_obligation",
                   "backup_restored")


def erasure_ground(ground: str) -> str:
    if ground not in ERASURE_GROUNDS:
        raise invalid("ground", f"must be one of {', '.join(ERASURE_GROUNDS)}")
    return ground


@dataclass(frozen=True)
class Person:
    """Personal data of the paper form: stays at the site, and goes entirely on erasure."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    phone_kind: str | None = None
    email: str | None = None

    FIELDS = ("first_name", "last_name", "phone", "phone_kind", "email")

    def given(self) -> list[str]:
        return [name for name in self.FIELDS if getattr(self, name) is not None]


@dataclass
class SupportStatement(Aggregate):
    id: str
    reference: str
    kind: str
    given_on: date
    nuts3: str
    consent: bool
    person: Person = field(default_factory=Person)
    organisation_name: str | None = None
    organisation_kind: str | None = None
    status: str = ACTIVE
    # Anyone may file a statement, so it counts in the statistics only once confirmed: by the link sent to
    # its e-mail address (confirmed_by "e-mail"), or by a broker (their username).
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    # The page language the supporter used (their mails go in it), and their consent to the newsletter:
    # kept at the site, never in an event; the newsletter goes only once the statement is confirmed.
    language: str | None = None
    newsletter: bool = False
    # The registered organisation a statement on behalf of an organisation names (issue 19): while the
    # statement is confirmed and active, that organisation supports the platform (services.registry.supporters).
    organisation_id: str | None = None

    @classmethod
    def file(cls, today: date, **fields) -> "SupportStatement":
        statement = cls(**fields)
        statement._check()
        if statement.given_on > today:
            raise invalid("given_on", "must not be in the future")
        statement._record(events.SupportStatementRecorded(**statement._counted()))
        return statement

    def _counted(self) -> dict:
        """What the network learns of a statement: kind and region, never the person."""
        return dict(statement_id=self.id, kind=self.kind, organisation_kind=self.organisation_kind,
                    nuts3=self.nuts3, given_on=self.given_on)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def confirm(self, by: str, at: datetime) -> None:
        """From now on the statement counts; confirming twice is a conflict, not a second count."""
        require_state("support_statement", self.status, (ACTIVE,), "confirm")
        if self.confirmed:
            raise Conflict(f"the statement was already confirmed on {self.confirmed_at:%Y-%m-%d}",
                           code="support_statement_confirmed")
        self.confirmed_at, self.confirmed_by = at, by
        self._record(events.SupportStatementConfirmed(**self._counted()))

    def link(self, organisation_id: str | None) -> None:
        """Name the registered organisation behind the statement (None: no longer). Only an organisation's
        statement (422) that is active (409) names one; it counts for priority once confirmed."""
        if self.kind != "organisation":
            raise invalid("organisation_id", "only a statement on behalf of an organisation names one")
        require_state("support_statement", self.status, (ACTIVE,), "link")
        self.organisation_id = organisation_id

    def _check(self) -> None:
        problems = statement_problems(self.kind, self.consent, self.person, self.organisation_name,
                                      self.organisation_kind)
        if problems:
            raise invalid(*problems[0])

    def withdraw(self, reason: str | None = None) -> None:
        require_state("support_statement", self.status, (ACTIVE,), "withdraw")
        self.status = WITHDRAWN
        # The reason stays in the site's audit: free text might name the person.
        self._record(events.SupportStatementWithdrawn(id=self.id, reason=None))

    def erase(self) -> list[str]:
        """Remove the personal data for good. Returns the names of the fields that held any."""
        require_state("support_statement", self.status, (ACTIVE, WITHDRAWN), "erase")
        erased = self.person.given()
        self.person = Person()
        self.newsletter = False
        self.status = ERASED
        self._record(events.SupportStatementErased(id=self.id, reason=None))
        return erased


def statement_problems(kind, consent, person: Person, organisation_name, organisation_kind,
                       unknown=()) -> list[tuple[str, str]]:
    """Every rule of the paper form that these values break, as (field, message) in the order they are
    checked: the statement raises the first, a form shows them all in one round.

    A field named in `unknown` has a value the caller could not read (its form's schema refused it): the
    rules that look at it are left out rather than guessed.
    """
    def known(*names) -> bool:
        return not set(names) & set(unknown)

    found = []
    if known("consent") and consent is not True:
        found.append(("consent", "consent is required to record a statement of support"))
    if not known("kind"):
        pass  # who signs is not known: neither a person's nor an organisation's fields can be judged
    elif kind not in STATEMENT_KINDS:
        found.append(("kind", f"must be one of {', '.join(STATEMENT_KINDS)}"))
    elif kind == "person":
        found += [(name, "is required for a statement by a person")
                  for name in ("first_name", "last_name") if known(name) and not getattr(person, name)]
        found += [(name, "applies to statements on behalf of an organisation only")
                  for name, value in (("organisation_name", organisation_name),
                                      ("organisation_kind", organisation_kind))
                  if known(name) and value is not None]
    else:
        if known("organisation_name") and not organisation_name:
            found.append(("organisation_name", "is required for a statement on behalf of an organisation"))
        if known("organisation_kind") and organisation_kind not in ORGANISATION_KINDS:
            found.append(("organisation_kind", f"must be one of {', '.join(ORGANISATION_KINDS)}"))
    if known("phone", "phone_kind") and (person.phone is None) != (person.phone_kind is None):
        found.append(("phone_kind", "give the phone kind (fixed or mobile) with a phone number, and only then"))
    elif known("phone_kind") and person.phone_kind is not None and person.phone_kind not in PHONE_KINDS:
        found.append(("phone_kind", "must be fixed or mobile"))
    return found
