"""The label's embeddable badge (issue 17): an SVG that says, in one of de/hu/en, whether a label number is
valid, suspended, revoked or expired today (or unknown), wrapped in a link to the public verification page.

Sites and the hub draw the same badge (a site from its own labels or the hub's register, the hub from its
register), so it lives in the web kernel: the hub may not import the label service.

It is live: every fetch asks again (`Cache-Control: no-cache`) and an unchanged badge costs a 304 by its
ETag. It is safe to embed: no script, no style element, no foreign reference; every text is escaped by the
template (Flask autoescapes `.svg`). Its words are here, not in the template: `.svg` is not extracted.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from flask import make_response, render_template, request, session
from flask_babel import force_locale, gettext as _

from services.web.i18n import LANGUAGES

STATES = ("valid", "suspended", "revoked", "expired", "unknown", "unavailable")
COLOURS = {"valid": "#1a7f37", "suspended": "#b35900", "revoked": "#b91c1c", "expired": "#57606a",
           "unknown": "#57606a", "unavailable": "#57606a"}
SHOWN_NUMBER = 40  # a label number is shorter; a hostile one is cut


@dataclass(frozen=True)
class Badge:
    state: str
    number: str
    link: str
    title: str
    state_text: str
    colour: str
    width: int
    lang: str


def badge_language(site_languages) -> str:
    """`?lang=` when it is one of de/hu/en, else the site's first language."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return next((lang for lang in site_languages if lang in LANGUAGES), "en")


def verification_url(site_url: str, number: str) -> str:
    return f"{site_url.rstrip('/')}/labels/verify?number={quote(number, safe='')}"


def _state_text(state: str) -> str:
    return {
        "valid": _("Valid"),
        "suspended": _("Suspended"),
        "revoked": _("Revoked"),
        "expired": _("Expired"),
        "unknown": _("Unknown label number"),
        "unavailable": _("Cannot be checked now"),
    }[state]


def _text_width(text: str, size: float) -> float:
    """A generous estimate (a wide sans-serif averages about 0.62 em a character): the badge has no
    fonts of its own, and a line that runs out of its box is worse than a little space."""
    return len(text) * size * 0.64


def badge(state: str, number: str, link: str, lang: str) -> Badge:
    state = state if state in STATES else "unknown"
    number = number[:SHOWN_NUMBER]
    with force_locale(lang):
        title = _("socio-ecologically produced")
        state_text = _state_text(state)
    width = int(max(_text_width(title, 12), _text_width(state_text, 14), _text_width(number, 11)) + 24)
    return Badge(state, number, link, title, state_text, COLOURS[state], max(width, 160), lang)


def badge_response(shown: Badge):
    """The SVG, never cached without asking again; 304 when the client's ETag still matches. A badge is an
    image on other people's pages: its `?lang=` is no language choice of the visitor's (the page kernel
    remembers a `?lang=` in the session), so it never sets a cookie."""
    session.modified = False
    svg = render_template("web/badge.svg", badge=shown)
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Language"] = shown.lang
    response.set_etag(hashlib.sha256(svg.encode()).hexdigest()[:32])
    return response.make_conditional(request)
