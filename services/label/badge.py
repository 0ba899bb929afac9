"""A label's state today as this site's badge shows it (issue 17): this site's own label from its database,
another site's from the hub's register, asked at every fetch, so that a suspension at its site shows here as
soon as the hub has the event. The badge itself is the web kernel's (`services.web.badge`), which the hub
draws too."""
from __future__ import annotations

from datetime import date

from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.label import handlers, model as m, network


def state_today(status: str, valid_until: date | str | None, today: date) -> str:
    """As a verifier is told: a valid or suspended label past its last valid day is expired, even before
    the daily tick has recorded the expiry."""
    if isinstance(valid_until, str):
        valid_until = date.fromisoformat(valid_until[:10])
    if status in ("valid", "suspended") and valid_until is not None and valid_until < today:
        return "expired"
    return status


def badge_state(number: str, today: date) -> str:
    """valid, suspended, revoked or expired; unknown for a number nobody issued (or a malformed one);
    unavailable when another site's label cannot be checked because the hub does not answer."""
    match = m.LABEL_NUMBER.match(number)
    if not match:
        return "unknown"
    runtime = current_runtime()
    label = handlers.find_label(runtime.engine, number)
    if label is not None:
        return state_today(label.status, label.valid_until, today)
    if match.group(1) == runtime.site_id:
        return "unknown"
    try:
        found = network.verify_at_hub(runtime.settings.federation, number)
    except SoproError:
        return "unavailable"
    return state_today(found["status"], found["valid_until"], today) if found else "unknown"
