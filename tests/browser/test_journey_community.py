"""The platform's knowledge and community through the pages only, in real headless Chromium against the demo
federation (tests/browser/conftest.py), issue 19 ("What it must show": a browser test):

1. a visitor registers for the forum of the national stakeholder platform at HU22, in Hungarian: a missing
   consent is said beside its field; once registered, the event's page counts one seat less, and so does
   the hub's network calendar (it holds the counts only);
2. a broker at AT12, in German, publishes a Master's thesis with its PDF in the library; a text file under a
   PDF's name is refused beside the file field first;
3. an agency analyst at the hub, in English, finds the thesis in the network library by an inflected form of
   a German compound in its title (a LIKE on the word would miss it), follows it to AT12 and downloads the
   very PDF the broker uploaded.
"""
from __future__ import annotations

import io
import re
import uuid

from reportlab.pdfgen import canvas

from tests.support.browser_flows import LOCALES, shoot
from tests.support.browser_pages import error_of, log_in, tr, url
from tests.support.clock import today
from tests.support.polling import eventually

FORUM = "A nemzeti érintetti platform fóruma"  # HU22's platform forum in the demo (services/demo/community_events.py)


def seats_left(text: str) -> int:
    return int(re.match(r"\s*(\d+)", text).group(1))


def hub_card(page, event_url: str):
    """The calendar's card of the event whose page at its site is `event_url` (its counts, nothing of anyone's)."""
    return page.locator("article.event", has=page.locator(f"a[href='{event_url}']"))


def test_1_a_visitor_registers_for_the_platform_forum_in_hungarian(demo, new_page):
    hu22, hub, lang = url(demo, "HU22"), url(demo, "EU"), "hu"
    page = new_page(locale=LOCALES[lang])
    page.goto(f"{hu22}/events?lang={lang}")
    page.get_by_role("link", name=tr(lang, "Forum"), exact=True).click()
    page.get_by_role("link", name=FORUM).click()
    assert page.locator("main h1").inner_text() == FORUM
    before = seats_left(page.locator("#seats-left").inner_text())

    address = f"latogato-{uuid.uuid4().hex[:8]}@example.hu"
    page.fill("#f-name", "Kovács Éva")
    page.fill("#f-email", address)
    page.get_by_role("button", name=tr(lang, "Register for the event")).click()
    assert page.locator("#f-consent-error").count() == 1, "the missing consent is said beside its field"
    assert error_of(page, "consent").strip(), "in words"
    assert page.locator("html").get_attribute("lang") == "hu"
    page.locator("#f-consent").check()
    page.get_by_role("button", name=tr(lang, "Register for the event")).click()
    assert tr(lang, "You are registered.") in page.locator("main").inner_text()
    assert page.locator("#registration-status").inner_text().startswith(tr(lang, "Registered"))
    shoot(page, "community-forum-registered-hu")

    page.get_by_role("link", name=FORUM).click()
    assert seats_left(page.locator("#seats-left").inner_text()) == before - 1
    event_url = page.url.split("?")[0]

    # The hub's calendar learns the count (never who) from the site's event.
    capacity = int(page.locator("#seats-left").inner_text().split("/")[1])
    expected = tr("en", "%(num)s seats left of %(capacity)s", num=before - 1, capacity=capacity)

    def counted_at_hub():
        page.goto(f"{hub}/calendar?lang=en")
        card = hub_card(page, event_url)
        return card.count() == 1 and expected in card.inner_text()
    assert eventually(counted_at_hub, timeout=60), f"the hub's calendar shows {expected!r}"
    assert "Kovács" not in page.content() and address not in page.content()


def a_pdf(text: str) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, text)
    pdf.save()
    return out.getvalue()


def test_2_and_3_a_broker_publishes_a_thesis_in_german_and_an_analyst_finds_it_at_the_hub_in_english(
        demo, new_page, tmp_path):
    at12, hub = url(demo, "AT12"), url(demo, "EU")
    marker = uuid.uuid4().hex[:6]
    title = f"Beschäftigungsprojekte als Brücke in den Arbeitsmarkt ({marker})"
    broker = new_page(locale=LOCALES["de"])
    log_in(broker, at12, "broker", "de")
    broker.goto(f"{at12}/office/library?lang=de")
    broker.get_by_role("link", name=tr("de", "Publish an item")).click()
    broker.select_option("#f-kind", "master_thesis")
    broker.fill("#f-year", str(today().year))
    broker.fill("#f-authors", "Maria Beispiel")
    broker.fill("#f-title_de", title)
    broker.fill("#f-abstract_de", "Wie Sozialunternehmen Menschen in Beschäftigung bringen.")
    broker.fill("#f-keywords_de", "Sozialunternehmen, Arbeitsmarkt")
    not_a_pdf = tmp_path / "masterarbeit.pdf"
    not_a_pdf.write_text("only text, under a PDF's name")
    broker.set_input_files("#f-file", str(not_a_pdf))
    broker.get_by_role("button", name=tr("de", "Publish")).click()
    assert error_of(broker, "file").strip(), "the wrong type is said beside the file field"
    assert broker.locator("html").get_attribute("lang") == "de"

    document = a_pdf(f"Masterarbeit {marker}")
    thesis = tmp_path / "masterarbeit-echt.pdf"
    thesis.write_bytes(document)
    broker.fill("#f-title_de", title)
    broker.set_input_files("#f-file", str(thesis))
    broker.get_by_role("button", name=tr("de", "Publish")).click()
    assert title in broker.locator("main").inner_text()
    shoot(broker, "community-library-published-de")

    analyst = new_page(locale=LOCALES["en"])
    log_in(analyst, hub, "analyst", "en")

    def found_at_hub():
        # "Beschäftigungsprojekt", the singular of the title's compound: the German stemmer brings both to
        # one stem (tests/integration/test_library_search.py shows a LIKE missing such forms).
        analyst.goto(f"{hub}/library?lang=en")
        analyst.fill("#f-q", f"Beschäftigungsprojekt {marker}")
        analyst.press("#f-q", "Enter")
        return analyst.get_by_role("link", name=title).count() == 1
    assert eventually(found_at_hub, timeout=60), "the hub's network library finds the thesis"
    assert analyst.locator("html").get_attribute("lang") == "en"
    assert "Maria Beispiel" not in analyst.content(), "authors stay at their site"
    shoot(analyst, "community-hub-library-en")

    analyst.get_by_role("link", name=title).click()
    assert analyst.url.startswith(at12)
    with analyst.expect_download() as waiting:
        analyst.locator("main a[download]").first.click()
    with open(waiting.value.path(), "rb") as file:
        assert file.read() == document, "the very PDF the broker uploaded, kept at AT12"
