"""Numbers in the page's language: read as people type them into the API's form, and shown.

The API's schemas read "2400.50" (decimals as strings, counts as JSON integers). A German page types
"2.400,50", "2400,50" or "1,5", a Hungarian one "2 400,50", an English one "2,400.50". `forms.load` reads
every number field of the schema it loads (`read_numbers`) before the schema sees the body, so every page
form takes the page's own format, and what cannot be read in the page's language is refused beside its
field in that language. The JSON API is untouched.

A dot that cannot be a group separator ("1.5", "2400.50") is read as a decimal point in every language, as
the API writes numbers (and as a browser may fill them in); "1.250" in German stays one thousand two
hundred and fifty. Exponents, "NaN", "Infinity" and letters are no numbers on a page.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import get_locale, gettext

_SPACES = re.compile(r"[\s\u00a0\u202f]+")  # group separators typed as a space, a no-break or a thin space
_NUMERAL = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")  # digits with group and decimal marks, nothing else
_API_FORM = re.compile(r"[+-]?\d+(\.\d+)?")


def page_locale() -> str:
    return str(get_locale() or "en")


def read_decimal(typed: str, locale: str | None = None) -> Decimal | None:
    """The number in `typed`, read in `locale` (the page's language by default), or None when it is none."""
    text = _SPACES.sub("", typed or "")
    if not _NUMERAL.fullmatch(text):
        return None
    try:
        value = parse_decimal(text, locale=locale or page_locale(), strict=True)
    except NumberFormatError:
        if not _API_FORM.fullmatch(text):
            return None
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def in_api_form(typed: str, whole: bool = False, locale: str | None = None):
    """`typed` as the API reads it: an int for a whole number, "2400.50" for a decimal; None when it is
    no number (or, for `whole`, no whole one)."""
    value = read_decimal(typed, locale)
    if value is None:
        return None
    if whole:
        return int(value) if value == value.to_integral_value() else None
    return f"{value:f}"


def not_a_number(whole: bool = False) -> str:
    """The field message for what is no number in the page's language (the schema's own words)."""
    return gettext("Please enter a whole number.") if whole else gettext("Please enter a number.")


# --- numbers as a page shows them -------------------------------------------------------------

def as_decimal(value) -> Decimal | None:
    """A stored or computed number (Decimal, int, float or the API's string) as a Decimal; None if none."""
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def show_number(value, digits: int | None = None) -> str:
    amount = as_decimal(value)
    if amount is None:
        return "–"
    if digits is not None:
        return format_decimal(amount, format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                              locale=page_locale())
    return format_decimal(amount, locale=page_locale())


# --- the number fields of a schema ------------------------------------------------------------------

def read_numbers(schema: ma.Schema, body: dict) -> tuple[dict, dict[str, list[str]]]:
    """`body` with every number field of `schema` (nested objects, lists and dicts included) read in the
    page's language, and the field messages of those that are no number, by dotted name as
    `forms.flatten` names the schema's messages. A whole number field with a fraction ("1,5") is left as
    typed: the schema says that it wants a whole number."""
    unread: dict[str, list[str]] = {}
    return _read_object(schema, body, "", unread), unread


def _read_object(schema: ma.Schema, body, prefix: str, unread: dict) -> dict:
    if not isinstance(body, dict):
        return body
    read = dict(body)
    for attribute, field in schema.load_fields.items():
        key = field.data_key or attribute
        if key in read:
            read[key] = _read(field, read[key], f"{prefix}.{key}" if prefix else key, unread)
    return read


def _read(field: ma.fields.Field, value, name: str, unread: dict):
    if isinstance(field, ma.fields.Nested) and not isinstance(field, ma.fields.Pluck):
        if field.many and isinstance(value, list):
            return [_read_object(field.schema, item, name, unread) for item in value]
        return _read_object(field.schema, value, name, unread)
    if isinstance(field, ma.fields.List) and isinstance(value, list):
        return [_read(field.inner, item, name, unread) for item in value]  # an item's message is its list's
    if isinstance(field, ma.fields.Dict) and field.value_field is not None and isinstance(value, dict):
        return {key: _read(field.value_field, item, f"{name}.{key}", unread) for key, item in value.items()}
    if isinstance(field, ma.fields.Number) and isinstance(value, str) and value.strip():
        return _read_number(value, isinstance(field, ma.fields.Integer), name, unread)
    return value


def _read_number(typed: str, whole: bool, name: str, unread: dict):
    if read_decimal(typed) is None:
        unread[name] = [not_a_number(whole)]
        return typed
    read = in_api_form(typed, whole)
    return typed if read is None else read
