"""A delivered agreement's link to the registry's new case study form (the staff's registry pages),
filled in with the delivery's public facts.

The facts travel in the link's query string, so that neither service reads the other's store: the enquiry's
shareable title (its approved public version, else its reference), a summary of what was delivered, the
year of its impact, its CPV codes, the client's and the social enterprise's organisation ids, and the impact
figures. Nothing personal: no contact person, no client's own words. The form only starts from them; the
broker reads them and publishes (the registry validates the post like any other).
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask_babel import gettext as _

from services.enquiries.lifecycle import deals as d, deals_store
from services.enquiries.lifecycle.model import Enquiry
from services.web.numbers import show_number
from services.web.vocabulary import term

CASE_STUDY_FORM = "/office/case-studies/new"  # services.registry.office_case_study_pages.new_case_study
IMPACT = ("value_paid_eur", "material_diverted_kg", "integration_hours")


def case_study_links(conn, enquiry: Enquiry, agreements: list[d.Agreement], names: dict[str, str]) -> dict[str, str]:
    """{agreement id: the link} for each delivered agreement of the enquiry."""
    delivered = [a for a in agreements if a.status == d.DELIVERED]
    if not delivered:
        return {}
    impacts = {i.agreement_id: i for i in deals_store.impacts_of(conn, enquiry.id)}
    return {a.id: f"{CASE_STUDY_FORM}?{urlencode(delivery_facts(enquiry, a, impacts.get(a.id), names))}"
            for a in delivered}


def delivery_facts(enquiry: Enquiry, agreement: d.Agreement, impact, names: dict[str, str]) -> dict[str, str]:
    terms = agreement.terms
    summary = _("%(quantity)s %(unit)s delivered by %(name)s (%(reference)s).", quantity=show_number(terms.quantity),
                unit=term(terms.unit), name=names.get(agreement.organisation_id, "–"), reference=enquiry.reference)
    year = impact.year if impact is not None else (agreement.delivered_at or agreement.made_at).year
    facts = {"reference": enquiry.reference, "title": enquiry.shareable_title, "summary": summary, "year": str(year),
             "cpv_codes": " ".join(enquiry.cpv_codes), "client_organisation_id": enquiry.client.organisation_id or "",
             "social_enterprise_id": agreement.organisation_id}
    if impact is not None:
        facts.update({name: f"{getattr(impact, name):f}" for name in IMPACT if getattr(impact, name) is not None})
    return {key: value for key, value in facts.items() if value}
