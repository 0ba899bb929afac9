"""An organisation's public profile: what it writes about itself for everyone to read, in each of its
site's languages. A social enterprise calls it its profile, a client company or public institution its
shop window; the rules are the same.

No I/O. A text is plain text (shown escaped, an empty line starting a new paragraph) of at most
`PROFILE_MAX_LENGTH` characters, in one of the site's languages. Texts are kept as {language: text};
a language left empty has no text. The organisation records the change (`Organisation.write_profile`).
"""
from __future__ import annotations

import re

from services.common.errors import Invalid
from services.common.fields import NOT_STORABLE, is_storable
from services.contracts.events.registry import PROFILE_MAX_LENGTH

TOO_LONG = "Longer than maximum length {max}."  # marshmallow's words: the pages translate them already
NOTHING_WRITTEN = "write the text in at least one of the site's languages"
NOT_A_SITE_LANGUAGE = "not one of the site's languages"
# Control characters other than tab and line breaks: invisible, and some not storable (NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def field_name(language: str) -> str:
    """The form's and the error's name of one language's text."""
    return f"text_{language}"


def normalised(text: str | None) -> str:
    """One way to write a line break, no blanks around the text."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def checked_texts(texts: dict[str, str | None], languages: tuple[str, ...]) -> dict[str, str]:
    """The texts to keep, {language: text} in the site's order of languages, or `Invalid` naming each
    wrong field (every problem in one round)."""
    problems: dict[str, list[str]] = {}
    kept: dict[str, str] = {}
    for language, raw in texts.items():
        text = normalised(raw)
        if language not in languages:
            problems[field_name(language)] = [NOT_A_SITE_LANGUAGE]
        elif not is_storable(text) or _CONTROL.search(text):
            problems[field_name(language)] = [NOT_STORABLE]
        elif len(text) > PROFILE_MAX_LENGTH:
            problems[field_name(language)] = [TOO_LONG.format(max=PROFILE_MAX_LENGTH)]
        elif text:
            kept[language] = text
    if not kept and not problems and languages:
        problems[field_name(languages[0])] = [NOTHING_WRITTEN]
    if problems:
        raise Invalid("the profile is not valid", problems)
    return {language: kept[language] for language in languages if language in kept}


def as_event_texts(texts: dict[str, str]) -> list[dict]:
    return [{"language": language, "text": text} for language, text in sorted(texts.items())]


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs: an empty line between two starts a new one; single line breaks stay."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(normalised(text)) if p.strip()]


def text_to_show(texts: dict[str, str], wanted: str, languages: tuple[str, ...]) -> tuple[str, str] | None:
    """(language, text) for a reader of `wanted`: that language's text, else the first of the site's
    languages written, else any; None if nothing is written."""
    for language in (wanted, *languages, *sorted(texts)):
        if texts.get(language):
            return language, texts[language]
    return None
