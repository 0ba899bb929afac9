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


Problems = list[tuple[str, dict | list]]


def enquiry_problems(site_currency: str, *, type: str | None, client: Client | None, cpv_codes=(),  # noqa: A002
                     quantity: Decimal | None = None, unit: str | None = None, budget: Decimal | None = None,
                     currency: str = "EUR", residual_material=None, deadline: date | None = None,
                     today: date | None = None, unknown=()) -> Problems:
    """Every rule these fields break, as (field, messages) in the order they are checked.

    `today` adds the rule of a new enquiry: its deadline is not in the past. A field in `unknown` (the
    form's schema refused its value; a nested one as `contact.email`) leaves out the rules that read it.
    """
    def known(*names) -> bool:
        return not any(u == n or u.startswith(n + ".") for u in unknown for n in names)

    return [
        *_kind_problems(known, type, cpv_codes),
        *_amount_problems(known, site_currency, quantity, unit, budget, currency),
        *_material_problems(known, type, residual_material),
        *_client_problems(known, client),
        *_deadline_problems(known, deadline, today),
    ]


def _kind_problems(known, type: str | None, cpv_codes) -> Problems:  # noqa: A002
    """What is asked for: the enquiry's type and its CPV codes."""
    found: Problems = []
    if known("type") and type not in ENQUIRY_TYPES:
        found.append(("type", [f"must be one of {', '.join(ENQUIRY_TYPES)}"]))
    not_cpv = {str(i): [f"{c} is not a CPV 2008 code"] for i, c in enumerate(cpv_codes or ()) if not cpv.is_known(c)}
    if known("cpv_codes") and not_cpv:
        found.append(("cpv_codes", not_cpv))
    return found


def _amount_problems(known, site_currency: str, quantity: Decimal | None, unit: str | None,
                     budget: Decimal | None, currency: str) -> Problems:
    """How much: a positive quantity with its unit, a budget that is not negative, in a currency the site takes."""
    found: Problems = []
    if known("quantity") and quantity is not None and quantity <= 0:
        found.append(("quantity", ["must be more than zero"]))
    if known("quantity", "unit") and (quantity is None) != (unit is None):
        found.append(("unit", ["give a unit with a quantity, and only then"]))
    if known("budget") and budget is not None and budget < 0:
        found.append(("budget", ["must not be negative"]))
    if known("currency") and currency not in (site_currency, "EUR"):
        found.append(("currency", [f"must be the site's currency ({site_currency}) or EUR"]))
    return found


def _material_problems(known, type: str | None, residual_material) -> Problems:  # noqa: A002
    """A residual material belongs to a recycling or upcycling enquiry, and only to it."""
    if not known("type", "residual_material"):
        return []
    if type == RECYCLING and residual_material is None:
        return [("residual_material", ["is required for recycling or upcycling (material, amount, frequency)"])]
    if type != RECYCLING and residual_material is not None:
        return [("residual_material", ["applies to recycling or upcycling only"])]
    return []


def _client_problems(known, client: Client | None) -> Problems:
    """An anonymous client has a contact and no organisation; any other client has an organisation."""
    if client is None:
        return []
    if client.kind != ANONYMOUS:
        if known("client_organisation_id") and client.organisation_id is None:
            return [("client_organisation_id", ["is required unless the client is anonymous"])]
        return []
    found: Problems = []
    if known("client_organisation_id") and client.organisation_id is not None:
        found.append(("client_organisation_id", ["an anonymous client has no organisation"]))
    contact = client.contact
    if known("contact") and (contact is None or not (contact.email or contact.phone)):
        found.append(("contact", ["an anonymous first contact needs a name and an e-mail address or phone"]))
    return found


def _deadline_problems(known, deadline: date | None, today: date | None) -> Problems:
    """A new enquiry's deadline is not in the past (`today` is given for new enquiries only)."""
    if today is not None and known("deadline") and deadline is not None and deadline < today:
        return [("deadline", ["must not be in the past"])]
    return []
