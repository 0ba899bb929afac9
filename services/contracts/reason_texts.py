"""The wording of each reason code (services.contracts.reasons), in the request's language.

The texts are extracted into both message catalogues (the sites' and the hub's: see `make
translations`), since a site and the hub show the same reasons. Numbers are formatted for the
language here, not by the publisher.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from typing import Callable

from flask_babel import format_decimal, gettext as request_gettext


def request_number(value) -> str:
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def text_for(code: str, params: dict, gettext: Callable[[str], str] | None = None,
             number: Callable[[object], str] | None = None) -> str:
    """The sentence of `code`. By default in the request's language (Flask-Babel); a mail, written outside
    a request, passes its recipient's `gettext` and number formatting."""
    _ = gettext or request_gettext
    _number = number or request_number
    p = {k: (_number(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else v)
         for k, v in params.items()}
    for key in ("unit_cost_eur", "capacity", "quantity", "min_lot", "delivered", "missing", "eligible", "rank"):
        if key in params and isinstance(params[key], str):
            p[key] = _number(params[key])
    p.setdefault("note", "")
    texts = {
        # why a share
        "whole_capacity": _("%(unit_cost_eur)s EUR per delivered unit, number %(rank)s of %(eligible)s candidates "
                            "by delivered cost; delivers its whole capacity of %(capacity)s units before the "
                            "deadline."),
        "minimum_lot": _("%(unit_cost_eur)s EUR per delivered unit, number %(rank)s of %(eligible)s candidates by "
                         "delivered cost; delivers its minimum lot of %(min_lot)s units (capacity %(capacity)s), "
                         "cheaper partners take the rest."),
        "rest_of_order": _("%(unit_cost_eur)s EUR per delivered unit, number %(rank)s of %(eligible)s candidates "
                           "by delivered cost; delivers %(quantity)s of its %(capacity)s units, what the order "
                           "still needs after cheaper partners."),
        # allocation shortfalls
        "label": _("%(quantity)s units could come only from social enterprises without a valid quality label, "
                   "which this order requires."),
        "min_lot": _("%(quantity)s units: the minimum lots of the candidates are above their capacity or the "
                     "order."),
        "deadline": _("%(quantity)s units could be delivered only after the deadline."),
        "capacity": _("%(quantity)s units: the eligible social enterprises lack the capacity before the "
                      "deadline."),
        "partners": _("%(quantity)s units: the order's maximum number of partners is reached."),
        "lots_do_not_fit": _("%(quantity)s units: the minimum lots of the candidates do not fit together."),
        # failures after acceptance
        "se_withdrew": _("The social enterprise withdrew from its part after accepting it (%(missing)s units "
                         "missing)."),
        "delivered_short": _("The social enterprise delivered %(delivered)s of %(quantity)s units and closed its "
                             "part (%(missing)s units missing)."),
        "deadline_missed": _("The deadline passed with %(delivered)s of %(quantity)s units delivered "
                             "(%(missing)s units missing)."),
        # a target declines
        "no_capacity": _("No capacity for this quantity."),
        "deadline_too_short": _("The deadline is too short."),
        "price_too_low": _("The price does not cover the costs."),
        "not_our_product": _("Not a product or service we make."),
        "other": _("Another reason."),
        # the hub withdraws a part
        "order_cancelled": _("The order %(reference)s was cancelled."),
        "order_expired": _("The order %(reference)s expired."),
        "replaced": _("The part was re-allocated."),
        # re-allocation after a failure
        "reallocated": _("The missing units were re-allocated."),
        "no_time_left": _("Too little time is left before the deadline to re-allocate the missing units."),
        "no_candidate": _("No other social enterprise can take the missing units."),
    }
    template = texts.get(code)
    if template is None:
        return code
    try:
        return template % p
    except (KeyError, ValueError, TypeError):
        return template
