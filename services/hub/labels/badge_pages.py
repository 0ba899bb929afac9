"""The hub's label badge (issue 17): `GET /labels/<number>/badge.svg`, public, from the network register, with
the state of the day (`store.public_status`) and a link to the hub's verification page. The same badge as a
site's (`services.web.badge`); asked again at every fetch, so a suspension shows once the hub has the event."""
from __future__ import annotations

import marshmallow as ma

from services.common.auth import public
from services.common.clock import utc_today
from services.common.runtime import current_runtime
from services.contracts.events.label import LABEL_NUMBER
from services.hub.labels import store as label_store
from services.web import page_blueprint
from services.web.badge import badge, badge_language, badge_response, verification_url

blp = page_blueprint("hub_label_badge", __name__)


def state_of(number: str) -> str:
    try:
        LABEL_NUMBER(number)
    except ma.ValidationError:
        return "unknown"
    with current_runtime().engine.connect() as conn:
        row = label_store.find_label(conn, number)
    return label_store.public_status(row["status"], row["valid_until"], utc_today()) if row else "unknown"


@blp.route("/labels/<number>/badge.svg")
@public
def badge_svg(number):
    site = current_runtime().settings.site
    return badge_response(badge(state_of(number), number, verification_url(site.url, number),
                                badge_language(site.languages)))
