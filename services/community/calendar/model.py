"""A community event and its registrations: the rules, no I/O.

An event is loaded with its live registrations (registered or waiting, in order of arrival) while the
caller holds the event's row lock (store.py), so every decision about seats is taken on committed state
and holds under concurrency.

Rules, and what was chosen where the brief is silent:
- Registrations are numbered in order of arrival; while seats are left a newcomer is registered, else
  waits. A registrant who cancels frees the seat for the longest-waiting person.
- An address holds at most one live registration per event (a second one is a 409); after cancelling it
  may register again, at the back of the queue.
- A broker may raise the capacity (the waiting move up at once) but not lower it below the seats taken.
- No registration for a cancelled event or one that has begun; a cancelled event takes no changes.
- Every change of the event or of its counts records the contract's snapshot with the counts (no person).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.common.errors import Conflict, Invalid
from services.common.events import Aggregate
from services.contracts.events.community import (
    CANCELLED, EVENT_KINDS, EVENT_SCOPES, LANGUAGES, SCHEDULED, CommunityEventCancelled, CommunityEventPublished,
    CommunityEventUpdated,
)

REGISTERED, WAITING, WITHDRAWN = "registered", "waiting", "cancelled"
LIVE = (REGISTERED, WAITING)
MAX_CAPACITY = 10_000  # more is a typing mistake, not a seminar
MAX_DURATION = timedelta(days=31)
# What a change may touch (the status only through cancel(), the counts only through registrations).
EDITABLE = ("kind", "scope", "platform_forum", "texts", "languages", "starts_at", "ends_at", "venue", "nuts3",
            "capacity")


@dataclass
class Registration:
    id: str
    event_id: str
    arrival: int
    name: str
    email: str
    organisation: str | None
    language: str
    status: str
    registered_at: datetime

    @property
    def email_key(self) -> str:
        return self.email.strip().casefold()


def check_terms(fields: dict, now: datetime, starts_changed: bool = True) -> None:
    """422 with a message per field: times, capacity, texts and languages."""
    errors: dict[str, list[str]] = {}
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is not None and starts_changed and starts <= now:
        errors["starts_at"] = ["the event must start in the future"]
    if starts is not None and ends is not None:
        if ends <= starts:
            errors["ends_at"] = ["the event must end after it starts"]
        elif ends - starts > MAX_DURATION:
            errors["ends_at"] = ["an event lasts at most 31 days"]
    capacity = fields.get("capacity")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [f"Must be greater than or equal to 1 and less than or equal to {MAX_CAPACITY}."]
    texts = fields.get("texts")
    if texts is not None:
        languages = [t["language"] for t in texts]
        if not texts:
            errors["texts"] = ["give a title and summary in at least one language"]
        elif len(set(languages)) != len(languages) or not set(languages) <= set(LANGUAGES):
            errors["texts"] = ["each language at most once"]
    held_in = fields.get("languages")
    if held_in is not None and (not held_in or not set(held_in) <= set(LANGUAGES)):
        errors["languages"] = ["choose the languages the event is held in"]
    if fields.get("kind") is not None and fields["kind"] not in EVENT_KINDS:
        errors["kind"] = ["Must be one of: " + ", ".join(EVENT_KINDS) + "."]
    if fields.get("scope") is not None and fields["scope"] not in EVENT_SCOPES:
        errors["scope"] = ["Must be one of: " + ", ".join(EVENT_SCOPES) + "."]
    if errors:
        raise Invalid("the event's terms are not valid", errors)


@dataclass
class CommunityEvent(Aggregate):
    id: str
    reference: str
    kind: str
    scope: str
    platform_forum: bool
    texts: list[dict]
    languages: list[str]
    starts_at: datetime
    ends_at: datetime
    venue: str
    country: str
    nuts3: str | None
    capacity: int
    status: str = SCHEDULED
    last_arrival: int = 0
    # Loaded when the event is to be changed (under its lock): its live registrations in order of arrival.
    registrations: list[Registration] = field(default_factory=list, repr=False)
    changed: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def create(cls, now: datetime, **fields) -> "CommunityEvent":
        fields.setdefault("platform_forum", False)
        fields.setdefault("nuts3", None)
        check_terms(fields, now)
        event = cls(**fields)
        event._record(CommunityEventPublished(**event.snapshot()))
        return event

    # --- counts --------------------------------------------------------------------------------------

    @property
    def registered(self) -> list[Registration]:
        return [r for r in self.registrations if r.status == REGISTERED]

    @property
    def waiting_list(self) -> list[Registration]:
        return [r for r in self.registrations if r.status == WAITING]

    @property
    def seats_left(self) -> int:
        return max(self.capacity - len(self.registered), 0)

    def position_of(self, registration: Registration) -> int | None:
        """Its place on the waiting list (1 = next to move up), or None when it holds a seat."""
        ids = [r.id for r in self.waiting_list]
        return ids.index(registration.id) + 1 if registration.id in ids else None

    def snapshot(self) -> dict:
        return dict(event_id=self.id, reference=self.reference, kind=self.kind, scope=self.scope,
                    platform_forum=self.platform_forum, texts=[dict(t) for t in self.texts],
                    languages=list(self.languages), starts_at=self.starts_at, ends_at=self.ends_at, venue=self.venue,
                    country=self.country, nuts3=self.nuts3, capacity=self.capacity,
                    registered=len(self.registered), waiting=len(self.waiting_list), status=self.status)

    # --- the event -----------------------------------------------------------------------------------

    def _require_scheduled(self) -> None:
        if self.status != SCHEDULED:
            raise Conflict("the event is cancelled", code="event_cancelled")

    def update(self, changes: dict, now: datetime) -> list[Registration]:
        """New terms; returns the people who moved up from the waiting list (a raised capacity)."""
        self._require_scheduled()
        changes = {k: v for k, v in changes.items() if k in EDITABLE and v != getattr(self, k)}
        if not changes:
            return []
        merged = {**{k: getattr(self, k) for k in EDITABLE}, **changes}
        check_terms(merged, now, starts_changed="starts_at" in changes)
        if changes.get("capacity", self.capacity) < len(self.registered):
            raise Conflict(f"{len(self.registered)} seats are taken: the capacity cannot be lower",
                           code="capacity_below_seats_taken")
        for name, value in changes.items():
            setattr(self, name, value)
        moved = self._fill_seats()
        self._record(CommunityEventUpdated(**self.snapshot()))
        return moved

    def cancel(self) -> None:
        self._require_scheduled()
        self.status = CANCELLED
        self._record(CommunityEventCancelled(**self.snapshot()))

    # --- registrations -------------------------------------------------------------------------------

    def register(self, id_: str, name: str, email: str, organisation: str | None, language: str,
                 now: datetime) -> Registration:
        self._require_scheduled()
        if self.starts_at <= now:
            raise Conflict("the event has begun or is over: registration is closed", code="event_past")
        key = email.strip().casefold()
        if any(r.email_key == key for r in self.registrations):
            raise Conflict("this address is already registered for the event", code="duplicate_registration")
        self.last_arrival += 1
        status = REGISTERED if self.seats_left > 0 else WAITING
        registration = Registration(id_, self.id, self.last_arrival, name, email.strip(), organisation,
                                    language, status, now)
        self.registrations.append(registration)
        self.changed.add(registration.id)
        self._record(CommunityEventUpdated(**self.snapshot()))
        return registration

    def cancel_registration(self, registration_id: str) -> tuple[Registration, list[Registration]]:
        """The registrant cancels: the seat goes to the longest-waiting. Returns it and who moved up."""
        found = next((r for r in self.registrations if r.id == registration_id), None)
        if found is None:
            raise Conflict("the registration is already cancelled", code="registration_cancelled")
        found.status = WITHDRAWN
        self.registrations.remove(found)
        self.changed.add(found.id)
        moved = self._fill_seats() if self.status == SCHEDULED else []
        self._record(CommunityEventUpdated(**self.snapshot()))
        return found, moved

    def _fill_seats(self) -> list[Registration]:
        moved = []
        for waiting in self.waiting_list[:self.seats_left]:
            waiting.status = REGISTERED
            self.changed.add(waiting.id)
            moved.append(waiting)
        return moved
