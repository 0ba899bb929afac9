"""The offer form the member area and the staff's pages share: which fields it posts, how a post becomes the
API's body (`OfferSchema`), and how an offer's values are shown in it (numbers in the page's language)."""
from __future__ import annotations

from services.contracts import cpv
from services.registry.offers import Offer
from services.web import forms
from services.web.numbers import show_number

OFFER_FIELDS = ("title", "description", "cpv_codes", "capacity_per_week", "unit", "lead_time_days", "price_min",
                "price_max", "delivery_radius_km", "cross_border")
OPTIONAL = ("price_min", "price_max", "delivery_radius_km")  # left empty on an edit: no longer given
NUMBERS = ("capacity_per_week", "lead_time_days", "price_min", "price_max", "delivery_radius_km")


def posted_offer(form, organisation_id: str, keep_empty: bool) -> tuple[dict, dict]:
    """The API's body of the offer form for `organisation_id`, and the values to show again. On an edit an
    optional field left empty is no longer given (None), rather than left as it was."""
    body, values = forms.body_from(form, OFFER_FIELDS, lists=("cpv_codes",), flags=("cross_border",))
    if keep_empty:
        body.update({name: None for name in OPTIONAL if name not in body})
    return {**body, "organisation_id": organisation_id}, values


def offer_values(offer: Offer) -> dict:
    """An offer's values as its form shows them: numbers in the page's language, CPV codes by spaces."""
    values = {name: getattr(offer, name) for name in OFFER_FIELDS}
    values.update({name: show_number(values[name]) for name in NUMBERS if values[name] is not None})
    values.update({name: "" for name in NUMBERS if values[name] is None})
    values["cpv_codes"] = " ".join(offer.cpv_codes)
    values["cross_border"] = "on" if offer.cross_border else ""
    return values


def offer_problems(data: dict, refused: frozenset) -> list[tuple[str, list[str]]]:
    """The domain's rules on an offer (`Offer._check`) on what the schema could read, so that they are said
    in the same round as the schema's messages (`forms.load_checked`)."""
    problems = []
    unknown = [code for code in data.get("cpv_codes") or () if not cpv.is_known(code)]
    if unknown and "cpv_codes" not in refused:
        problems.append(("cpv_codes", [f"{code} is not a CPV 2008 code" for code in unknown]))
    low, high = data.get("price_min"), data.get("price_max")
    if low is not None and high is not None and not {"price_min", "price_max"} & refused and low > high:
        problems.append(("price_max", ["must not be less than price_min"]))
    return problems
