"""Consultation programmes: subsidised places, first come first served, and the hours booked on them.

No I/O. A `Programme` is loaded together with its live applications (accepted or waiting, see
applications.py) and the hours already booked on each (hours.py); every decision about places and hours
is taken here, while the caller holds the programme's lock (see store.py), so the rules hold under
concurrency too. The consultants who deliver the hours are in consultants.py.

Rules an operator would expect, and what was chosen where the brief is silent:
- Applications are numbered in order of arrival; the first `places` live ones are accepted, the rest
  wait. Withdrawing or cancelling an accepted application frees its place for the longest-waiting one.
- A firm has at most one live application per programme; after withdrawing it may apply again, at
  the back of the queue.
- Hours are kept in quarter hours. A firm's allowance is `first_consultation_hours` for the first
  consultation plus `further_hours`; each bucket is checked on its own and can never be exceeded.
- A closed programme takes no applications, bookings or changes. Hours booked by a firm whose place
  was later freed stay booked (they were delivered).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.common.changes import apply_changes
from services.common.errors import Conflict, Invalid, invalid
from services.enquiries.programmes.applications import ACCEPTED, CANCELLED, WAITING, WITHDRAWN, Application, Firm
from services.enquiries.programmes.hours import BOOKING_KINDS, FIRST_CONSULTATION, Usage, is_quarter_hours, show

OPEN, CLOSED = "open", "closed"
MAX_PLACES = 10_000
MAX_ALLOWANCE_HOURS = Decimal(1000)


def check_hours(field_name: str, hours: Decimal, allow_zero: bool, maximum: Decimal) -> None:
    if not hours.is_finite() or hours < 0 or (hours == 0 and not allow_zero):
        raise invalid(field_name, "must be zero or more" if allow_zero else "must be more than zero")
    if hours > maximum:
        raise invalid(field_name, f"must not exceed {maximum}")
    if not is_quarter_hours(hours):
        raise invalid(field_name, "must be in quarter hours (e.g. 1.25)")


@dataclass
class Programme:
    id: str
    name: str
    funder: str
    starts_on: date
    ends_on: date
    places: int
    first_consultation_hours: Decimal = Decimal(4)
    further_hours: Decimal = Decimal(10)
    status: str = OPEN
    last_arrival: int = 0
    version: int = 0
    # Loaded with the programme when it is to be changed: its live applications and their usage.
    applications: list[Application] = field(default_factory=list, repr=False)
    usage: dict[str, Usage] = field(default_factory=dict, repr=False)
    changed: set[str] = field(default_factory=set, repr=False)

    UPDATABLE = ("name", "funder", "starts_on", "ends_on", "places", "first_consultation_hours", "further_hours")

    @classmethod
    def create(cls, **fields) -> "Programme":
        programme = cls(**fields)
        programme.check()
        programme.version = 1
        return programme

    def check(self) -> None:
        if not self.name or not self.name.strip():
            raise invalid("name", "must not be blank")
        if not self.funder or not self.funder.strip():
            raise invalid("funder", "must not be blank")
        if self.ends_on < self.starts_on:
            raise invalid("ends_on", "must not be before starts_on")
        if not 1 <= self.places <= MAX_PLACES:
            raise invalid("places", f"must be between 1 and {MAX_PLACES}")
        check_hours("first_consultation_hours", self.first_consultation_hours, True, MAX_ALLOWANCE_HOURS)
        check_hours("further_hours", self.further_hours, True, MAX_ALLOWANCE_HOURS)
        if self.first_consultation_hours + self.further_hours == 0:
            raise invalid("further_hours", "a programme must allow some hours")

    def _require_open(self, action: str) -> None:
        if self.status != OPEN:
            raise Conflict(f"cannot {action}: the programme is {self.status}", code=f"programme_{self.status}")

    # --- places ---

    @property
    def accepted(self) -> list[Application]:
        return [a for a in self.applications if a.status == ACCEPTED]

    @property
    def waiting_list(self) -> list[Application]:
        """Waiting applications in order of arrival: the first moves up when a place is freed."""
        return sorted((a for a in self.applications if a.status == WAITING), key=lambda a: a.arrival)

    @property
    def places_left(self) -> int:
        return max(self.places - len(self.accepted), 0)

    def position_of(self, application: Application) -> int | None:
        """1-based place on the waiting list, or None if the application is not waiting."""
        for position, waiting in enumerate(self.waiting_list, start=1):
            if waiting.id == application.id:
                return position
        return None

    def apply(self, application_id: str, firm: Firm, now: datetime) -> Application:
        """A firm applies: the next arrival number; accepted while places are left, else waiting."""
        self._require_open("apply")
        if now.date() > self.ends_on:
            raise Conflict(f"cannot apply: the programme ended on {self.ends_on.isoformat()}", code="programme_ended")
        if any(a.firm.key == firm.key for a in self.applications):
            field_name = "organisation_id" if firm.organisation_id else "firm_name"
            raise Conflict("this firm already has an application to the programme",
                           {field_name: ["already applied to this programme"]}, code="duplicate_application")
        self.last_arrival += 1
        status = ACCEPTED if self.places_left > 0 else WAITING
        application = Application(application_id, self.id, firm, self.last_arrival, status, now)
        self.applications.append(application)
        self.changed.add(application.id)
        return application

    def _live(self, application_id: str) -> Application:
        for application in self.applications:
            if application.id == application_id:
                return application
        raise Conflict("the application is no longer live (withdrawn or cancelled)", code="application_ended")

    def end(self, application_id: str, status: str, now: datetime, reason: str | None = None) -> Application:
        """Withdraw (by the firm) or cancel (by the site) a live application; a freed place goes to the
        longest-waiting application."""
        if status not in (WITHDRAWN, CANCELLED):
            raise ValueError(status)
        self._require_open("withdraw or cancel an application")
        application = self._live(application_id)
        was_accepted = application.status == ACCEPTED
        application.status, application.ended_at, application.reason = status, now, reason
        self.applications.remove(application)
        self.changed.add(application.id)
        if was_accepted:
            self._fill_places()
        return application

    def _fill_places(self) -> None:
        for waiting in self.waiting_list[: self.places_left]:
            waiting.status = ACCEPTED
            self.changed.add(waiting.id)

    # --- hours ---

    def allowance(self, kind: str) -> Decimal:
        return self.first_consultation_hours if kind == FIRST_CONSULTATION else self.further_hours

    def remaining(self, application_id: str) -> dict[str, Decimal]:
        used = self.usage.get(application_id, Usage())
        return {kind: self.allowance(kind) - used.of(kind) for kind in BOOKING_KINDS}

    def book(self, application_id: str, kind: str, hours: Decimal, on: date, today: date) -> None:
        """Check that `hours` of `kind` fit the firm's allowance, and count them as used."""
        if kind not in BOOKING_KINDS:
            raise invalid("kind", f"must be one of {', '.join(BOOKING_KINDS)}")
        check_hours("hours", hours, False, MAX_ALLOWANCE_HOURS)
        if not self.starts_on <= on <= self.ends_on:
            raise invalid("date", f"must lie in the programme's period {self.starts_on} to {self.ends_on}")
        if on > today:
            raise invalid("date", "must not be in the future")
        self._require_open("book hours")
        application = self._live(application_id)
        if application.status != ACCEPTED:
            raise Conflict("the application is on the waiting list; hours can only be booked on a place",
                           code="application_waiting")
        left = self.remaining(application_id)
        if hours > left[kind]:
            label = "first consultation" if kind == FIRST_CONSULTATION else "further"
            message = (f"the firm's {label} allowance has {show(left[kind])} hours left; "
                       f"{show(hours)} hours do not fit")
            raise Conflict(message, {"hours": [message],
                                     "remaining": {k: show(v) for k, v in left.items()}},
                           code="allowance_exceeded")
        self.usage[application_id] = self.usage.get(application_id, Usage()).plus(kind, hours)

    def unbook(self, application_id: str, kind: str, hours: Decimal) -> None:
        """A booking is cancelled (a correction): its hours are free again."""
        self._require_open("cancel a booking")
        self.usage[application_id] = self.usage.get(application_id, Usage()).plus(kind, -hours)

    # --- the programme itself ---

    def update(self, **changes) -> bool:
        """Change the programme's terms. Places cannot drop below the accepted firms, nor an allowance
        below what a firm has already used. More places take firms off the waiting list."""
        self._require_open("change the programme")
        def check() -> None:
            self.check()
            self._check_commitments()

        changed = apply_changes(self, changes, self.UPDATABLE, check, refused=(Invalid, Conflict))
        self._fill_places()
        if changed:
            self.version += 1
        return changed

    def _check_commitments(self) -> None:
        if self.places < len(self.accepted):
            raise Conflict(f"{len(self.accepted)} firms hold a place; places cannot drop below that",
                           {"places": [f"at least {len(self.accepted)}"]}, code="places_taken")
        for kind in BOOKING_KINDS:
            used = max((u.of(kind) for u in self.usage.values()), default=Decimal(0))
            if self.allowance(kind) < used:
                name = f"{kind}_hours"
                raise Conflict(f"a firm has already used {show(used)} hours; {name} cannot be less",
                               {name: [f"at least {show(used)}"]}, code="hours_used")

    def close(self) -> None:
        self._require_open("close the programme")
        self.status = CLOSED
        self.version += 1
