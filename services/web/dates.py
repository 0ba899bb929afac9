"""Dates and times as the page's language writes them, in the site's time zone.

English pages write dates as Europe's English does ("3 Dec 2026", CLDR's en_150), and no page writes a date
in digits only: "12/3/26" is 3 December to an American and 12 March to everyone else here.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from babel import Locale, dates
from flask_babel import get_timezone

from services.web.numbers import page_locale

DATE_LOCALES = {"en": "en_150"}  # English as written in Europe: day, month, year; a 24-hour clock
# A short date keeps its month in words: "03.12.26" hides the century, "12/3/26" the order of day and month.
DATE_STYLES = {"short": "medium"}


def date_locale() -> Locale:
    return Locale.parse(DATE_LOCALES.get(page_locale(), page_locale()))


def show_date(value, style: str = "medium") -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    elif isinstance(value, datetime):
        value = value.replace(tzinfo=value.tzinfo or timezone.utc).astimezone(get_timezone())
    return dates.format_date(value, DATE_STYLES.get(style, style), locale=date_locale())


def show_datetime(value, style: str = "medium") -> str:
    """In the site's time zone; `short` is the medium date with the short time ("3 Dec 2026, 15:04")."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    locale = date_locale()
    if style == "short":
        style = locale.datetime_formats["short"].format(locale.time_formats["short"].pattern,
                                                        locale.date_formats["medium"].pattern)
    return dates.format_datetime(value.replace(tzinfo=value.tzinfo or timezone.utc), style,
                                 tzinfo=get_timezone(), locale=locale)
