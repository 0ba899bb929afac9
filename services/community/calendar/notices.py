"""Mail to registrants (people without an account, like a complainant): the confirmation with the secret
link to see or cancel the registration, a seat after waiting, the event called off, and the reminder.

Written in the transaction of the change that causes it (services.web.notify), in the registrant's
language, under a key naming the cause and the registration, so a repeated trigger writes no second mail.
The kinds are mandatory (the person asked for them by registering); the confirmation's is `secret_link`:
once the SMTP server has it, the site keeps no copy of its link. Times are the site's local time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from sqlalchemy import Connection

from services.community.calendar.model import REGISTERED, CommunityEvent, Registration
from services.web.i18n import TIME_ZONES, HUB_TIME_ZONE
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, notify

REGISTRATION_PATH = "/events/registration/"
CONFIRMED, MOVED_UP = "community_event_registration", "community_event_moved_up"
CALLED_OFF, REMINDER = "community_event_cancelled", "community_event_reminder"
DATE_LOCALES = {"en": "en_150"}


@dataclass(frozen=True)
class EventMail:
    """What the mails need of the site: its address and languages, and its time zone."""
    site: MailSite
    time_zone: str


def event_mail(runtime) -> EventMail | None:
    site = MailSite.of(runtime.settings.site)
    if site is None:
        return None
    return EventMail(site, TIME_ZONES.get(runtime.settings.site.country or "", HUB_TIME_ZONE))


def text_in(event: CommunityEvent, language: str) -> dict:
    """The event's title and summary in `language`, else the first given."""
    return next((t for t in event.texts if t["language"] == language), event.texts[0])


def _when(t: Words, event: CommunityEvent, time_zone: str) -> str:
    locale = DATE_LOCALES.get(t.language, t.language)
    start = format_datetime(event.starts_at, "medium", tzinfo=time_zone, locale=locale)
    end = format_datetime(event.ends_at, "medium", tzinfo=time_zone, locale=locale)
    return f"{start} – {end}"


def _rows(t: Words, event: CommunityEvent, time_zone: str) -> list[tuple[str, str]]:
    _ = t.gettext
    return [(_("Event name"), text_in(event, t.language)["title"]), (_("When"), _when(t, event, time_zone)),
            (_("Where"), event.venue)]


def _reason(t: Words) -> str:
    return t.gettext("You receive this mail because you registered for this event with this address.")


def _send(conn: Connection, mail: EventMail | None, registration: Registration, kind: str, key: str, build,
          now: datetime) -> bool:
    if mail is None:
        return False
    return notify(conn, mail.site, Recipient(registration.email, registration.language), kind, key, build, now)


def registration_confirmed(conn: Connection, mail: EventMail | None, event: CommunityEvent,
                           registration: Registration, position: int | None, token: str, now: datetime) -> bool:
    def build(t: Words) -> Mail:
        _ = t.gettext
        title = text_in(event, t.language)["title"]
        if registration.status == REGISTERED:
            subject, intro = _("You are registered for %(title)s") % {"title": title}, _("Your seat is booked.")
        else:
            subject = _("You are on the waiting list for %(title)s") % {"title": title}
            intro = _("The event is full. You are number %(position)s on the waiting list; if a seat becomes "
                      "free, you move up and we tell you by mail.") % {"position": position}
        return Mail(subject=subject, intro=intro, rows=_rows(t, event, mail.time_zone),
                    paragraphs=[_("With the link below you can see your registration or cancel it. Keep this mail: "
                                  "whoever has the link can cancel the registration.")],
                    action=_("See or cancel my registration"), link=t.link(f"{REGISTRATION_PATH}{token}"),
                    reason=_reason(t))

    return _send(conn, mail, registration, CONFIRMED, f"{CONFIRMED}:{registration.id}", build, now)


def moved_up(conn: Connection, mail: EventMail | None, event: CommunityEvent, registration: Registration,
             now: datetime) -> bool:
    def build(t: Words) -> Mail:
        _ = t.gettext
        title = text_in(event, t.language)["title"]
        return Mail(subject=_("A seat became free for you: %(title)s") % {"title": title},
                    intro=_("You have moved up from the waiting list: your seat is booked."),
                    rows=_rows(t, event, mail.time_zone), action=_("See the event"),
                    link=t.link(f"/events/{event.id}"), reason=_reason(t))

    return _send(conn, mail, registration, MOVED_UP, f"{MOVED_UP}:{registration.id}", build, now)


def called_off(conn: Connection, mail: EventMail | None, event: CommunityEvent, registration: Registration,
               now: datetime) -> bool:
    def build(t: Words) -> Mail:
        _ = t.gettext
        title = text_in(event, t.language)["title"]
        return Mail(subject=_("Cancelled: %(title)s") % {"title": title},
                    intro=_("We are sorry: the event has been cancelled. Your registration has ended with it."),
                    rows=_rows(t, event, mail.time_zone), reason=_reason(t))

    return _send(conn, mail, registration, CALLED_OFF, f"{CALLED_OFF}:{registration.id}", build, now)


def reminder(conn: Connection, mail: EventMail | None, event: CommunityEvent, registration: Registration,
             now: datetime) -> bool:
    def build(t: Words) -> Mail:
        _ = t.gettext
        title = text_in(event, t.language)["title"]
        return Mail(subject=_("Reminder: %(title)s") % {"title": title},
                    intro=_("Your event is coming up soon. We look forward to seeing you."),
                    rows=_rows(t, event, mail.time_zone), action=_("See the event"),
                    link=t.link(f"/events/{event.id}"), reason=_reason(t))

    return _send(conn, mail, registration, REMINDER, f"{REMINDER}:{registration.id}", build, now)
