"""The kinds of mail a site sends: who gets each, whether a person may turn it off, and how it is sent
when the person has chosen nothing.

One catalogue for the whole site, so that the settings page (services/web/notification_pages.py) lists
every kind a person can choose for, and a trigger cannot invent a kind the page does not know.
Modes: "now" (a mail at once), "digest" (one mail a day with all of them), "off".
"""
from __future__ import annotations

from dataclasses import dataclass

NOW, DIGEST, OFF = "now", "digest", "off"
MODES = (NOW, DIGEST, OFF)

# Audiences: whose settings page offers the kind.
BROKER, SE_MEMBER, CLIENT_MEMBER, SUPPORTER, ACCOUNT = "broker", "se_member", "client_member", "supporter", "account"
APPROVER = "approver"  # the label's approvers (and site admins), who decide appeals


@dataclass(frozen=True)
class Kind:
    name: str
    audience: str
    mandatory: bool = False  # confirmations and account links: always sent at once, never offered
    default: str = NOW
    # The mail carries a single-use link that opens something (an account, a confirmation): once the SMTP
    # server has it, the site keeps the row without its words, so a copy of the database opens nothing.
    secret_link: bool = False


KINDS: dict[str, Kind] = {k.name: k for k in (
    # brokers
    Kind("enquiry_filed", BROKER),
    Kind("part_forwarded", BROKER),
    Kind("part_answered", BROKER),
    Kind("consortium_agreed", BROKER),
    Kind("consortium_short", BROKER),
    Kind("label_application_submitted", BROKER),
    Kind("complaint_filed", BROKER),
    # label appeals: to the approvers who may decide one, and to the holder's members
    Kind("label_appeal_filed", APPROVER),
    Kind("label_appeal_decided", SE_MEMBER),
    # social enterprises
    Kind("enquiry_alert", SE_MEMBER),
    Kind("proposal_accepted", SE_MEMBER),
    Kind("proposal_declined", SE_MEMBER),
    Kind("part_forwarded_to_member", SE_MEMBER),
    Kind("label_expiry_reminder", SE_MEMBER),
    Kind("label_status_changed", SE_MEMBER),  # suspended, reinstated, revoked
    Kind("label_spot_check", SE_MEMBER, mandatory=True),  # drawn: the holder has evidence to give
    Kind("complaint_outcome", SE_MEMBER),
    # clients (companies and public institutions), programme applicants among them
    Kind("proposal_received", CLIENT_MEMBER),
    Kind("enquiry_state_changed", CLIENT_MEMBER),
    Kind("programme_place", CLIENT_MEMBER),  # granted, moved up from the waiting list
    Kind("programme_booking", CLIENT_MEMBER),  # made, cancelled
    # supporters: the newsletter only after opting in (their statement's choice)
    Kind("statement_confirmation", SUPPORTER, mandatory=True, secret_link=True),
    # the public: a complainant's link to follow the complaint (only when they left an address)
    Kind("label_complaint_received", SUPPORTER, mandatory=True, secret_link=True),
    Kind("newsletter", SUPPORTER, default=OFF),
    # the public: a community event's registrant (services/community/calendar/notices.py)
    Kind("community_event_registration", SUPPORTER, mandatory=True, secret_link=True),
    Kind("community_event_moved_up", SUPPORTER, mandatory=True),
    Kind("community_event_cancelled", SUPPORTER, mandatory=True),
    Kind("community_event_reminder", SUPPORTER, mandatory=True),
    # every user
    Kind("invitation", ACCOUNT, mandatory=True, secret_link=True),
    Kind("password_reset", ACCOUNT, mandatory=True, secret_link=True),
    Kind("digest", ACCOUNT, mandatory=True),  # the daily mail that carries the "digest" choices
)}


SECRET_LINK_KINDS = tuple(k.name for k in KINDS.values() if k.secret_link)


def kind(name: str) -> Kind:
    """KeyError for a kind the catalogue does not know: a trigger's typo fails its first test."""
    return KINDS[name]


def audiences_of(roles, organisation_kind: str | None) -> set[str]:
    """The audiences a user belongs to: brokers by role, members by their organisation's kind."""
    found = {ACCOUNT}
    if "broker" in roles:
        found.add(BROKER)
    if {"approver", "site_admin"} & set(roles):
        found.add(APPROVER)
    if "member" in roles:  # a social enterprise may also file enquiries and book programmes, as a client
        found.add(CLIENT_MEMBER)
        if organisation_kind == "social_enterprise":
            found.add(SE_MEMBER)
    return found
