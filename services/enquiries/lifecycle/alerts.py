"""The enquiry alert: the members of the site's social enterprises whose offers fit an enquiry hear of it
by mail, as procurement portals send tender alerts by CPV and region.

It goes out when the enquiry opens for proposals (moves to "matching"): only then can a social enterprise
see the enquiry on its member page and propose (`web.FOR_PROPOSALS`), and only then are its CPV codes,
quantity and unit sure to be there (the move's precondition). The matching part says who fits and why
(`matching_port.fitting_enterprises`: CPV, region, capacity, label); one notification per member with an
address is written in the transaction of the move. Each person chooses at once, in the daily digest or
off (services/web/notify.py); the key names the enquiry and the person, so a person hears of an enquiry
once. The mail shows the enquiry's shareable title (the broker-approved one, else reference and CPV codes).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from services.contracts.nuts import region_name
from services.enquiries.lifecycle import matching_port
from services.enquiries.lifecycle.transitions import MATCHING
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, members_of, notify_all

KIND = "enquiry_alert"
OPENED_FOR_PROPOSALS = MATCHING  # the move that sends the alert


def _level(t: Words, level: str) -> str:
    _ = t.gettext
    return {"exact": _("what is asked for"), "category": _("the same CPV category"),
            "class": _("the same CPV class"), "group": _("the same CPV group")}.get(level, level)


def _unit(t: Words, unit: str | None) -> str:
    """The unit in the recipient's language: the pages' word for it (a unit typed otherwise stays as typed)."""
    return t.term(unit) if unit else ""


def _amount(t: Words, value, unit: str | None) -> str:
    return f"{t.number(value)} {_unit(t, unit)}".strip()


def mail(enquiry, fit: matching_port.Fit):
    def build(t: Words) -> Mail:
        _ = t.gettext
        rows = [(_("Reference"), enquiry.reference), (_("Title"), enquiry.shareable_title),
                (_("Your offer"), fit.offer_title),
                (_("CPV"), _("%(requested)s asked for, your offer %(offered)s: %(level)s") % {
                    "requested": fit.requested_code, "offered": fit.offered_code, "level": _level(t, fit.cpv_level)})]
        if enquiry.delivery.nuts3:
            rows.append((_("Delivery"), f"{enquiry.delivery.nuts3} {region_name(enquiry.delivery.nuts3)}"))
        if fit.distance_km is not None:
            rows.append((_("Distance"), _("about %(km)s km from you") % {
                "km": t.number(round(fit.distance_km))}))
        if enquiry.quantity:
            rows.append((_("Quantity"), _amount(t, enquiry.quantity, enquiry.unit)))
        if fit.free_capacity is not None:
            rows.append((_("Your free capacity until then"), _amount(t, fit.free_capacity, enquiry.unit)))
        if enquiry.deadline:
            rows.append((_("Deadline"), t.date(enquiry.deadline)))
        if enquiry.label_required:
            rows.append((_("Label"), _("required; you hold label %(number)s") % {"number": fit.label_number or "–"}))
        return Mail(subject=_("An enquiry fits your offer: %(title)s") % {"title": enquiry.shareable_title},
                    intro=_("An enquiry at your site is open for proposals and fits the offer of %(organisation)s.")
                    % {"organisation": fit.organisation_name},
                    rows=rows, action=_("See the enquiry and propose"),
                    link=t.link(f"/office/member/enquiries/{enquiry.id}"),
                    reason=_("You receive this alert because you are a member of a social enterprise whose offers "
                             "fit the enquiry by CPV code, region, capacity and label."))
    return build


def notify_enterprises(conn: Connection, enquiry, site_url: str, site_languages: tuple[str, ...],
                       now: datetime) -> int:
    """One alert per member (with an address) of each fitting social enterprise; how many were written."""
    site = MailSite(site_url, site_languages)
    written = 0
    for fit in matching_port.fitting_enterprises(conn, enquiry, now.date()):
        written += notify_all(conn, site, members_of(conn, fit.organisation_id), KIND, f"{KIND}:{enquiry.id}",
                              mail(enquiry, fit), now)
    return written
