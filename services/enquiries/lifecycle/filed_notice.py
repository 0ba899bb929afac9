"""The brokers' mail about a newly filed enquiry: written to the site's notification outbox in the
transaction that files the enquiry, one per broker with an address, in the broker's language (else the
site's first), as text and HTML, linking to the enquiry's page in the office.

The rendered mail stays in the site's database with the address (services/common/notifications.py).
There is no notification settings page yet, so the mail links to none.
"""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from babel.support import Translations
from markupsafe import escape

from services.common import notifications
from services.web.i18n import LANGUAGES, TRANSLATIONS

KIND = "enquiry_filed"


def _catalogue(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [language])


def render(enquiry, language: str, link: str) -> tuple[str, str, str]:
    """(subject, text, html) in `language`."""
    _ = _catalogue(language).gettext
    subject = _("New enquiry %(reference)s: %(title)s") % {"reference": enquiry.reference, "title": enquiry.title}
    subject = " ".join(subject.split())  # one line: a line break in a title must not end the Subject header
    intro = _("An enquiry was filed at your site and waits for a broker.")
    rows = [(_("Reference"), enquiry.reference), (_("Title"), enquiry.title)]
    if enquiry.deadline:
        rows.append((_("Deadline"), format_date(enquiry.deadline, format="medium", locale=language)))
    action = _("Open the enquiry")
    footer = _("You receive this mail because you are a broker of this site.")
    text = "\n".join([intro, "", *(f"{label}: {value}" for label, value in rows), "", f"{action}: {link}", "",
                      "-- ", footer, ""])
    items = "".join(f"<tr><th scope=\"row\">{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in rows)
    html = (f"<!DOCTYPE html><html lang=\"{escape(language)}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(subject)}</title></head><body><p>{escape(intro)}</p><table>{items}</table>"
            f"<p><a href=\"{escape(link)}\">{escape(action)}</a></p><hr><p><small>{escape(footer)}</small></p>"
            f"</body></html>")
    return subject, text, html


def notify_brokers(conn, enquiry, site_url: str, site_languages: tuple[str, ...], now: datetime) -> int:
    """One notification per broker with an address; the key makes a repeated call add none."""
    fallback = next((lang for lang in site_languages if lang in LANGUAGES), "en")
    count = 0
    for username, email, language in notifications.contacts_with_role(conn, "broker"):
        language = language if language in LANGUAGES else fallback
        link = f"{site_url.rstrip('/')}/office/enquiries/{enquiry.id}?lang={language}"
        subject, text, html = render(enquiry, language, link)
        count += notifications.enqueue(conn, key=f"{KIND}:{enquiry.id}:{username}", kind=KIND, recipient=email,
                                       language=language, subject=subject, text_body=text, html_body=html,
                                       now=now)
    return count
