"""The brokers' mail about a newly filed enquiry: written to the site's notification outbox in the
transaction that files the enquiry, one per broker with an address, linking to the enquiry's page in
the office (services/web/notify.py does the language, the choices and the footer)."""
from __future__ import annotations

from datetime import datetime

from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, brokers, notify_all

KIND = "enquiry_filed"


def mail(enquiry):
    def build(t: Words) -> Mail:
        _ = t.gettext
        rows = [(_("Reference"), enquiry.reference), (_("Title"), enquiry.title)]
        if enquiry.deadline:
            rows.append((_("Deadline"), t.date(enquiry.deadline)))
        return Mail(subject=_("New enquiry %(reference)s: %(title)s") % {"reference": enquiry.reference,
                                                                          "title": enquiry.title},
                    intro=_("An enquiry was filed at your site and waits for a broker."), rows=rows,
                    action=_("Open the enquiry"), link=t.link(f"/office/enquiries/{enquiry.id}"),
                    reason=_("You receive this mail because you are a broker of this site."))
    return build


def notify_brokers(conn, enquiry, site_url: str, site_languages: tuple[str, ...], now: datetime) -> int:
    """One notification per broker with an address; the key makes a repeated call add none."""
    return notify_all(conn, MailSite(site_url, site_languages), brokers(conn), KIND, f"{KIND}:{enquiry.id}",
                      mail(enquiry), now)
