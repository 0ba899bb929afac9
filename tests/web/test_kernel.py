"""The web kernel: languages, session cookies, CSRF, login and refusals, locale formatting, CPV labels
and the translation catalogs."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from services.bootstrap import create_app
from services.contracts.reasons import describe
from services.web import cpv_labels, i18n
from flask_babel import force_locale, gettext

from services.web.messages import MESSAGES, translate
from tests.support.web import HTML, Browser, field_errors, form_message

TRANSLATIONS = Path(__file__).resolve().parents[2] / "services" / "web" / "translations"


def lang_of(page: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


# --- languages ---------------------------------------------------------------------------------------

def test_the_site_language_is_the_default_and_a_link_switches_it_for_the_visit(at12, hu22):
    assert lang_of(at12.app.test_client().get("/", headers=HTML).get_data(as_text=True)) == "de"
    assert lang_of(hu22.app.test_client().get("/", headers=HTML).get_data(as_text=True)) == "hu"
    browser = at12.browser()
    browser.get("/catalogue?lang=hu")
    assert lang_of(browser.page) == "hu" and "Katalógus" in browser.page
    browser.get("/support")  # remembered in the session
    assert lang_of(browser.page) == "hu" and "Támogató nyilatkozat" in browser.page
    browser.get("/support?lang=en")
    assert lang_of(browser.page) == "en" and "Statement of support" in browser.page


def test_the_browser_language_counts_among_the_languages_the_site_offers(at12):
    client = at12.app.test_client()
    english = client.get("/", headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert lang_of(english) == "en"
    # AT12 offers de and en: a Hungarian browser gets the site's language, and can switch.
    hungarian = client.get("/", headers={**HTML, "Accept-Language": "hu-HU"}).get_data(as_text=True)
    assert lang_of(hungarian) == "de"
    assert 'href="/?lang=hu"' in hungarian


def test_a_word_written_in_a_template_is_translated_for_each_reader_not_once_at_compile_time(at12):
    """Jinja folds filters on constants when it compiles a template; the kernel turns that off, or the
    first reader's language would be every later reader's."""
    environment = at12.app.jinja_env
    environment.filters.setdefault("reason_words", describe)
    template = environment.from_string("{{ 'granted'|term }} / {{ {'code': 'no_capacity', 'params': {}}|reason_words }}")
    seen = {}
    for lang in ("de", "hu", "en", "de"):
        with at12.app.test_request_context(f"/?lang={lang}"):
            at12.app.preprocess_request()
            seen.setdefault(lang, set()).add(template.render())
    assert all(len(words) == 1 for words in seen.values()), seen
    assert len({next(iter(words)) for words in seen.values()}) == 3, seen


def test_dates_numbers_and_money_follow_the_page_language(at12):
    with at12.app.test_request_context("/?lang=de"):
        assert i18n.show_money(Decimal("14800"), "EUR") == "14.800,00\xa0€"
        assert i18n.show_number("1250.5") == "1.250,5"
        assert i18n.show_date("2026-03-01") == "01.03.2026"
    with at12.app.test_request_context("/?lang=hu"):
        # Forints whole (the everyday form), whatever digits the installed CLDR data gives HUF.
        assert i18n.show_money(Decimal("3200000"), "HUF") == "3\xa0200\xa0000\xa0Ft"
        assert i18n.show_money(Decimal("1999.50"), "HUF") == "2\xa0000\xa0Ft"
        assert i18n.show_money(Decimal("1250.5"), "EUR") == "1\xa0250,50\xa0EUR"
        assert i18n.show_date("2026-03-01") == "2026. márc. 1."
    with at12.app.test_request_context("/?lang=en"):
        assert i18n.show_money(Decimal("14800"), "EUR") == "€14,800.00"
        assert i18n.show_money(Decimal("3200000.49"), "HUF") == "HUF3,200,000"
        assert i18n.show_number(None) == "–"


def test_the_45_cpv_divisions_are_labelled_in_three_languages():
    divisions = cpv_labels.divisions()
    assert len(divisions) == 45
    from services.contracts import cpv

    for code, labels in divisions.items():
        assert cpv.division(code) == code and labels["en"] == cpv.label(code)
        assert labels["de"] and labels["hu"] and len({labels["de"], labels["hu"], labels["en"]}) == 3, code
    assert cpv_labels.code_label("45000000", "de") == "Bauarbeiten"
    assert cpv_labels.code_label("18930000", "hu").startswith("Ruházat, lábbelik")


def forms_of(text) -> tuple[str, ...]:
    """A catalogue entry's text as a tuple: one form, or the singular and plural forms (ngettext)."""
    return tuple(text) if isinstance(text, (tuple, list)) else (text,)


@pytest.mark.parametrize("catalogs", [TRANSLATIONS, TRANSLATIONS.parents[1] / "hub" / "translations"],
                         ids=["sites", "hub"])
def test_every_message_is_translated_and_the_compiled_catalogs_are_current(catalogs):
    for lang in ("de", "hu"):
        po_path = catalogs / lang / "LC_MESSAGES" / "messages.po"
        po = read_po(po_path.open("rb"), locale=lang)
        untranslated = [m.id for m in po if m.id and not all(forms_of(m.string))]
        fuzzy = [m.id for m in po if m.id and m.fuzzy]
        assert untranslated == [] and fuzzy == [], (lang, untranslated[:5], fuzzy[:5])
        mo = read_mo((po_path.with_suffix(".mo")).open("rb"))
        assert {forms_of(m.id): forms_of(m.string) for m in po if m.id} == \
            {forms_of(m.id): forms_of(m.string) for m in mo if m.id}, \
            f"{lang}: run `make translations` to compile the catalog"
        for message in po:  # placeholders survive translation, in every plural form
            if message.id:
                wanted = set().union(*(re.findall(r"%\(\w+\)s", text) for text in forms_of(message.id)))
                for text in forms_of(message.string):
                    assert set(re.findall(r"%\(\w+\)s", text)) == wanted, (lang, message.id)


def test_validation_messages_are_translated_with_their_values(at12):
    with at12.app.test_request_context("/?lang=de"):
        assert translate("Length must be between 1 and 200.") == "Bitte geben Sie zwischen 1 und 200 Zeichen ein."
        assert translate("18930001 is not a CPV 2008 code") == "18930001 ist kein CPV-2008-Code."
        assert translate("something nobody wrote down") == "something nobody wrote down"
    with at12.app.test_request_context("/?lang=hu"):
        assert translate("Missing data for required field.") == "Ez a mező kötelező."
        for english, msgid in MESSAGES.items():  # every listed message has a Hungarian text
            if callable(msgid):  # a plural message, a function of its count
                with force_locale("en"):
                    assert msgid(n="1") != msgid(n="2")
                    in_english = msgid(n="1")
                assert msgid(n="1") != in_english, english
            else:
                assert gettext(msgid) != msgid, english


# --- sessions, CSRF, login ---------------------------------------------------------------------------

def test_session_cookies_are_per_site_http_only_same_site_and_secure_over_https(at12, module_settings):
    response = at12.app.test_client().get("/login", headers=HTML)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sopro_at12=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    https = module_settings("AT12")
    https = https.with_(secure_cookies=True)
    from services.common.runtime import build_runtime

    app = create_app(build_runtime(https, engine=at12.runtime.engine))
    assert "Secure" in app.test_client().get("/login", headers=HTML).headers["Set-Cookie"]


def test_forms_need_the_csrf_token_but_the_json_api_does_not(at12):
    browser = at12.browser()
    browser.get("/support")
    refused = browser.post("/support", {"kind": "person"}, csrf=False)
    assert refused.status_code == 400 and "Das Formular ist abgelaufen" in browser.page
    as_json = at12.app.test_client().post("/support", data={"kind": "person"})
    assert as_json.status_code == 400 and set(as_json.get_json()) == {"code", "status", "message", "errors"}
    api = at12.app.test_client().post("/api/v1/support-statements", json={
        "kind": "person", "first_name": "Eva", "last_name": "Berger", "consent": True, "nuts3": "AT123"})
    assert api.status_code == 201


@pytest.mark.parametrize("lang, required, wrong", [
    ("de", "Dieses Feld ist erforderlich.", "Unbekannter Benutzer oder falsches Passwort."),
    ("en", "This field is required.", "Unknown user or wrong password."),
])
def test_login_shows_field_errors_in_the_page_language(at12, lang, required, wrong):
    browser = at12.browser()
    browser.get(f"/login?lang={lang}")
    assert browser.post("/login", {"username": "", "password": ""}).status_code == 422
    assert field_errors(browser.page) == {"f-username": [required], "f-password": [required]}
    assert browser.post("/login", {"username": "broker", "password": "not-it"}).status_code == 401
    assert form_message(browser.page) == wrong
    assert 'value="not-it"' not in browser.page  # a password is never echoed


def test_the_back_office_sends_a_browser_to_the_login_and_back(at12):
    browser = at12.browser()
    response = browser.client.get("/office/enquiries", headers=HTML)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    browser.get(response.headers["Location"])
    response = browser.post(response.headers["Location"], {"username": "broker", "password": "web-test-pw"})
    assert response.status_code == 302 and response.headers["Location"] == "/office/enquiries"
    assert browser.get("/office/enquiries").status_code == 200
    # a JSON client gets the API's error shape instead of a redirect
    as_json = at12.app.test_client().get("/office/enquiries")
    assert as_json.status_code == 401 and as_json.get_json()["code"] == "unauthorized"


def test_a_role_that_does_not_fit_is_refused_with_a_page_and_logout_ends_the_session(at12):
    browser = at12.browser()
    browser.login("assessor")
    assert browser.get("/office/enquiries").status_code == 403
    assert "Nicht erlaubt" in browser.page
    assert browser.get("/office/labels").status_code == 200
    browser.logout()
    assert browser.client.get("/office/labels", headers=HTML).status_code == 302


def test_the_login_form_is_limited_against_password_guessing_like_the_token_endpoint(at12, module_settings):
    from services.common.runtime import build_runtime

    strict = module_settings("AT12").with_(token_rate_limit="3/minute")
    browser = Browser(create_app(build_runtime(strict, engine=at12.runtime.engine)))
    browser.get("/login")
    for _ in range(3):
        assert browser.post("/login", {"username": "broker", "password": "guess"}).status_code == 401
    refused = browser.post("/login", {"username": "broker", "password": "web-test-pw"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Zu viele Versuche" in browser.page
    assert browser.get("/catalogue").status_code == 200  # reading pages is not limited by it


def test_login_never_redirects_off_the_site(at12):
    browser = at12.browser()
    browser.get("/login")
    response = browser.post("/login?next=//evil.example/x", {"username": "broker", "password": "web-test-pw"})
    assert response.headers["Location"] == "/office/enquiries"


def test_every_page_route_declares_its_access_and_a_browser_without_session_is_sent_to_login(at12):
    from services.common.auth import PUBLIC, access_rule

    app, client = at12.app, at12.app.test_client()
    pages = [r for r in app.url_map.iter_rules()
             if getattr(app.blueprints.get(r.endpoint.rpartition(".")[0]), "sopro_pages", False)]
    assert len(pages) > 25
    for rule in pages:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            declared = access_rule(app, rule.endpoint, method)
            assert declared is not None, rule.rule
            if declared != PUBLIC and method == "GET" and "<" not in rule.rule:
                response = client.get(rule.rule, headers=HTML)
                assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


def test_the_hub_gets_the_kernel_too_english_by_default_and_its_own_administration(module_settings):
    from tests.support.migrated import bootstrap
    from services.common.users import add_user

    runtime = bootstrap(module_settings("EU"))
    with runtime.engine.begin() as conn:
        add_user(conn, "agency", "agency-pw-123", ["agency_admin"])
        add_user(conn, "analyst", "analyst-pw-123", ["agency_viewer"])
    app = create_app(runtime)
    browser = Browser(app)
    browser.get("/login")
    assert lang_of(browser.page) == "en" and browser.client.get_cookie("sopro_eu") is not None
    browser.login("agency", "agency-pw-123")
    assert browser.get("/office/users").status_code == 200 and "agency" in browser.page
    analyst = Browser(app)
    analyst.login("analyst", "analyst-pw-123")
    assert analyst.get("/office/users").status_code == 403
