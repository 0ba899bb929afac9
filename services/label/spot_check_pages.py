"""Spot checks for staff (issue 17, item 5): every year's draw with its seed, share, population and the labels
drawn, each with its re-assessment application and that application's status, and whether the draw replays
to the same labels; approvers and site admins draw this year's now (the yearly job does it otherwise), with
a seed of their choice or a random one.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from services.common.auth import current_principal, roles
from services.common.clock import utc_today
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.label_policy import LabelPolicy
from services.label import notices, spot_check_draws, spot_checks, store
from services.label.schemas import Strict, Text
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

STAFF = ("site_admin", "assessor", "approver")
DECIDERS = ("approver", "site_admin")

blp = page_blueprint("label_spot_check_pages", __name__)
nav_link(blp, "spot_check_list", _l("Spot checks"), roles=STAFF, area=OFFICE_AREA, order=34)


class SpotCheckDrawSchema(Strict):
    seed = Text(64, load_default=None)


def _share() -> object:
    return LabelPolicy.of(current_runtime().settings.federation).spot_check_share


def spot_checks_page(form=None, status: int = 200):
    with current_runtime().engine.connect() as conn:
        draws = spot_check_draws.draws(conn)
        applications = {}
        for recorded in draws:
            for app_id in recorded.applications.values():
                try:
                    applications[app_id] = store.load_application(conn, app_id)
                except SoproError:  # not to be expected (applications are never deleted); the page still draws
                    continue
    year = utc_today().year
    return render_template("label/spot_checks.html", draws=draws, applications=applications,
                           reproducible={d.year: spot_checks.replay(d) for d in draws}, share=_share(), year=year,
                           drawn_this_year=any(d.year == year for d in draws), form=form or forms.FormState(),
                           may_draw=bool(current_principal().roles & set(DECIDERS))), status


@blp.route("/office/labels/spot-checks")
@roles(*STAFF)
def spot_check_list():
    return spot_checks_page()


@blp.route("/office/labels/spot-checks", methods=["POST"])
@roles(*DECIDERS)
def draw():
    body, values = forms.body_from(request.form, ("seed",))
    state = forms.FormState(values=values)
    loaded = forms.load(SpotCheckDrawSchema(), body, state)
    if loaded is not None and loaded["seed"] and any(c.isspace() for c in loaded["seed"]):
        state.errors["seed"] = [_("A seed is one word: letters, digits and signs without spaces.")]
    if loaded is None or not state.valid:
        return spot_checks_page(state, 422)
    today = utc_today()
    try:
        done = spot_check_draws.draw_spot_checks(current_runtime().uow(), today.year, loaded["seed"],
                                                 current_principal().subject, _share(), today,
                                                 notices.mail_site(current_runtime()))
    except SoproError as exc:
        if exc.code == "already_drawn":
            state.message = _("The spot checks of %(year)s have been drawn already.", year=today.year)
        else:
            forms.apply_domain_error(exc, state)
        return spot_checks_page(state, exc.status)
    flash(ngettext("%(num)d label of %(population)d valid ones has been drawn for a spot check.",
                   "%(num)d labels of %(population)d valid ones have been drawn for a spot check.",
                   len(done.drawn), population=len(done.population)), "success")
    return redirect(url_for(".spot_check_list"))
