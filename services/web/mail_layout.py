"""One mail's words, laid out as text and HTML in the recipient's language.

A trigger says what happened (a `Mail`: subject, a paragraph, facts, the page where the person acts,
why they get it); the layout adds the same footer to every mail: the notification settings and, for a
kind one can turn off, the one-click unsubscribe. The templates are Jinja's (services/web/templates/mail/),
rendered outside any request: notifications are written by handlers and consumers alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.web.i18n import TRANSLATIONS, show_money
from services.web.vocabulary import term_in

TEMPLATES = Path(__file__).resolve().parent / "templates" / "mail"
SUBJECT_MAX = 250


@dataclass(frozen=True)
class Mail:
    subject: str
    intro: str
    reason: str  # why the person gets it: "You receive this mail because ..."
    rows: Sequence[tuple[str, str]] = ()  # (label, value) facts
    paragraphs: Sequence[str] = ()  # more text after the facts
    items: Sequence[tuple[str, str | None]] = ()  # a list of (text, link), e.g. the mails of a daily digest
    action: str | None = None  # the link's words
    link: str | None = None  # absolute address of the page where the person acts


@dataclass(frozen=True)
class Words:
    """What a trigger's `build` gets: the recipient's language and its translations, and links to the site."""
    language: str
    site_url: str
    translations: Translations = field(repr=False)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def term(self, code) -> str:
        """A domain code's word (a unit, a state, a kind) in the recipient's language, as the pages show it."""
        return term_in(code, self.gettext)

    def number(self, value) -> str:
        """A number as the recipient's language writes it, without trailing zeros (2.50 -> 2,5)."""
        try:
            return format_decimal(Decimal(str(value)).normalize(), locale=self.language)
        except (InvalidOperation, ValueError, TypeError):
            return str(value)

    def money(self, amount, currency: str) -> str:
        """An amount as the pages show it, in the recipient's language (HUF in whole forints)."""
        return show_money(amount, currency, self.language)

    def date(self, value: datetime.date | None) -> str:
        return format_date(value, format="medium", locale=self.language) if value else ""

    def link(self, path: str) -> str:
        """An absolute link to `path` at the site, opening in the recipient's language."""
        joiner = "&" if "?" in path else "?"
        return f"{self.site_url.rstrip('/')}{path}{joiner}lang={self.language}"


@lru_cache(maxsize=8)
def translations(language: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [language])


def words(language: str, site_url: str) -> Words:
    return Words(language, site_url, translations(language))


@lru_cache(maxsize=8)
def _environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # the templates ship with the code: no stat per mail
    env.install_gettext_translations(translations(language), newstyle=True)
    return env


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """A header value: whitespace (line breaks included) collapsed, so nothing can end the header."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render(mail: Mail, language: str, settings_url: str | None, unsubscribe_url: str | None) -> tuple[str, str, str]:
    """(subject, text, html) of `mail`."""
    subject = one_line(mail.subject)
    context = {"mail": mail, "subject": subject, "language": language, "settings_url": settings_url,
               "unsubscribe_url": unsubscribe_url}
    env = _environment(language)
    return (subject, env.get_template("notification.txt").render(context),
            env.get_template("notification.html").render(context))
