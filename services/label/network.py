"""Labels decided at other sites. A site holds only its own labels; the hub's register holds every
site's, fed by their events, so a site asks the hub to verify a number another site issued."""
from __future__ import annotations

import requests

from services.common.config import Federation
from services.common.errors import Unavailable

# What a verification answers, as LabelSchema lists it: nothing else the hub says is passed on.
VERIFICATION_FIELDS = ("number", "status", "product", "holder_organisation_id", "holder_name", "cpv_codes",
                       "deciding_site", "valid_from", "valid_until", "suspended_until", "catalogue_version",
                       "reason")


def verify_at_hub(federation: Federation, number: str, timeout: float = 5.0) -> dict | None:
    """The hub's answer for `number`, or None when the hub does not know it either."""
    try:
        response = requests.get(f"{federation.hub.url}/api/v1/labels/{number}", timeout=timeout)
    except requests.RequestException as exc:
        raise Unavailable(f"the label {number[:60]} was issued by another site, and the hub's register "
                          f"cannot be reached to verify it: {exc.__class__.__name__}") from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise Unavailable(f"the hub's register answered {response.status_code} for {number[:60]}")
    body = response.json()
    return {key: body.get(key) for key in VERIFICATION_FIELDS}
