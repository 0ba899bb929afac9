"""What the lifecycle's views share: the blueprint, who is acting, and who may see what.

Staff (broker, site_admin) see everything. A member sees the enquiries of its own organisation (as
the client), and, when its organisation is an active social enterprise (the matching projection's
view, `matching_port.social_enterprise`), the enquiries open for proposals (matching, negotiating)
that fit its published offers, or those it has proposed on, without the client's contact person.
Members of other kinds or of withdrawn organisations see only their own. Anything else is a 404, so
that an enquiry's existence does not leak.
"""
from __future__ import annotations

from flask_smorest import Blueprint

from services.common.auth import current_principal
from services.common.errors import Forbidden, NotFound
from services.common.runtime import current_runtime
from services.enquiries.lifecycle import deals_store, matching_port, store
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import CLIENT, MATCHING, NEGOTIATING, Actor
from services.enquiries.lifecycle.handlers import SiteRules

blp = Blueprint("enquiries_lifecycle", __name__, url_prefix="/api/v1",
                description="Enquiries, their lifecycle, proposals, agreements and impact")

STAFF = ("site_admin", "broker")
STAFF_AND_MEMBERS = STAFF + ("member",)
FOR_PROPOSALS = (MATCHING, NEGOTIATING)


def site_rules() -> SiteRules:
    settings = current_runtime().settings
    return SiteRules(settings.site_id, settings.site.currency, dict(settings.federation.rates_to_eur),
                     url=settings.site.url, languages=settings.site.languages)


def actor() -> Actor:
    principal = current_principal()
    if principal is None:
        return Actor("first-contact", first_contact=True)
    staff = principal.has_any(STAFF)
    member_of = principal.organisation_id if "member" in principal.roles else None
    if not staff and member_of is None:
        raise Forbidden("requires a broker or site_admin, or a member token naming its organisation")
    return Actor(principal.subject, staff=staff, organisation_id=member_of)


def read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def involved_as_se(conn, who: Actor, enquiry: Enquiry) -> bool:
    return bool(who.organisation_id) and bool(deals_store.proposals_of(conn, enquiry.id, who.organisation_id))


def visible_enquiry(conn, enquiry_id: str, who: Actor | None = None) -> tuple[Enquiry, bool]:
    """The enquiry as `who` may see it, and whether `who` sees it in full (staff or its client)."""
    who = who or actor()
    enquiry = store.load_enquiry(conn, enquiry_id)
    if who.staff or CLIENT in who.parties(enquiry):
        return enquiry, True
    se = matching_port.social_enterprise(conn, who.organisation_id)
    if se is not None and ((enquiry.state in FOR_PROPOSALS and se.fits(enquiry.cpv_codes))
                           or involved_as_se(conn, who, enquiry)):
        return enquiry.without_contact(), False
    raise NotFound(f"no enquiry {enquiry_id}")


def require_full_view(conn, enquiry_id: str) -> Enquiry:
    enquiry, full = visible_enquiry(conn, enquiry_id)
    if not full:
        raise Forbidden("only staff and the client see this")
    return enquiry
