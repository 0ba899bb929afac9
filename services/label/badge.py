"""A label's state today as this site's badge shows it (issue 17): this site's own label from its database,
another site's from the hub's register, asked at every fetch, so that a suspension at its site shows here as
soon as the hub has the event. The badge itself is the web kernel's (`services.web.badge`), which the hub
draws too."""
from __future__ import annotations

from datetime import date

from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.label_policy import LabelPolicy
from services.label import handlers, model as m, network


def state_today(label: m.Label, today: date) -> str:
    """This site's label as a verifier is told today: past its last valid day it is expired, even before the
    daily tick has recorded the expiry, unless its renewal is being assessed and the network's grace has not
    ended (the tick keeps it valid then too: `Label.expire_if_due`)."""
    if not label.lapsed_on(today):  # within its validity: no need to ask about a renewal
        return label.status
    runtime = current_runtime()
    grace = LabelPolicy.of(runtime.settings.federation).renewal_grace_days
    under_way = handlers.renewal_under_assessment(runtime.engine, label.number)
    return "expired" if label.lapsed_on(today, under_way, grace) else label.status


def badge_state(number: str, today: date) -> str:
    """valid, suspended, revoked or expired; unknown for a number nobody issued (or a malformed one);
    unavailable when another site's label cannot be checked because the hub does not answer."""
    match = m.LABEL_NUMBER.match(number)
    if not match:
        return "unknown"
    runtime = current_runtime()
    label = handlers.find_label(runtime.engine, number)
    if label is not None:
        return state_today(label, today)
    if match.group(1) == runtime.site_id:
        return "unknown"
    try:
        found = network.verify_at_hub(runtime.settings.federation, number)
    except SoproError:
        return "unavailable"
    return found["status"] if found else "unknown"  # the hub's register answers the status of today
