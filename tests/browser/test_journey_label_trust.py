"""The label as a trusted mark, through the pages only, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 17 ("What it must show": apply → upload → assess → grant → download the
certificate → renew under v2 → appeal a suspension), in Hungarian at HU22 and in German at AT12.

1. At each site the social enterprise's member applies for the label: a file that calls itself a PDF but is
   text is refused beside its field in the page's language (nothing saved), then a real PDF (made here with
   reportlab) is uploaded for every criterion and the application submitted. The assessor sees the
   documents, downloads one (the same bytes), scores every criterion; the approver grants it. The member
   downloads the certificate: `pdftotext` reads the number and the holder (Hungarian ő intact), `zbarimg`
   reads the public check's address in its QR code.
2. Once for the network, the agency admin publishes criteria version 2 at the hub (in English), applying
   from today: the social enterprise's share must now be at least 40 % instead of 30 %; every other
   criterion stays as in version 1 (the figures the other browser journeys type still pass). Both sites
   show version 2 in force once the hub's message has arrived.
3. At each site the member renews the label: the renewal opens under version 2, pre-filled with the last
   figures; the member raises the share above the new minimum, adds current documents and submits; the
   assessor and the approver decide it. The label keeps its number, is valid two years longer and its
   certificate names version 2. The approver suspends it; the member appeals with grounds; the approver who
   suspended is told beside the decision form that another approver must decide (and is refused when
   trying); `approver2` upholds it: the public check and the badge say valid again.

Every main moment is shot on a desktop and on a phone (label-trust-*.png). No page answers 5xx.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.dates import format_date

from services.label.model import add_years
from tests.support.browser_crossborder import flat, main_text, reload_until, site_tr
from tests.support.browser_flows import LOCALES, PASSWORD, shoot_both as shared_shoot_both
from tests.support.browser_pages import error_of, url

CRITERIA = ("se_share", "regional_primary_products", "resource_saving", "quality_innovation")
V2_SE_SHARE_MINIMUM = "40"  # version 1 asks for 30


@dataclass(frozen=True)
class Holder:
    site: str
    lang: str
    holder: str  # the demo member's social enterprise
    product: str
    share_first: str  # the social enterprise's share typed in the first application: passes 30, not 40
    share_renewal: str  # typed again in the renewal: passes 40
    documents: dict  # criterion -> the file name of its evidence
    grounds: str


HU22 = Holder(
    site="HU22", lang="hu", holder="Győri Szociális Asztalosműhely Nonprofit Kft.",
    product="Bizalmi teszt: tölgyfa kerti bútorok", share_first="35,5", share_renewal="45,5",
    documents={"se_share": "Munkaidő-nyilvántartás.pdf", "regional_primary_products": "Beszállítói lista.pdf",
               "resource_saving": "Erőforrás-takarékosság.pdf", "quality_innovation": "Minőségvizsgálat.pdf"},
    grounds="A felfüggesztés alapja egy félreértés volt: a hiányzó számlákat időközben benyújtottuk.")
AT12 = Holder(
    site="AT12", lang="de", holder="Traisentaler Beschäftigungswerkstatt",
    product="Vertrauenstest: Hochbeete aus Lärchenholz", share_first="35,5", share_renewal="45,5",
    documents={"se_share": "Stundenaufzeichnungen.pdf", "regional_primary_products": "Lieferantenliste.pdf",
               "resource_saving": "Maßnahmen Ressourcen.pdf", "quality_innovation": "Prüfbericht Hochbeet.pdf"},
    grounds="Die Aussetzung beruht auf einem Missverständnis: die fehlenden Rechnungen liegen inzwischen vor.")
FIGURES = {"regional_primary_products": "60", "resource_saving": "3"}
SCORES = {"regional_primary_products": "4", "resource_saving": "3", "quality_innovation": "5"}

# What the journey's steps pass on to the next: the label number and its first validity, by site.
GRANTED: dict[str, dict] = {}


def t(holder: Holder, msgid: str, **values) -> str:
    return site_tr(holder.lang, msgid, **values)


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"label-trust-{name}")


def today() -> date:
    return datetime.now(timezone.utc).date()  # the demo's clock is UTC's


def shown_date(day: date, lang: str) -> str:
    """A date as the site's pages write it (services/web/dates.show_date), spaces made plain."""
    return flat(format_date(day, "medium", locale={"en": "en_150"}.get(lang, lang)))


def sign_in(new_page, base: str, username: str, lang: str):
    page = new_page(locale=LOCALES[lang])
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    assert page.locator(".who").inner_text().startswith(username), "logged in"
    return page


def evidence_pdf(folder: Path, name: str, title: str) -> Path:
    """A small real PDF document (reportlab), as a member scans or exports its evidence."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = folder / name
    document = canvas.Canvas(str(path), pagesize=A4)
    document.setTitle(title)
    document.drawString(72, 770, title)
    document.drawString(72, 750, f"Browser test evidence, {today().isoformat()}")
    document.save()
    return path


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          timeout=30)
    return flat(done.stdout.decode("utf-8"))


def qr_code_of(pdf: Path) -> str:
    """What the certificate's QR code says (its first page drawn by pdftoppm, read by zbarimg)."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True, timeout=30)
    done = subprocess.run(["zbarimg", "-q", "--raw", str(pdf.with_suffix(".png"))], capture_output=True,
                          check=True, timeout=30)
    return done.stdout.decode("utf-8").strip()


def choose_documents(page, holder: Holder, folder: Path, tag: str) -> dict[str, Path]:
    files = {}
    for criterion, name in holder.documents.items():
        files[criterion] = evidence_pdf(folder, name, f"{holder.site} {tag}: {criterion}")
        page.set_input_files(f"#f-evidence-{criterion}-document", str(files[criterion]))
    return files


# --- the first grant ---------------------------------------------------------------------------------

def the_member_applies(new_page, base: str, holder: Holder, folder: Path) -> None:
    tag = holder.site.lower()
    page = sign_in(new_page, base, "member", holder.lang)
    page.locator("nav").get_by_role("link", name=t(holder, "Our label applications")).click()
    page.get_by_role("link", name=t(holder, "Apply for another product or service")).click()
    page.fill("#f-product", holder.product)
    page.fill("#f-cpv_codes", "39100000")
    page.fill("#f-evidence-se_share-figure", holder.share_first)
    for criterion, figure in FIGURES.items():
        page.fill(f"#f-evidence-{criterion}-figure", figure)

    # a text file under a PDF's name: refused by its content, beside its field, and nothing is saved
    fake = folder / holder.documents["se_share"]
    fake.write_text("Dies ist kein PDF, nur Text mit einem PDF-Namen.\n", encoding="utf-8")
    page.set_input_files("#f-evidence-se_share-document", str(fake))
    page.get_by_role("button", name=t(holder, "Save the draft")).click()
    assert error_of(page, "evidence.se_share.document").endswith(
        t(holder, "This file is no PDF, PNG or JPEG file. Its content was checked, not its name."))
    assert page.input_value("#f-evidence-se_share-figure") == holder.share_first, "what was typed stays"
    shoot_both(page, f"{tag}-wrong-file")
    fake.unlink()

    choose_documents(page, holder, folder, "first")
    page.get_by_role("button", name=t(holder, "Save and submit for assessment")).click()
    assert page.locator("main h1").inner_text() == holder.product, main_text(page)
    main = main_text(page)
    assert t(holder, "Submitted") in main and t(holder, "version %(n)s", n=1) in main
    for name in holder.documents.values():
        assert name in main, f"{name} is listed"
    assert main.count("SHA-256") == len(CRITERIA)
    shoot_both(page, f"{tag}-submitted")


def the_assessor_scores(new_page, base: str, holder: Holder, folder: Path, tag: str) -> str:
    """The application's address, once assessed."""
    page = sign_in(new_page, base, "assessor", holder.lang)
    page.locator("nav").get_by_role("link", name=t(holder, "Label applications")).click()
    page.locator("tr", has_text=holder.product).get_by_role("link", name=holder.holder).click()
    assert page.locator("main h1").inner_text() == holder.product
    for name in holder.documents.values():
        assert page.get_by_role("link", name=name).is_visible(), f"{name} is offered to the assessor"
    with page.expect_download() as waiting:
        page.get_by_role("link", name=holder.documents["quality_innovation"]).click()
    downloaded = folder / f"downloaded-{tag}.pdf"
    waiting.value.save_as(downloaded)
    assert downloaded.read_bytes() == (folder / holder.documents["quality_innovation"]).read_bytes(), "as uploaded"
    assert f"{holder.site} {tag}: quality_innovation" in pdf_text(downloaded), "the member's document itself"

    for criterion, score in SCORES.items():
        page.fill(f"#f-scores-{criterion}-score", score)
    for criterion in CRITERIA:
        page.fill(f"#f-scores-{criterion}-reason", f"Browser test {holder.site} {tag}: {criterion} checked")
    page.get_by_role("button", name=t(holder, "Record the assessment")).click()
    main = main_text(page)
    assert t(holder, "The assessment has been recorded.") in main and t(holder, "meets the criteria") in main
    shoot_both(page, f"{holder.site.lower()}-{tag}-assessed")
    return page.url


def the_approver_grants(new_page, base: str, holder: Holder, application: str, tag: str) -> str:
    """The label's number."""
    page = sign_in(new_page, base, "approver", holder.lang)
    page.goto(application)
    page.locator("input[name=outcome][value=granted]").check()
    page.fill("#f-reason", f"Browser test {holder.site} {tag}: every criterion is met")
    page.get_by_role("button", name=t(holder, "Record the decision")).click()
    assert t(holder, "The decision has been recorded.") in main_text(page)
    number = page.locator("main a.tag").inner_text().strip("✓ ").strip()
    assert number.startswith(f"SOPRO-{holder.site}-"), number
    shoot_both(page, f"{holder.site.lower()}-{tag}-granted")
    return number


def the_member_downloads_the_certificate(new_page, base: str, holder: Holder, number: str, folder: Path,
                                         tag: str) -> str:
    """The certificate's text (pdftotext)."""
    page = sign_in(new_page, base, "member", holder.lang)
    page.goto(f"{base}/office/member/labels")
    row = page.locator("tr", has_text=number).filter(has=page.get_by_role("button",
                                                                          name=t(holder, "Renew the label")))
    shoot_both(page, f"{holder.site.lower()}-{tag}-labels")
    with page.expect_download() as waiting:
        row.get_by_role("link", name=t(holder, "Download the certificate (PDF)")).click()
    certificate = folder / f"certificate-{holder.site}-{tag}.pdf"
    waiting.value.save_as(certificate)
    text = pdf_text(certificate)
    assert number in text and holder.holder in text, text
    assert t(holder, "Certificate") in text
    assert qr_code_of(certificate) == f"{base}/labels/verify?number={number}", "the QR code opens the public check"
    return text


@pytest.mark.parametrize("holder", [HU22, AT12], ids=["HU22-hu", "AT12-de"])
def test_1_apply_upload_assess_grant_and_download_the_certificate(demo, new_page, tmp_path, holder):
    base = url(demo, holder.site)
    the_member_applies(new_page, base, holder, tmp_path)
    application = the_assessor_scores(new_page, base, holder, tmp_path, "first")
    number = the_approver_grants(new_page, base, holder, application, "first")
    text = the_member_downloads_the_certificate(new_page, base, holder, number, tmp_path, "first")
    assert t(holder, "version %(n)s", n=1) in text
    GRANTED[holder.site] = {"number": number, "valid_until": add_years(today(), 2)}


# --- the agency publishes version 2, once for the network --------------------------------------------

def test_2_the_agency_publishes_criteria_version_2_and_both_sites_have_it(demo, new_page):
    hub = url(demo, "EU")
    page = sign_in(new_page, hub, "agency", "en")
    page.locator("nav").get_by_role("link", name="Label criteria").click()
    assert page.locator("main h1").inner_text() == "Criteria of the quality label"
    page.get_by_role("link", name="Publish a new version").click()
    assert page.locator("main h1").inner_text() == "Publish criteria version 2"
    for lang in ("de", "hu", "en"):  # the titles name the version
        title = page.input_value(f"#f-title-{lang}")
        assert "1" in title, title
        page.fill(f"#f-title-{lang}", title.replace("1", "2"))
    page.fill("#f-applies_from", today().isoformat())
    # the social enterprise's share (the first criterion) rises from 30 to 40 %; the rest stays as in version 1
    assert page.input_value("#f-c0-minimum") == "30"
    page.fill("#f-c0-minimum", V2_SE_SHARE_MINIMUM)
    shoot_both(page, "hub-publish-v2")
    page.get_by_role("button", name="Publish to every site").click()
    assert f"Version 2 is published: it goes to every member site and applies from {shown_date(today(), 'en')}." \
        in main_text(page)
    assert page.locator("#criterion-se_share").inner_text().count(f"at least {V2_SE_SHARE_MINIMUM} percent") == 1
    assert "at least 30" not in main_text(page)
    for kept in ("regional_primary_products", "resource_saving", "quality_innovation"):  # as in version 1
        assert page.locator(f"#criterion-{kept}").count() == 1
    shoot_both(page, "hub-v2-published")

    for holder in (HU22, AT12):
        visitor = new_page(locale=LOCALES[holder.lang])
        in_force = visitor.locator("main h2", has_text=t(holder, "In force today")).locator(
            "xpath=following-sibling::section[1]")
        reload_until(visitor, f"{url(demo, holder.site)}/labels/criteria?lang={holder.lang}",
                     lambda p: in_force.get_attribute("id") == "criteria-v2", timeout=30)
        share = in_force.locator("tr", has_text=t(holder, "social"))
        assert t(holder, "at least %(minimum)s %(unit)s", minimum=V2_SE_SHARE_MINIMUM, unit="percent") \
            in share.inner_text()
        assert visitor.locator("#criteria-v1").is_visible(), "version 1 among the earlier ones"
        shoot_both(visitor, f"{holder.site.lower()}-criteria-v2")


# --- the renewal under version 2, the suspension and its appeal --------------------------------------

def the_member_renews(new_page, base: str, holder: Holder, number: str, folder: Path):
    """The member's page (kept for the appeal)."""
    tag = holder.site.lower()
    page = sign_in(new_page, base, "member", holder.lang)
    page.goto(f"{base}/office/member/labels")
    page.locator("tr", has_text=number).get_by_role("button", name=t(holder, "Renew the label")).click()
    main = main_text(page)
    assert flat(t(holder, "The renewal is open under the criteria in force, with the figures of the last "
                          "assessment. Please check them, add current documents and submit it.")) in main
    assert page.locator("main h1").inner_text() == holder.product
    assert t(holder, "version %(n)s", n=2) in main, "the renewal is assessed under version 2"
    assert t(holder, "at least %(min)s", min=V2_SE_SHARE_MINIMUM) in main
    assert page.input_value("#f-evidence-se_share-figure") == holder.share_first, "pre-filled"
    for criterion, figure in FIGURES.items():
        assert page.input_value(f"#f-evidence-{criterion}-figure") == figure
    assert page.locator("main form fieldset li").count() == 0, "no document carried over: current ones are asked for"
    shoot_both(page, f"{tag}-renewal-opened")
    page.fill("#f-evidence-se_share-figure", holder.share_renewal)  # above the new minimum
    choose_documents(page, holder, folder, "renewal")
    page.get_by_role("button", name=t(holder, "Save and submit for assessment")).click()
    main = main_text(page)
    assert t(holder, "Submitted") in main and main.count("SHA-256") == len(CRITERIA), main
    shoot_both(page, f"{tag}-renewal-submitted")
    return page


def the_approver_suspends(page, base: str, holder: Holder, number: str) -> None:
    page.goto(f"{base}/office/labels/number/{number}")
    page.fill("#f-suspend-until", (today() + timedelta(days=30)).isoformat())
    page.fill("#f-suspend-reason", f"Browser test {holder.site}: invoices to be checked")
    page.get_by_role("button", name=t(holder, "Suspend the label")).click()
    assert t(holder, "The label is suspended.") in main_text(page)
    shoot_both(page, f"{holder.site.lower()}-suspended")


def the_member_appeals(page, base: str, holder: Holder, number: str) -> None:
    tag = holder.site.lower()
    page.goto(f"{base}/office/member/labels")
    panel = page.locator("#member-appeals + p + ul li",
                         has_text=t(holder, "The label %(title)s is suspended.", title=f"{holder.product} ({number})"))
    panel.get_by_role("link", name=t(holder, "Appeal")).click()
    assert page.locator("main h1").inner_text() == t(holder, "Appeal a label decision")
    assert number in main_text(page)
    file_appeal = page.get_by_role("button", name=t(holder, "File the appeal"))
    file_appeal.click()  # no grounds: asked for beside the field
    assert error_of(page, "grounds").endswith(t(holder, "This field is required."))
    page.fill("#f-grounds", holder.grounds)
    file_appeal.click()
    main = main_text(page)
    assert t(holder, "Your appeal is filed. An approver who did not decide before decides it.") in main
    assert holder.grounds in main
    shoot_both(page, f"{tag}-appeal-filed")


def the_appeal_is_decided(page, new_page, base: str, holder: Holder, number: str) -> None:
    """`page`: the approver who suspended the label."""
    tag = holder.site.lower()
    page.locator("nav").get_by_role("link", name=t(holder, "Label appeals")).click()
    page.locator("tr", has_text=number).get_by_role("link").first.click()
    assert holder.grounds in main_text(page)
    four_eyes = t(holder, "You decided before on this matter (or filed the appeal), so another approver must "
                          "decide the appeal.")
    assert page.locator("#appeal-four-eyes").inner_text() == four_eyes
    page.locator("input[name=outcome][value=upheld]").check()
    page.fill("#f-reason", "Browser test: I would uphold my own suspension's appeal")
    page.get_by_role("button", name=t(holder, "Record the decision")).click()
    assert four_eyes in page.locator(".error-summary").inner_text(), "refused: four eyes"
    shoot_both(page, f"{tag}-appeal-four-eyes")
    appeal = page.url.removesuffix("/decision")

    other = sign_in(new_page, base, "approver2", holder.lang)
    other.goto(appeal)
    assert other.locator("#appeal-four-eyes").count() == 0
    other.locator("input[name=outcome][value=upheld]").check()
    other.fill("#f-reason", f"Browser test {holder.site}: the invoices were there")
    other.get_by_role("button", name=t(holder, "Record the decision")).click()
    main = main_text(other)
    assert t(holder, "The appeal is decided.") in main and "approver2" in main
    shoot_both(other, f"{tag}-appeal-upheld")


def the_label_is_valid_again(new_page, base: str, holder: Holder, number: str) -> None:
    visitor = new_page(locale=LOCALES[holder.lang])
    visitor.goto(f"{base}/labels/verify?number={number}&lang={holder.lang}")
    assert t(holder, "This label is valid.") in main_text(visitor)
    shoot_both(visitor, f"{holder.site.lower()}-valid-again")
    badge = visitor.request.get(f"{base}/labels/{number}/badge.svg?lang={holder.lang}")
    assert badge.ok and badge.headers["content-type"].startswith("image/svg+xml")
    svg = badge.text()
    assert 'data-state="valid"' in svg and f">{t(holder, 'Valid')}<" in svg and number in svg, svg


@pytest.mark.parametrize("holder", [HU22, AT12], ids=["HU22-hu", "AT12-de"])
def test_3_renew_under_version_2_then_appeal_a_suspension(demo, new_page, tmp_path, holder):
    granted = GRANTED.get(holder.site)
    assert granted, "test 1 granted this site's label"
    base, number = url(demo, holder.site), granted["number"]
    member = the_member_renews(new_page, base, holder, number, tmp_path)
    application = the_assessor_scores(new_page, base, holder, tmp_path, "renewal")
    assert the_approver_grants(new_page, base, holder, application, "renewal") == number, "the same label"

    renewed_until = add_years(granted["valid_until"], 2)
    text = the_member_downloads_the_certificate(new_page, base, holder, number, tmp_path, "renewal")
    assert t(holder, "version %(n)s", n=2) in text, text
    assert flat(format_date(renewed_until, "long", locale=holder.lang)) in text, "valid two years longer"

    approver = sign_in(new_page, base, "approver", holder.lang)
    approver.goto(f"{base}/office/labels/number/{number}")
    valid = flat(approver.locator("main dl.facts").inner_text())
    assert f"{shown_date(today(), holder.lang)} – {shown_date(renewed_until, holder.lang)}" in valid, valid
    the_approver_suspends(approver, base, holder, number)
    the_member_appeals(member, base, holder, number)
    the_appeal_is_decided(approver, new_page, base, holder, number)
    the_label_is_valid_again(new_page, base, holder, number)
    member.goto(f"{base}/office/member/labels")
    appeals = member.locator("section[aria-labelledby=member-appeals]").inner_text()
    assert f"Browser test {holder.site}: the invoices were there" in appeals, "the member reads the outcome"
