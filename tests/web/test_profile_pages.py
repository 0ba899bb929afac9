"""An organisation's public profile (issue 14, "What to build" 1 and 2): a social enterprise's profile and a
client's shop window, written by its member at /office/member/profile in each of the site's languages (German
and English at AT12, Hungarian and English at HU22) and by the site's brokers at
/office/organisations/<id>/profile; shown escaped, in paragraphs, on the organisation's public page in the
page's language or, said so, in another of the site's. A member writes its own organisation's only; empty,
too long and hostile texts get messages beside their fields in the page's language, never a 500."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.support.web import field_errors, form_message

WERKSTATT_DE = "Wir bauen Möbel aus alten Paletten.\n\nAcht Menschen finden bei uns zurück in die Arbeit."
WERKSTATT_EN = "We build furniture from old pallets."


@pytest.fixture(scope="module")
def werkstatt(at12):
    """A member of Traisentaler Werkstatt (a social enterprise of AT12), logged in, in German."""
    at12.add_user("werkstatt-profile", ["member"], at12.ids["Traisentaler Werkstatt"])
    browser = at12.browser()
    browser.login("werkstatt-profile")
    return browser


@pytest.fixture(scope="module")
def zalai(hu22):
    """A member of Zalai Ajándéktárgy Kft. (a client company of HU22), logged in, in Hungarian."""
    hu22.add_user("zalai-profile", ["member"], hu22.ids["Zalai Ajándéktárgy Kft."])
    browser = hu22.browser()
    browser.login("zalai-profile")
    return browser


def text_of(page: str, field_id: str) -> str:
    return unescape(re.search(rf'<textarea id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def profile_section(page: str) -> str:
    found = re.search(r'<section aria-labelledby="profile-heading">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def test_a_social_enterprise_writes_its_profile_in_german_and_english(at12, werkstatt):
    werkstatt.get("/office/member")
    assert 'href="/office/member/profile">Unser öffentliches Profil</a>' in werkstatt.page
    werkstatt.get("/office/member/profile")
    assert "<h1>Unser öffentliches Profil</h1>" in werkstatt.page
    assert '<label for="f-text_de">Profil auf Deutsch</label>' in werkstatt.page
    assert '<label for="f-text_en">Profil auf Englisch</label>' in werkstatt.page
    assert "höchstens 2.000 Zeichen" in werkstatt.page  # the limit as German writes numbers
    saved = werkstatt.post("/office/member/profile", {"text_de": WERKSTATT_DE, "text_en": WERKSTATT_EN})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/office/member/profile")
    werkstatt.get("/office/member/profile")
    assert "Das Profil ist gespeichert." in werkstatt.page
    assert text_of(werkstatt.page, "f-text_de") == WERKSTATT_DE
    assert text_of(werkstatt.page, "f-text_en") == WERKSTATT_EN

    public = at12.browser()
    public.get(f"/organisations/{at12.ids['Traisentaler Werkstatt']}")
    shown = profile_section(public.page)
    assert '<h2 id="profile-heading">Profil</h2>' in shown and 'lang="de"' in shown
    assert "<p>Wir bauen Möbel aus alten Paletten.</p><p>Acht Menschen finden bei uns zurück in die Arbeit.</p>" in shown
    assert "Dieser Text" not in shown  # in the page's language: no note
    public.get(f"/organisations/{at12.ids['Traisentaler Werkstatt']}?lang=en")
    assert "<p>We build furniture from old pallets.</p>" in profile_section(public.page)


def test_a_client_writes_its_shop_window_in_hungarian(hu22, zalai):
    zalai.get("/office/member/profile")
    assert "<h1>Kirakatunk</h1>" in zalai.page
    assert '<label for="f-text_hu">Kirakatszöveg magyar nyelven</label>' in zalai.page
    text = "Fából készült ajándéktárgyakat keresünk.\nSzociális vállalkozásokkal dolgozunk."
    assert zalai.post("/office/member/profile", {"text_hu": text, "text_en": ""}).status_code == 302
    public = hu22.browser()
    public.get(f"/organisations/{hu22.ids['Zalai Ajándéktárgy Kft.']}")
    shown = profile_section(public.page)
    assert '<h2 id="profile-heading">Kirakat</h2>' in shown
    assert "<p>Fából készült ajándéktárgyakat keresünk.<br>Szociális vállalkozásokkal dolgozunk.</p>" in shown
    # in English the text is missing: the Hungarian one is shown, and the page says which language it is in
    public.get(f"/organisations/{hu22.ids['Zalai Ajándéktárgy Kft.']}?lang=en")
    shown = profile_section(public.page)
    assert "This text is in Hungarian." in shown and 'lang="hu"' in shown


def test_a_member_cannot_write_another_organisations_profile(at12, werkstatt):
    other = at12.ids["Donauland Handels AG"]
    assert werkstatt.get(f"/office/organisations/{other}/profile").status_code == 403
    assert werkstatt.post(f"/office/organisations/{other}/profile", {"text_de": "Übernommen"}).status_code == 403
    public = at12.browser()
    public.get(f"/organisations/{other}")
    assert "Übernommen" not in public.page
    anonymous = at12.browser()
    assert anonymous.get("/office/member/profile").status_code in (302, 401, 403)


def test_a_broker_writes_any_profile_of_the_site(at12, broker):
    donauland = at12.ids["Donauland Handels AG"]
    broker.get(f"/office/organisations/{donauland}/profile")
    assert "<h1>Schaufenster von Donauland Handels AG</h1>" in broker.page
    assert f'<a href="/office/organisations/{donauland}">Donauland Handels AG</a>' in broker.page  # its office page
    assert "Was die Organisation der Öffentlichkeit über sich erzählt" in broker.page
    assert broker.post(f"/office/organisations/{donauland}/profile",
                       {"text_de": "Wir suchen Partner für Werbegeschenke.", "text_en": ""}).status_code == 302
    public = at12.browser()
    public.get(f"/organisations/{donauland}")
    assert "<h2 id=\"profile-heading\">Schaufenster</h2>" in public.page
    assert "Wir suchen Partner für Werbegeschenke." in public.page
    assert broker.get("/office/organisations/00000000-0000-4000-8000-000000000000/profile").status_code == 404


@pytest.mark.parametrize("posted, field, message", [
    ({"text_de": "", "text_en": "  "}, "f-text_de",
     "Bitte schreiben Sie den Text in mindestens einer der Sprachen dieser Servicestelle."),
    ({"text_de": "x" * 2001, "text_en": ""}, "f-text_de", "Bitte geben Sie höchstens 2.000 Zeichen ein."),
    ({"text_de": "Gut", "text_en": "an escape \x1b[2J and a bell \x07"}, "f-text_en",
     "Das enthält Zeichen, die nicht erlaubt sind."),
])
def test_empty_too_long_and_hostile_texts_are_refused_beside_their_field_in_german(werkstatt, posted, field,
                                                                                     message):
    werkstatt.get("/office/member/profile")
    refused = werkstatt.post("/office/member/profile", posted)
    assert refused.status_code == 422
    assert field_errors(werkstatt.page) == {field: [message]}
    assert 'class="error-summary"' in werkstatt.page


def test_a_nul_byte_is_refused_before_the_page_sees_it(werkstatt):
    """The kernel's request guard refuses text no database can store in any form (422, never a 500)."""
    werkstatt.get("/office/member/profile")
    assert werkstatt.post("/office/member/profile", {"text_de": "bad\x00byte", "text_en": ""}).status_code == 422


def test_the_same_refusal_in_hungarian(zalai):
    zalai.get("/office/member/profile")
    assert zalai.post("/office/member/profile", {"text_hu": "", "text_en": ""}).status_code == 422
    [(field, [message])] = field_errors(zalai.page).items()
    assert field == "f-text_hu" and message.startswith("Kérjük")


def test_markup_is_kept_as_text_and_shown_escaped(at12):
    at12.add_user("metallwerk-profile", ["member"], at12.ids["Mostviertler Metallwerk"])
    member = at12.browser()
    member.login("metallwerk-profile")
    member.get("/office/member/profile")
    hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)> & "Qualität"'
    assert member.post("/office/member/profile", {"text_de": hostile, "text_en": ""}).status_code == 302
    public = at12.browser()
    public.get(f"/organisations/{at12.ids['Mostviertler Metallwerk']}")
    shown = profile_section(public.page)
    assert "<script>" not in shown and "<img" not in shown
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &amp; &#34;Qualität&#34;" \
        in shown
    member.get("/office/member/profile")
    assert text_of(member.page, "f-text_de") == hostile  # written back as typed


def test_the_public_page_links_its_editors_to_the_profile_and_nobody_else(at12, werkstatt, broker):
    werkstatt_page = f"/organisations/{at12.ids['Traisentaler Werkstatt']}"
    werkstatt.get(werkstatt_page)
    assert '<a href="/office/member/profile">Profil bearbeiten</a>' in werkstatt.page  # its own member
    werkstatt.get(f"/organisations/{at12.ids['Donauland Handels AG']}")
    assert "/profile" not in werkstatt.page and "bearbeiten</a>" not in werkstatt.page  # another's: no link
    broker.get(f"/organisations/{at12.ids['Donauland Handels AG']}")
    assert f'<a href="/office/organisations/{at12.ids["Donauland Handels AG"]}/profile">Schaufenster bearbeiten</a>' \
        in broker.page
    visitor = at12.browser()
    visitor.get(werkstatt_page)
    assert "/profile" not in visitor.page


def test_a_withdrawn_organisations_profile_can_no_longer_be_changed(at12, broker):
    gone = at12.ok("POST", "/organisations", expect=201, json={
        "kind": "economic_enterprise", "name": "Ehemalige Handels GmbH", "registration_number": "REG profile gone",
        "nuts3": "AT123", "address": {"street": "Hauptplatz 2", "postcode": "3100", "town": "St. Pölten",
                                      "country": "AT"}})["id"]
    at12.ok("POST", f"/organisations/{gone}/withdraw", json={"reason": "closed"})
    broker.get(f"/office/organisations/{gone}/profile")
    refused = broker.post(f"/office/organisations/{gone}/profile", {"text_de": "Neu", "text_en": ""})
    assert refused.status_code == 409
    assert form_message(broker.page) == "Diese Organisation ist ausgetreten: Ihr Profil kann nicht mehr geändert werden."
    assert text_of(broker.page, "f-text_de") == "Neu"  # what was typed stays in the form
