"""A quantity with its unit, as the page's language says it: "1 piece", "1.250 Stück", "1,5 Stunden".

Templates write `amount|quantity(unit)`. The usual units (vocabulary.py lists them) take the singular or
the plural the language's rule asks for (ngettext); a unit a person typed outside those ("Paletten") is
shown as typed after the number. A fraction ("1,5") takes the plural, as CLDR's rules for de, hu and en say.
"""
from __future__ import annotations

from flask_babel import ngettext

from services.web.numbers import as_decimal, show_number
from services.web.vocabulary import term

SHOWN_DIGITS = 3  # what format_decimal shows of a fraction by default

# One phrase per unit, so that each language may place and inflect the word itself.
UNIT_PHRASES = {
    "piece": lambda n, num: ngettext("%(amount)s piece", "%(amount)s pieces", n, amount=num),
    "unit": lambda n, num: ngettext("%(amount)s unit", "%(amount)s units", n, amount=num),
    "bag": lambda n, num: ngettext("%(amount)s bag", "%(amount)s bags", n, amount=num),
    "hour": lambda n, num: ngettext("%(amount)s hour", "%(amount)s hours", n, amount=num),
    "meal": lambda n, num: ngettext("%(amount)s meal", "%(amount)s meals", n, amount=num),
    "pair": lambda n, num: ngettext("%(amount)s pair", "%(amount)s pairs", n, amount=num),
    "set": lambda n, num: ngettext("%(amount)s set", "%(amount)s sets", n, amount=num),
    "tonne": lambda n, num: ngettext("%(amount)s tonne", "%(amount)s tonnes", n, amount=num),
    "litre": lambda n, num: ngettext("%(amount)s litre", "%(amount)s litres", n, amount=num),
    "percent": lambda n, num: ngettext("%(amount)s percent", "%(amount)s percent", n, amount=num),
}
# The codes the API sees for each unit (free text there: singular, plural and a common abbreviation).
UNIT_CODES = {"piece": "piece", "pieces": "piece", "pcs": "piece", "unit": "unit", "units": "unit",
              "bag": "bag", "bags": "bag", "hour": "hour", "hours": "hour", "meal": "meal", "meals": "meal",
              "pair": "pair", "pairs": "pair", "set": "set", "sets": "set", "tonne": "tonne", "tonnes": "tonne",
              "litre": "litre", "litres": "litre", "percent": "percent"}


def plural_count(amount) -> int:
    """The count a plural rule is asked about: the amount when whole, else one that is never singular."""
    return int(amount) if amount == amount.to_integral_value() else 2


def show_quantity(value, unit=None, digits: int | None = None) -> str:
    amount = as_decimal(value)
    if amount is None:
        return "–"
    shown = show_number(amount, digits)
    phrase = UNIT_PHRASES.get(UNIT_CODES.get((unit or "").strip().lower(), ""))
    if phrase is None:
        return f"{shown} {term(unit)}" if unit else shown
    # Asked about the amount as shown (rounded as show_number rounds), so "0,9999" shown as "1" says "1 piece".
    return phrase(plural_count(round(amount, SHOWN_DIGITS if digits is None else digits)), shown)
