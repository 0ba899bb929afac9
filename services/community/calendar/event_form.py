"""The office's event form: flat fields (a title and summary per language, local date and time in the site's
time zone, a checkbox per language held in) to the API's request body and back.

The times are typed as the site's wall clock (`datetime-local`) and stored in UTC; a time that is no date
and time is a field message here, the rest is the API's schema and the model's rules.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_timezone, gettext as _
from werkzeug.datastructures import MultiDict

from services.contracts.events.community import LANGUAGES
from services.web import forms

TEXT_FIELDS = tuple(f"{part}_{lang}" for lang in LANGUAGES for part in ("title", "summary"))
HELD_FIELDS = tuple(f"held_{lang}" for lang in LANGUAGES)
FIELDS = ("kind", "scope", "platform_forum", *TEXT_FIELDS, *HELD_FIELDS, "starts_at", "ends_at", "venue", "nuts3",
          "capacity")
# The API's names of what the form shows elsewhere.
RENAMED = {"texts": f"title_{LANGUAGES[0]}", "languages": HELD_FIELDS[0]}


def _zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


def local_value(moment: datetime) -> str:
    return moment.astimezone(_zone()).strftime("%Y-%m-%dT%H:%M")


def values_of(event: dict) -> dict:
    """What the edit form shows of an event."""
    values = {name: event[name] for name in ("kind", "scope", "venue", "capacity")}
    values.update(nuts3=event["nuts3"] or "", platform_forum="on" if event["platform_forum"] else "",
                  starts_at=local_value(event["starts_at"]), ends_at=local_value(event["ends_at"]))
    for text in event["texts"]:
        values[f"title_{text['language']}"] = text["title"]
        values[f"summary_{text['language']}"] = text["summary"]
    for lang in event["languages"]:
        values[f"held_{lang}"] = "on"
    return values


def _utc(raw: str) -> str | None:
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return None
    return naive.replace(tzinfo=_zone()).astimezone(timezone.utc).isoformat()


def body_of(form: MultiDict, state: forms.FormState) -> tuple[dict, dict[str, list[str]]]:
    """The API's body of a posted event form, and the form's own messages about what the schema cannot
    judge (they stand instead of the schema's about the same field: `own_messages`)."""
    body, values = forms.body_from(form, FIELDS, flags=("platform_forum", *HELD_FIELDS))
    state.values = values
    own: dict[str, list[str]] = {}
    texts = []
    for lang in LANGUAGES:
        title, summary = body.pop(f"title_{lang}", None), body.pop(f"summary_{lang}", "")
        if title is not None:
            texts.append({"language": lang, "title": title.strip(), "summary": summary.strip()})
        elif summary.strip():
            own[f"title_{lang}"] = [_("Please give the title in this language too.")]
    if not texts:
        own[f"title_{LANGUAGES[0]}"] = [_("Please give a title in at least one language.")]
    body["texts"] = texts
    body["languages"] = [lang for lang in LANGUAGES if body.pop(f"held_{lang}", False)]
    if not body["languages"]:
        own[HELD_FIELDS[0]] = [_("Please choose the languages the event is held in.")]
    for name in ("starts_at", "ends_at"):
        if name in body:
            converted = _utc(body[name])
            if converted is None:
                own[name] = [_("Please enter a date and time.")]
                del body[name]
            else:
                body[name] = converted
    if "nuts3" in body:
        body["nuts3"] = body["nuts3"].strip().upper()
    return body, own


def own_messages(state: forms.FormState, own: dict[str, list[str]]) -> None:
    """The form's messages replace the schema's about the same field (one message per field); the schema's
    about the texts or the languages are shown beside the first title and the first language."""
    for name in [n for n in state.errors if n == "texts" or n.startswith("texts.")]:
        state.errors.setdefault(RENAMED["texts"], []).extend(state.errors.pop(name))
    for name in [n for n in state.errors if n == "languages" or n.startswith("languages.")]:
        state.errors.setdefault(RENAMED["languages"], []).extend(state.errors.pop(name))
    state.errors.update(own)
