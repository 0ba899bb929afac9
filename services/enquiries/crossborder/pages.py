"""What the cross-border pages share: their blueprints, the words of the states of an order and of a
part, and a reason worded in the page's language.

Two sets of pages use them: the origin broker's (`consortium_pages`: ask the hub for a consortium,
follow it) and the target site's (`inbox_pages`: the parts the hub forwarded here, answered by the
site's brokers or by the social enterprise's own member).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_percent
from flask_babel import lazy_gettext as _l

from services.contracts.reasons import describe
from services.web import page_blueprint
from services.web.i18n import language
from services.web.vocabulary import term

# The states of a cross-border order as the hub reports it, and "requested" before it has answered.
ORDER_TERMS = {
    "requested": _l("Requested, waiting for the hub"),
    "forwarded": _l("Forwarded to the sites"),
    "short": _l("Short of capacity"),
}
# The states of a part: the origin sees the hub's ("forwarded"), the target site its own ("pending").
PART_TERMS = {
    "forwarded": _l("Forwarded, waiting for the site's answer"),
    "pending": _l("Awaiting an answer"),
    "failed": _l("Failed"),
}


def order_term(code) -> str:
    return str(ORDER_TERMS[code]) if code in ORDER_TERMS else term(code)


def part_term(code) -> str:
    return str(PART_TERMS[code]) if code in PART_TERMS else term(code)


def share_percent(share) -> str:
    """A share from 0 to 1 (a regional share) as a percentage in the page's language ("80,5 %" in German),
    to a tenth of a percent."""
    try:
        value = Decimal(str(share))
    except (InvalidOperation, ValueError):
        return "–"
    if not value.is_finite():
        return "–"
    return format_percent(value.quantize(Decimal("0.001")).normalize(), locale=language(), decimal_quantization=False)


def crossborder_blueprint(name: str):
    """A page blueprint whose templates may write `status|order_term`, `status|part_term`,
    `reason|reason` (a `{code, params}` worded by services.contracts.reasons.describe) and
    `share|percent`."""
    bp = page_blueprint(name, "services.enquiries")
    bp.add_app_template_filter(order_term, "order_term")
    bp.add_app_template_filter(part_term, "part_term")
    bp.add_app_template_filter(describe, "reason")
    bp.add_app_template_filter(share_percent, "percent")
    return bp
