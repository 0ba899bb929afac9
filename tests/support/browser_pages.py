"""What the browser tests read on a page and do there (tests/browser): texts from the gettext catalogues,
the demo's URLs, field messages, and logging in (a wrong password first)."""
from __future__ import annotations

from pathlib import Path

from babel.support import Translations

REPO = Path(__file__).resolve().parents[2]
CATALOGUES = [REPO / "services" / "web" / "translations", REPO / "services" / "hub" / "translations"]
DEMO_LABEL = "SOPRO-HU22-2026-0001"  # granted with four eyes at HU22 by the demo's seed


def tr(lang: str, msgid: str, **values) -> str:
    """The page text of `msgid` in `lang`, from the same catalogues the apps use; it must be translated."""
    if lang == "en":  # the source language
        return msgid % values if values else msgid
    translations = Translations.load(str(CATALOGUES[0]), [lang])
    for more in CATALOGUES[1:]:
        translations.merge(Translations.load(str(more), [lang]))
    text = translations.gettext(msgid)
    assert text != msgid, f"{msgid!r} is not translated into {lang}"
    return text % values if values else text


def url(demo: dict, site: str) -> str:
    return demo["hub"] if site == "EU" else demo["sites"][site]["url"]


def error_of(page, field: str) -> str:
    return page.locator(f"#f-{field.replace('.', '-')}-error").inner_text()


def field_errors(page) -> dict[str, str]:
    """Every field message on the page, by field id (f-title-error -> title)."""
    found = {}
    for element in page.locator(".field-error").all():
        found[element.get_attribute("id").removeprefix("f-").removesuffix("-error")] = element.inner_text()
    return found


def log_in(page, base: str, username: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#f-username", username)
    page.fill("#f-password", "wrong password")
    page.locator("main form button[type=submit]").click()
    assert tr(lang, "Unknown user or wrong password.") in page.locator(".error-summary").inner_text()
    page.fill("#f-username", username)
    page.fill("#f-password", "sopro-demo")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".who").inner_text().startswith(username), "logged in"
