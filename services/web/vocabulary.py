"""The words of the domain's codes (kinds, states, roles, units, audit steps, ...) for people, in the
page's language.

Templates write `value|term` (e.g. `enquiry.state|term`, `offer.unit|term`); a code not listed shows as
written, so a unit a person typed outside the usual ones ("Paletten") stays as typed.
"""
from __future__ import annotations

from typing import Callable

from flask_babel import gettext
from flask_babel.speaklater import LazyString


class Term(LazyString):
    """A lazy translation that keeps its message id, so that a mail (written outside any request, in its
    recipient's language) can translate the same word with its own catalogue: `term_in`."""

    def __init__(self, msgid: str):
        super().__init__(gettext, msgid)
        self.msgid = msgid


def _l(msgid: str) -> Term:  # named like lazy_gettext's usual alias, so `make translations` extracts the words
    return Term(msgid)

TERMS = {
    # organisation kinds and labour market segments
    "social_enterprise": _l("Social enterprise"),
    "economic_enterprise": _l("Company"),
    "public_institution": _l("Public institution"),
    "consulting_institution": _l("Consulting institution"),
    "anonymous": _l("First contact (not a member)"),
    "second_labour_market": _l("Second labour market"),
    "third_labour_market": _l("Third labour market"),
    # support statements
    "person": _l("Private person"),
    "organisation": _l("Organisation"),
    "fixed": _l("Fixed line"),
    "mobile": _l("Mobile"),
    # enquiry types and states
    "service": _l("Service"),
    "production_step": _l("Production step"),
    "recycling_upcycling": _l("Recycling or upcycling"),
    "csr_product": _l("CSR flagship product"),
    "give_away": _l("Give-away"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "in_consultation": _l("In consultation"),
    "matching": _l("Matching"),
    "negotiating": _l("Negotiating"),
    "agreed": _l("Agreed"),
    "in_production": _l("In production"),
    "delivered": _l("Delivered"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired"),
    # parties
    "client": _l("Client"),
    "broker": _l("Broker"),
    "system": _l("System"),
    # proposals and agreements
    "open": _l("Open"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "active": _l("Active"),
    # frequencies
    "once": _l("Once"),
    "weekly": _l("Weekly"),
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "yearly": _l("Yearly"),
    # programmes
    "waiting": _l("Waiting list"),
    "first_consultation": _l("First consultation"),
    "further": _l("Further consultation"),
    # labels, applications, decisions, complaints
    "valid": _l("Valid"),
    "suspended": _l("Suspended"),
    "revoked": _l("Revoked"),
    "assessed": _l("Assessed"),
    "returned": _l("Returned for more evidence"),
    "granted": _l("Granted"),
    "refused": _l("Refused"),
    "under_review": _l("Under review"),
    "upheld": _l("Upheld"),
    "dismissed": _l("Dismissed"),
    "published": _l("Published"),
    "erased": _l("Erased"),
    # roles
    "site_admin": _l("Site administrator"),
    "assessor": _l("Assessor"),
    "approver": _l("Approver"),
    "member": _l("Member"),
    "agency_viewer": _l("Agency analyst"),
    "agency_admin": _l("Agency administrator"),
    "federation": _l("Federation (machine)"),
    # units of offers, enquiries and label figures (free text in the API; these are the usual ones)
    "piece": _l("pieces"),
    "pieces": _l("pieces"),
    "pcs": _l("pieces"),
    "unit": _l("units"),
    "units": _l("units"),
    "bag": _l("bags"),
    "bags": _l("bags"),
    "hour": _l("hours"),
    "hours": _l("hours"),
    "meal": _l("meals"),
    "meals": _l("meals"),
    "pairs": _l("pairs"),
    "sets": _l("sets"),
    "tonnes": _l("tonnes"),
    "litres": _l("litres"),
    "percent": _l("percent"),
    "m2": _l("m²"),
    "count": _l("measures"),  # the label catalogue counts resource-saving measures (its only "count" figure)
    # audit trails: the steps of a label application or label, and the consortium's moves of an enquiry
    "created": _l("Created"),
    "edited": _l("Edited"),
    "decided_granted": _l("Decided: granted"),
    "decided_refused": _l("Decided: refused"),
    "decided_returned": _l("Decided: returned for more evidence"),
    "renewed": _l("Renewed"),
    "reinstated": _l("Reinstated"),
    "renewal opened": _l("Renewal opened"),
    "spot_check opened": _l("Drawn for a spot check"),
    "spot check passed": _l("Spot check passed"),
    "spot check failed": _l("Spot check failed"),
    "reopened on appeal": _l("Reopened on appeal"),
    "document uploaded": _l("Document uploaded"),
    "document removed": _l("Document removed"),
    "document content erased": _l("Document content erased"),
    "filer erased": _l("The name of who filed it erased"),
    # why a label application was made (its purpose)
    "new": _l("First application"),
    "renewal": _l("Renewal"),
    "spot_check": _l("Spot check"),
    "filed": _l("Filed"),
    "contact erased": _l("Contact details erased"),
    "consortium_agreed": _l("The hub reports the consortium agreed: every part is accepted."),
    "consortium_part_started": _l("A part of the consortium is in production."),
    "consortium_delivered": _l("Every part of the consortium is delivered."),
}


def term(code) -> str:
    if code is None:
        return "–"
    return str(TERMS.get(code, code))


def term_in(code, translate: Callable[[str], str]) -> str:
    """`term` with a given translation (a mail's recipient's), not the request's."""
    if code is None:
        return "–"
    word = TERMS.get(code)
    return translate(word.msgid) if isinstance(word, Term) else str(code)


def choices(codes) -> list[tuple[str, str]]:
    """(code, words) pairs for a select list or radio buttons."""
    return [(code, term(code)) for code in codes]
