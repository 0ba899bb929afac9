"""The supporter's mail with the link that confirms their statement (double opt-in): written to the site's
notification outbox in the transaction that files the statement, to the address the statement gives, in
the page language the supporter used (services/web/notify.py does the language, the footer and the key).

The kind `statement_confirmation` is mandatory: it goes whatever the address chose for other mails. The
address stays at the site: the statement's events carry none.
"""
from __future__ import annotations

from datetime import datetime

from services.registry import confirmation
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, notify

KIND = "statement_confirmation"


def key_of(statement_id: str) -> str:
    return f"{KIND}:{statement_id}"


def mail(statement, token: str):
    def build(t: Words) -> Mail:
        _ = t.gettext
        days = confirmation.VALID_FOR.days
        return Mail(
            subject=_("Please confirm your statement of support %(reference)s") % {"reference": statement.reference},
            intro=_("Thank you for your statement of support. It counts in the statistics of the network once you "
                    "confirm it with the link below."),
            rows=[(_("Reference"), statement.reference), (_("Filed on"), t.date(statement.given_on))],
            paragraphs=[t.ngettext("The link can be used once and is valid for %(days)d day.",
                                   "The link can be used once and is valid for %(days)d days.", days) % {"days": days},
                        _("If you did not fill in this statement, ignore this mail: without confirmation it does "
                          "not count.")],
            action=_("Confirm my statement"), link=t.link(f"{confirmation.PATH}{token}"),
            reason=_("You receive this mail because this address was given in a statement of support at this site."))
    return build


def send_confirmation(conn, statement, token: str, site: MailSite, now: datetime) -> bool:
    """One mail to the statement's address, in its supporter's language (the key: one per statement)."""
    recipient = Recipient(statement.person.email, statement.language)
    return notify(conn, site, recipient, KIND, key_of(statement.id), mail(statement, token), now)
