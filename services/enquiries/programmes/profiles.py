"""An expert's public professional profile: what a consultant of the directory shows to the public and to
the hub's network-wide search, only while they consent. No I/O.

The consent is recorded by a staff user (who and when): it is off until given, and withdrawing it hides
the profile at once (the public search reads only consultants with a consent on record).
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from services.common.errors import Invalid
from services.contracts import nuts
from services.contracts.experts import LANGUAGES, MAX_PUBLICATIONS

MAX_SUMMARY = 1000
MAX_TITLE = 300
MAX_URL = 500


def is_web_url(url: str) -> bool:
    """An http(s) address with a host: no `javascript:`, `data:` or other scheme a link must not carry."""
    if not isinstance(url, str) or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def regions_of(country: str | None) -> dict[str, str]:
    """The NUTS-2 and NUTS-3 codes of `country` the vocabulary knows: {code: name}."""
    found: dict[str, str] = {}
    for code, name in nuts.names().items():
        if country and code.startswith(country):
            found.setdefault(code[:4], code[:4])
            found[code] = name
    return dict(sorted(found.items()))


def check_summaries(summaries: dict) -> dict[str, str]:
    """One short text per language, blank ones dropped."""
    errors = {lang: ["not one of de, hu, en"] for lang in summaries if lang not in LANGUAGES}
    errors.update({lang: [f"at most {MAX_SUMMARY} characters"] for lang, text in summaries.items()
                   if lang in LANGUAGES and len(text or "") > MAX_SUMMARY})
    if errors:
        raise Invalid("summaries: invalid", {"summaries": errors})
    return {lang: summaries[lang].strip() for lang in LANGUAGES if (summaries.get(lang) or "").strip()}


def check_publications(publications: list[dict]) -> list[dict]:
    """A few lines: a title, a year and an optional http(s) address."""
    if len(publications) > MAX_PUBLICATIONS:
        raise Invalid("publications: too many", {"publications": [f"at most {MAX_PUBLICATIONS}"]})
    errors, clean = {}, []
    for i, pub in enumerate(publications):
        title, year, url = (pub.get("title") or "").strip(), pub.get("year"), pub.get("url") or None
        problems = []
        if not title or len(title) > MAX_TITLE:
            problems.append(f"a title of 1 to {MAX_TITLE} characters")
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
            problems.append("a year between 1900 and 2100")
        if url is not None and not is_web_url(url):
            problems.append("the address must start with https:// or http://")
        if problems:
            errors[str(i)] = problems
        clean.append({"title": title, "year": year, "url": url})
    if errors:
        raise Invalid("publications: invalid", {"publications": errors})
    return clean


def consent_changes(given: bool, consent_at: datetime | None, by: str | None, now: datetime) -> dict:
    """The consent's fields after staff record it as `given` (or withdrawn): giving it again keeps the
    original date and recorder; withdrawing clears both."""
    if not given:
        return {"consent_at": None, "consent_by": None}
    if consent_at is not None:
        return {}
    if not by:
        raise Invalid("the consent needs the staff user who records it", {"public_profile": ["who records it?"]})
    return {"consent_at": now, "consent_by": by}
