"""The pages every site and the hub owe their visitors: imprint, privacy notice, accessibility statement
and contact. Their facts (who runs the site, where, how to reach them, which authorities to turn to) come
from the site's `operator` in the federation file (services.common.config.Operator); the wording is in
the templates, translated like every page. Linked from every page's footer."""
from __future__ import annotations

from flask import render_template

from services.common.auth import public
from services.common.runtime import current_runtime
from services.web.blueprints import page_blueprint

blp = page_blueprint("legal", __name__)
PAGES = ("imprint", "privacy", "accessibility", "contact")


def _page(name: str):
    return render_template(f"web/legal/{name}.html", operator=current_runtime().settings.site.operator)


@blp.route("/imprint")
@public
def imprint():
    return _page("imprint")


@blp.route("/privacy")
@public
def privacy():
    return _page("privacy")


@blp.route("/accessibility")
@public
def accessibility():
    return _page("accessibility")


@blp.route("/contact")
@public
def contact():
    return _page("contact")
