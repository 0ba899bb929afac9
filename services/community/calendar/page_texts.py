"""The words the event pages show for the model's codes and refusals, in the page's language.

The API answers in English; a page shows the same refusal translated here (field messages of the schema
are the kernel's, services.web.messages).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from services.common.errors import SoproError
from services.web import forms

KINDS = {"forum": _l("Forum"), "conference": _l("Conference"), "seminar": _l("Seminar"),
         "training": _l("Training"), "good_practice_visit": _l("Good-practice visit")}
SCOPES = {"site": _l("This site"), "network": _l("The whole network")}
STATUSES = {"registered": _l("Registered"), "waiting": _l("On the waiting list"), "cancelled": _l("Cancelled")}
EVENT_STATUSES = {"scheduled": _l("Scheduled"), "cancelled": _l("Called off")}

# The model's and the handlers' messages (English, as the API says them) -> the page's words.
MESSAGES = {
    "the event must start in the future": _l("The event must start in the future."),
    "the event must end after it starts": _l("The event must end after it starts."),
    "an event lasts at most 31 days": _l("An event lasts at most 31 days."),
    "give a title and summary in at least one language": _l("Please give a title in at least one language."),
    "each language at most once": _l("Each language at most once."),
    "choose the languages the event is held in": _l("Please choose the languages the event is held in."),
    "the event is cancelled": _l("The event is cancelled."),
    "the event has begun or is over: registration is closed":
        _l("The event has begun or is over: registration is closed."),
    "this address is already registered for the event":
        _l("This e-mail address is already registered for the event."),
    "the registration is already cancelled": _l("The registration is already cancelled."),
    "capacity_below_seats_taken": _l("The capacity cannot be lower than the seats already taken."),
    "Please agree to the processing of your data for this event.":
        _l("Please agree to the processing of your data for this event."),
}


def _words(message: str, code: str | None = None) -> str | None:
    found = MESSAGES.get(code or "") or MESSAGES.get(message)
    return str(found) if found is not None else None


def translate_error(exc: SoproError, state: forms.FormState, fields: dict[str, str] | None = None) -> None:
    """A 422's field messages beside their fields (`fields` renames the API's names to the form's), a 409
    as a message about the form; both in the page's language."""
    if exc.status == 422 and exc.errors:
        for name, messages in exc.errors.items():
            shown = (fields or {}).get(name, name)
            state.add_errors({shown: [_words(m) or m for m in messages]})
        return
    words = _words(exc.message, exc.code)
    if words is not None:
        state.message = words
    else:
        forms.apply_domain_error(exc, state)


def translate_field_messages(state: forms.FormState) -> None:
    """The schema's custom messages (already through the kernel's translation) in the page's language."""
    for name, messages in state.errors.items():
        state.errors[name] = [_words(m) or m for m in messages]
