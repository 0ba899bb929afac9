"""The programme applicants' mail, written to the site's notification outbox in the transaction that gives
a place or books hours (services/web/notify.py does the language, the person's choices and the footer).

- `programme_place`: a place granted on applying, or a waiting firm moved up when a place was freed or
  the programme got more places. One per application (an application gets a place once).
- `programme_booking`: a consultant's hours booked on the firm's place, or such a booking cancelled.

To the members of the applicant organisation (a first contact known by name only has none here); the
link opens their programmes page, /office/our-programmes.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from services.enquiries.programmes.applications import Application
from services.enquiries.programmes.hours import FIRST_CONSULTATION
from services.enquiries.programmes.model import Programme
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, members_of, notify_all

OUR_PROGRAMMES = "/office/our-programmes"


def mail_site(runtime) -> MailSite | None:
    """The site's address and languages, as its mail needs them."""
    return MailSite.of(runtime.settings.site)


def _reason(t: Words) -> str:
    return t.gettext("You receive this mail because your organisation applied to this consultation programme.")


def _programme_rows(t: Words, programme: Programme) -> list[tuple[str, str]]:
    _ = t.gettext
    return [(_("Programme"), programme.name), (_("Funder"), programme.funder),
            (_("Period"), f"{t.date(programme.starts_on)} – {t.date(programme.ends_on)}")]


def place_given(conn: Connection, site: MailSite | None, programme: Programme, application: Application,
                moved_up: bool, now: datetime) -> int:
    """The firm holds a place: at once on applying, or moved up from the waiting list."""
    if site is None or not application.firm.organisation_id:
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"programme": programme.name}
        if moved_up:
            subject = _("You have moved up to a place in %(programme)s") % values
            intro = _("A place in the consultation programme was freed, and your organisation waited longest: "
                      "it now holds a place.")
        else:
            subject = _("Your organisation has a place in %(programme)s") % values
            intro = _("Your organisation's application was accepted: it holds a place in the consultation "
                      "programme.")
        hours = [(_("Hours for the first consultation"), t.number(programme.first_consultation_hours)),
                 (_("Further hours"), t.number(programme.further_hours))]
        return Mail(subject=subject, intro=intro, rows=[*_programme_rows(t, programme), *hours],
                    action=_("Open your consultation programmes"), link=t.link(OUR_PROGRAMMES), reason=_reason(t))

    return notify_all(conn, site, members_of(conn, application.firm.organisation_id), "programme_place",
                      f"programme_place:{application.id}", build, now)


def booking_changed(conn: Connection, site: MailSite | None, programme: Programme, application: Application,
                    booking: dict, cancelled: bool, now: datetime) -> int:
    """Hours booked on the firm's place, or a booking of them cancelled (its hours are free again)."""
    if site is None or not application.firm.organisation_id:
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"programme": programme.name}
        if cancelled:
            subject = _("A booking in %(programme)s was cancelled") % values
            intro = _("A booking of consultation hours for your organisation was cancelled; its hours are back "
                      "in your allowance.")
        else:
            subject = _("Consultation hours booked in %(programme)s") % values
            intro = _("A consultant's hours with your organisation were booked on its place.")
        kind = _("First consultation") if booking["kind"] == FIRST_CONSULTATION else _("Further consultation")
        rows = [(_("Programme"), programme.name), (_("Date"), t.date(booking["date"])), (_("Kind"), kind),
                (_("Hours"), t.number(booking["hours"]))]
        return Mail(subject=subject, intro=intro, rows=rows, action=_("Open your consultation programmes"),
                    link=t.link(OUR_PROGRAMMES), reason=_reason(t))

    key = f"programme_booking:{booking['id']}:{'cancelled' if cancelled else 'made'}"
    return notify_all(conn, site, members_of(conn, application.firm.organisation_id), "programme_booking", key,
                      build, now)
