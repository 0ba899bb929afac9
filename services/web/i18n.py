"""Languages, locale and formatting of the web pages (Flask-Babel).

The page language is, in this order: a `?lang=` link (remembered in the session), the language the
visitor chose before (the session), the visitor's browser (Accept-Language) among the languages the
site offers (deploy/federation.yaml: AT sites `de, en`, HU22 `hu, en`, the hub `en, de, hu`), and
else the site's first language. Every page can be switched to any of de, hu and en.

Dates are shown in the site's time zone (dates.py); numbers and money in the page language's conventions.
"""
from __future__ import annotations

from copy import copy
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from babel import Locale, numbers
from flask import request, session
from flask_babel import Babel, get_locale

from services.common.runtime import current_runtime
from services.web.messages import audit_text, translate
from services.web.dates import show_date, show_datetime
from services.web.numbers import as_decimal, show_number  # noqa: F401 - show_number: the pages' filter
from services.web.quantities import show_quantity
from services.web.vocabulary import term

LANGUAGES = ("de", "hu", "en")
LANGUAGE_NAMES = {"de": "Deutsch", "hu": "Magyar", "en": "English"}
TIME_ZONES = {"AT": "Europe/Vienna", "HU": "Europe/Budapest"}
HUB_TIME_ZONE = "Europe/Vienna"  # the agency sits in Vienna
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def init_i18n(app, runtime, extra_translation_dirs=()) -> None:
    site = runtime.settings.site
    app.config["BABEL_DEFAULT_LOCALE"] = site.languages[0] if site.languages else "en"
    app.config["BABEL_DEFAULT_TIMEZONE"] = TIME_ZONES.get(site.country or "", HUB_TIME_ZONE)
    # Flask-Babel merges the catalogs of every directory, so a service may bring its own.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        str(d) for d in (TRANSLATIONS, *extra_translation_dirs) if Path(d).is_dir())
    Babel(app, locale_selector=select_locale)
    app.before_request(remember_language)
    app.jinja_env.filters.update(date=show_date, datetime=show_datetime, number=show_number, money=show_money,
                                 quantity=show_quantity, term=term, message=translate, audit=audit_text)


def site_languages() -> tuple[str, ...]:
    offered = current_runtime().settings.site.languages
    return tuple(lang for lang in offered if lang in LANGUAGES) or ("en",)


def remember_language() -> None:
    """A `?lang=` link switches the language for the rest of the visit."""
    if request.path.startswith("/api/"):  # the JSON API has no session
        return
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and session.get("lang") != chosen:
        session["lang"] = chosen


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    offered = site_languages()
    return request.accept_languages.best_match(offered, default=offered[0])


def language() -> str:
    return str(get_locale() or "en")


# --- formatting (Jinja filters) ----------------------------------------------------------------------

# Forints are quoted whole in everyday use (there has been no coin below 5 Ft since 1999), and CLDR
# changed its HUF digits between Babel releases: whole units are our choice, not Babel's data's.
WHOLE_UNIT_CURRENCIES = frozenset({"HUF"})


def show_money(value, currency: str = "EUR", locale: str | None = None) -> str:
    """An amount in the page's language (or `locale`: a mail's); HUF in whole forints (rounded half up),
    other currencies to the cent. Stored amounts keep their decimals: this is only how they are shown."""
    amount = as_decimal(value)
    if amount is None:
        return "–"
    currency = currency or "EUR"
    locale = locale or language()
    if currency not in WHOLE_UNIT_CURRENCIES:
        return numbers.format_currency(amount, currency, locale=locale)
    pattern = copy(numbers.parse_pattern(Locale.parse(locale).currency_formats["standard"]))
    pattern.frac_prec = (0, 0)
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return pattern.apply(whole, Locale.parse(locale), currency=currency, currency_digits=False)
