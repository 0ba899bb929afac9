"""The mails of an enquiry's lifecycle to its parties at this site, written to the site's notification
outbox in the transaction of the change (services/web/notify.py does the language, the choices and the
footer):

- the client's members: a proposal (or a proposal's new revision) received, and their enquiry's state
  changed by someone else (`TOLD`; never for the client's own move, and not for the move to
  negotiating that a first proposal makes: the proposal's own mail tells them);
- the social enterprise's members: the client (or the broker) accepted or declined their proposal.

Each mail links to the page where the person acts: the client's enquiry page in "Our enquiries", the
social enterprise's page of the enquiry in its member area. The person who made the change is never told
of it. A site without a url (a handler called outside a site) writes nothing.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from services.enquiries.lifecycle.transitions import (
    AGREED, CANCELLED, CLIENT, CLOSED, DELIVERED, EXPIRED, IN_CONSULTATION, IN_PRODUCTION, MATCHING, NEGOTIATING,
    SUBMITTED, AuditEntry,
)
from services.enquiries.matching import store as matching_store
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, members_of, notify_all

PROPOSAL_RECEIVED, STATE_CHANGED = "proposal_received", "enquiry_state_changed"
PROPOSAL_ACCEPTED, PROPOSAL_DECLINED = "proposal_accepted", "proposal_declined"

# The states a client is told of when someone else moves its enquiry there.
TOLD = (SUBMITTED, IN_CONSULTATION, MATCHING, NEGOTIATING, AGREED, IN_PRODUCTION, DELIVERED, CLOSED, CANCELLED,
        EXPIRED)


def client_page(enquiry_id: str) -> str:
    return f"/office/our-enquiries/{enquiry_id}"


def member_page(enquiry_id: str) -> str:
    return f"/office/member/enquiries/{enquiry_id}"





def _others(recipients: list[Recipient], actor: str | None) -> list[Recipient]:
    return [r for r in recipients if actor is None or r.username != actor]


# --- words shared by the mails -----------------------------------------------------------------------

def _state_words(t: Words, state: str) -> tuple[str, str]:
    """The state's name and a sentence of what it means for the client."""
    _ = t.gettext
    return {
        SUBMITTED: (_("Submitted"), _("Your enquiry has been sent to the brokers of the site.")),
        IN_CONSULTATION: (_("In consultation"), _("A broker has taken up your enquiry and will consult you about it.")),
        MATCHING: (_("Matching"), _("A broker is looking for social enterprises that can take on your enquiry.")),
        NEGOTIATING: (_("Negotiating"), _("An agreement on your enquiry was cancelled: its proposals are open "
                                          "for negotiation again.")),
        AGREED: (_("Agreed"), _("Agreements now cover your enquiry.")),
        IN_PRODUCTION: (_("In production"), _("The production of your order has started.")),
        DELIVERED: (_("Delivered"), _("Every agreement on your enquiry has been delivered.")),
        CLOSED: (_("Closed"), _("The broker has closed your enquiry.")),
        CANCELLED: (_("Cancelled"), _("Your enquiry has been cancelled.")),
        EXPIRED: (_("Expired"), _("The deadline of your enquiry passed before agreements covered it: "
                                  "the enquiry has expired.")),
    }[state]


def _terms_rows(t: Words, terms) -> list[tuple[str, str]]:
    _ = t.gettext
    rows = [(_("Quantity"), f"{t.number(terms.quantity)} {t.term(terms.unit)}"),
            (_("Price"), t.money(terms.price, terms.currency)),
            (_("Delivery date"), t.date(terms.delivery_date))]
    if terms.conditions:
        rows.append((_("Conditions"), terms.conditions))
    return rows


# --- the client's members ----------------------------------------------------------------------------

def state_changed_mail(enquiry, entry: AuditEntry, show_reason: bool):
    def build(t: Words) -> Mail:
        _ = t.gettext
        name, sentence = _state_words(t, entry.to_state)
        rows = [(_("Reference"), enquiry.reference), (_("Title"), enquiry.title), (_("Status"), name)]
        if show_reason and entry.reason:
            rows.append((_("Reason"), entry.reason))
        return Mail(subject=_("Your enquiry %(reference)s: %(state)s") % {"reference": enquiry.reference,
                                                                          "state": name},
                    intro=sentence, rows=rows, action=_("Open your enquiry"),
                    link=t.link(client_page(enquiry.id)),
                    reason=_("You receive this mail because your organisation filed this enquiry."))
    return build


def state_changed(conn: Connection, site, enquiry, entry: AuditEntry | None, now: datetime,
                  show_reason: bool = False) -> int:
    """Tell the client's members that someone else moved their enquiry to a state they care about.
    `show_reason`: the entry's reason is what a person typed (the code's own reasons are English notes
    for the audit trail)."""
    mail_site = MailSite.of(site)
    if (mail_site is None or entry is None or enquiry.client.organisation_id is None or entry.party == CLIENT
            or entry.to_state not in TOLD or (entry.from_state, entry.to_state) == (MATCHING, NEGOTIATING)):
        return 0
    recipients = _others(members_of(conn, enquiry.client.organisation_id), entry.actor)
    key = f"{STATE_CHANGED}:{enquiry.id}:{entry.from_state}-{entry.to_state}:{entry.at.isoformat()}"
    return notify_all(conn, mail_site, recipients, STATE_CHANGED, key, state_changed_mail(enquiry, entry, show_reason),
                      now)


def proposal_received_mail(enquiry, proposal, proposer: str | None):
    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"reference": enquiry.reference}
        if proposal.revision > 1:
            subject = _("Revised proposal on your enquiry %(reference)s") % values
            intro = _("A social enterprise has revised its proposal on your enquiry. Please review the new "
                      "terms and accept or decline them.")
        else:
            subject = _("New proposal on your enquiry %(reference)s") % values
            intro = _("A social enterprise has made a proposal on your enquiry. Please review its terms and "
                      "accept or decline them.")
        rows = [(_("Reference"), enquiry.reference), (_("Title"), enquiry.title)]
        if proposer:
            rows.append((_("Social enterprise"), proposer))
        rows += _terms_rows(t, proposal.terms)
        return Mail(subject=subject, intro=intro, rows=rows, action=_("Review the proposal"),
                    link=t.link(client_page(enquiry.id)),
                    reason=_("You receive this mail because your organisation filed this enquiry."))
    return build


def proposal_received(conn: Connection, site, enquiry, proposal, actor: str | None, now: datetime) -> int:
    """Tell the client's members of a new proposal, or of a proposal's new revision (its own key)."""
    mail_site = MailSite.of(site)
    if mail_site is None or enquiry.client.organisation_id is None:
        return 0
    recipients = _others(members_of(conn, enquiry.client.organisation_id), actor)
    key = f"{PROPOSAL_RECEIVED}:{proposal.id}:{proposal.revision}"
    build = proposal_received_mail(enquiry, proposal, matching_store.organisation_name(conn, proposal.organisation_id))
    return notify_all(conn, mail_site, recipients, PROPOSAL_RECEIVED, key, build, now)


# --- the social enterprise's members -----------------------------------------------------------------

def proposal_decided_mail(enquiry, proposal, accepted: bool):
    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"reference": enquiry.reference}
        if accepted:
            subject = _("Your proposal on %(reference)s was accepted") % values
            intro = _("Your proposal was accepted: an agreement has been made, and your capacity is reserved "
                      "until the delivery date.")
        else:
            subject = _("Your proposal on %(reference)s was declined") % values
            intro = _("Your proposal was declined. You may make another one while the enquiry is open "
                      "for proposals.")
        rows = [(_("Reference"), enquiry.reference), (_("Title"), enquiry.title),
                (_("Revision"), str(proposal.revision))] + _terms_rows(t, proposal.terms)
        return Mail(subject=subject, intro=intro, rows=rows, action=_("Open the enquiry"),
                    link=t.link(member_page(enquiry.id)),
                    reason=_("You receive this mail because your organisation made this proposal."))
    return build


def proposal_decided(conn: Connection, site, enquiry, proposal, accepted: bool, actor: str | None,
                     now: datetime) -> int:
    """Tell the proposing social enterprise's members that their proposal was accepted or declined."""
    mail_site = MailSite.of(site)
    if mail_site is None:
        return 0
    kind = PROPOSAL_ACCEPTED if accepted else PROPOSAL_DECLINED
    recipients = _others(members_of(conn, proposal.organisation_id), actor)
    return notify_all(conn, mail_site, recipients, kind, f"{kind}:{proposal.id}",
                      proposal_decided_mail(enquiry, proposal, accepted), now)
