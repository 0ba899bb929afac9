"""The network's criteria for the quality label, at a site (public): the version in force today, the
versions published to apply later (with their date), and the older ones, each criterion in the page's
language.

The agency publishes the versions at the hub (services/label/consumers.py stores what arrives); a site
shows them and has no page or API to write one.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from services.common.auth import public
from services.common.clock import utc_today
from services.common.runtime import current_runtime
from services.label import catalogue as cat
from services.label import catalogues
from services.web import page_blueprint
from services.web.numbers import show_number

blp = page_blueprint("label_criteria_pages", __name__)


@blp.route("/labels/criteria")
@public
def criteria():
    today = utc_today()
    with current_runtime().engine.connect() as conn:
        versions = catalogues.all_versions(conn)
    due = [v for v in versions if v.applies_from <= today]
    current = max(due, key=lambda v: v.version)
    later = [v for v in versions if v.applies_from > today]
    older = sorted((v for v in due if v.version != current.version), key=lambda v: -v.version)
    return render_template("label/criteria.html", current=current, later=later, older=older,
                           requirement=requirement, family_name=family_name, genesis=catalogues.GENESIS)


def requirement(criterion: cat.Criterion) -> str:
    """What a criterion asks to pass, in words."""
    if criterion.kind == "threshold":
        return _("at least %(minimum)s %(unit)s", minimum=show_number(criterion.minimum), unit=criterion.figure.unit)
    return _("a score of at least %(min)s out of %(max)s", min=criterion.min_score, max=criterion.max_score)


def family_name(family: str) -> str:
    return {"social": _("social"), "ecological": _("ecological"), "quality": _("quality")}.get(family, family)
