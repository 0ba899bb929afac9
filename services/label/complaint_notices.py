"""The complainant's receipt: the secret link to follow the complaint, mailed when the complaint's contact
holds an address (written in the filing transaction, in the language of the page it was filed on, else the
site's first).

The kind `label_complaint_received` is mandatory (the person asked for it by leaving the address) and
marked `secret_link`: once the SMTP server has the mail, the site keeps no copy of its words or link.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from services.label import complaint_tracking, model as m, notices
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, notify

KIND = "label_complaint_received"


def complaint_received(conn: Connection, site: MailSite | None, complaint: m.Complaint, token: str,
                       now: datetime, language: str | None = None) -> bool:
    address = notices.complainant_address(complaint.contact)
    if site is None or address is None:
        return False

    def build(t: Words) -> Mail:
        _ = t.gettext
        rows = [(_("Label number"), complaint.label_number)] if complaint.label_number else []
        return Mail(subject=_("We have received your complaint about a label"),
                    intro=_("Thank you. The label office of this site will look into your complaint."),
                    rows=rows,
                    paragraphs=[_("With the link below you can follow its status at any time. Keep this mail: "
                                  "whoever has the link can see the status of the complaint.")],
                    action=_("Follow my complaint"), link=t.link(f"{complaint_tracking.PATH}{token}"),
                    reason=_("You receive this mail because you left this address with your complaint."))

    return notify(conn, site, Recipient(address, language), KIND, f"{KIND}:{complaint.id}", build, now)
