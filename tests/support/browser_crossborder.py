"""What the cross-border browser journey (tests/browser/test_journey_crossborder.py) reads on its pages:
texts with their spaces made plain, a table's rows, a reason's wording as a pattern, and pages reloaded
until the federation has caught up (the demo delivers its messages asynchronously, within moments).
"""
from __future__ import annotations

import re
import time
from functools import lru_cache

from babel.support import Translations

from tests.support.browser_pages import CATALOGUES

# Babel groups digits with a no-break or a narrow no-break space in some languages ("1 200,5" in Hungarian)
# and puts one before a currency sign ("720.000 Ft"); the assertions are written with plain spaces.
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=None)
def _site_catalogue(lang: str) -> Translations:
    return Translations.load(str(CATALOGUES[0]), [lang])


def site_tr(lang: str, msgid: str, **values) -> str:
    """A site page's text of `msgid` in `lang`, from the sites' catalogue alone (browser_pages.tr merges the
    hub's, which words some of the same messages its own way); it must be translated."""
    text = msgid if lang == "en" else _site_catalogue(lang).gettext(msgid)
    assert lang == "en" or text != msgid, f"{msgid!r} is not translated into {lang}"
    return text % values if values else text


def flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def main_text(page) -> str:
    return flat(page.locator("main").inner_text())


def reload_until(page, address: str, ready, timeout: float = 30.0, interval: float = 0.5):
    """Open `address` again and again until `ready(page)` is truthy; its value. Fails the test with what
    the page said last if the federation has not caught up within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(address)
        found = ready(page)
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{address} did not show what was awaited within {timeout:.0f}s; it shows:\n"
                                 f"{main_text(page)[:3000]}")
        time.sleep(interval)


def rows(page, selector: str = "main table") -> list[list[str]]:
    """The body rows of the tables matching `selector`, each as its cells' plain texts."""
    found = []
    for row in page.locator(f"{selector} tbody tr").all():
        found.append([flat(cell) for cell in row.locator("td, th").all_inner_texts()])
    return found


def rows_with(page, text: str, selector: str = "main table") -> list[list[str]]:
    return [row for row in rows(page, selector) if any(text in cell for cell in row)]


def wording(lang: str, msgid: str) -> re.Pattern:
    """The translation of `msgid` (with %(name)s placeholders) as a pattern whose named groups take the
    values the page put in: so that a reason can be checked without recomputing every figure."""
    pieces, last = [], 0
    text = flat(site_tr(lang, msgid))
    for match in _PLACEHOLDER.finditer(text):
        pieces.append(re.escape(text[last:match.start()]))
        pieces.append(f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    pieces.append(re.escape(text[last:]))
    return re.compile("".join(pieces))
