"""The label's certificate and badge (issue 17).

- `GET /labels/<number>/badge.svg`, public at every site: the badge of this site's own label from its
  database, of another site's from the hub's register (`services.label.badge`), asked again at every fetch.
- `GET /office/member/labels/<number>/certificate.pdf`: a member of the holder organisation (another
  organisation's label is a 404 here, so that its existence does not leak);
  `GET /office/labels/number/<number>/certificate.pdf`: the label staff and brokers.
  In the page's language, or `?lang=` de, hu or en. Only a label valid today has a certificate: a
  suspended, revoked or expired one is a 409 page that says so.
"""
from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import get_locale

from services.common.auth import public, roles
from services.common.clock import utc_today
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.label import handlers, model as m
from services.label.badge import badge_state, state_today
from services.label.certificate import CertifiedLabel, render_certificate, site_name
from services.label.member_pages import own_organisation
from services.web import page_blueprint
from services.web.badge import badge, badge_language, badge_response, verification_url
from services.web.i18n import LANGUAGES

blp = page_blueprint("label_certificate_pages", __name__)
STAFF = ("site_admin", "assessor", "approver", "broker")


@blp.route("/labels/<number>/badge.svg")
@public
def badge_svg(number):
    site = current_runtime().settings.site
    shown = badge(badge_state(number, utc_today()), number, verification_url(site.url, number),
                  badge_language(site.languages))
    return badge_response(shown)


def _label(number: str, organisation_id: str | None) -> m.Label:
    label = handlers.find_label(current_runtime().engine, number) if m.LABEL_NUMBER.match(number) else None
    if label is None or (organisation_id is not None and label.holder_organisation_id != organisation_id):
        raise NotFound(f"the label number {number[:60]} is unknown", {"label": ["unknown"]}, code="unknown_label")
    return label


def _certificate(label: m.Label):
    state = state_today(label, utc_today())
    if state != "valid":
        return render_template("label/certificate_refused.html", label=label, state=state), 409
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else str(get_locale() or "en")
    site = current_runtime().settings.site
    pdf = render_certificate(CertifiedLabel(
        number=label.number, holder_name=label.holder_name, product=label.product,
        catalogue_version=label.catalogue_version, valid_from=label.valid_from, valid_until=label.valid_until,
        site_name=site_name(site), site_url=site.url), lang)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{label.number}-{lang}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"  # valid when downloaded, not when cached
    return response


@blp.route("/office/member/labels/<number>/certificate.pdf")
@roles("member")
def member_certificate(number):
    return _certificate(_label(number, own_organisation()))


@blp.route("/office/labels/number/<number>/certificate.pdf")
@roles(*STAFF)
def staff_certificate(number):
    return _certificate(_label(number, None))
