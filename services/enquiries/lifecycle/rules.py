"""The rules an enquiry's fields must keep, as one pure function. No I/O.

The enquiry raises the first problem (a 422 naming one field, as the API always answered); the public
enquiry form calls `enquiry_problems` with what its schema could read, so a person sees every message
in one round instead of one rule at a time.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.contracts.events.enquiries import ENQUIRY_TYPES
from services.enquiries.lifecycle.values import Client
from services.contracts import cpv

ANONYMOUS = "anonymous"
RECYCLING = "recycling_upcycling"


def enquiry_problems(site_currency: str, *, type: str | None, client: Client | None, cpv_codes=(),  # noqa: A002
                     quantity: Decimal | None = None, unit: str | None = None, budget: Decimal | None = None,
                     currency: str = "EUR", residual_material=None, deadline: date | None = None,
                     today: date | None = None, unknown=()) -> list[tuple[str, dict | list]]:
    """Every rule these fields break, as (field, messages) in the order they are checked.

    `today` adds the rule of a new enquiry: its deadline is not in the past. A field in `unknown` (the
    form's schema refused its value; a nested one as `contact.email`) leaves out the rules that read it.
    """
    def known(*names) -> bool:
        return not any(u == n or u.startswith(n + ".") for u in unknown for n in names)

    found: list[tuple[str, dict | list]] = []
    if known("type") and type not in ENQUIRY_TYPES:
        found.append(("type", [f"must be one of {', '.join(ENQUIRY_TYPES)}"]))
    not_cpv = {str(i): [f"{c} is not a CPV 2008 code"] for i, c in enumerate(cpv_codes or ()) if not cpv.is_known(c)}
    if known("cpv_codes") and not_cpv:
        found.append(("cpv_codes", not_cpv))
    if known("quantity") and quantity is not None and quantity <= 0:
        found.append(("quantity", ["must be more than zero"]))
    if known("quantity", "unit") and (quantity is None) != (unit is None):
        found.append(("unit", ["give a unit with a quantity, and only then"]))
    if known("budget") and budget is not None and budget < 0:
        found.append(("budget", ["must not be negative"]))
    if known("currency") and currency not in (site_currency, "EUR"):
        found.append(("currency", [f"must be the site's currency ({site_currency}) or EUR"]))
    if known("type", "residual_material"):
        if type == RECYCLING and residual_material is None:
            found.append(("residual_material",
                          ["is required for recycling or upcycling (material, amount, frequency)"]))
        if type != RECYCLING and residual_material is not None:
            found.append(("residual_material", ["applies to recycling or upcycling only"]))
    if client is not None and client.kind == ANONYMOUS:
        if known("client_organisation_id") and client.organisation_id is not None:
            found.append(("client_organisation_id", ["an anonymous client has no organisation"]))
        contact = client.contact
        if known("contact") and (contact is None or not (contact.email or contact.phone)):
            found.append(("contact", ["an anonymous first contact needs a name and an e-mail address or phone"]))
    elif client is not None and known("client_organisation_id") and client.organisation_id is None:
        found.append(("client_organisation_id", ["is required unless the client is anonymous"]))
    if today is not None and known("deadline") and deadline is not None and deadline < today:
        found.append(("deadline", ["must not be in the past"]))
    return found
