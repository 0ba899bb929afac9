"""The browser tests' page audit (tests/support/page_audit.py) can fail: a known-bad page yields a Nu error
and a serious axe violation, a good one neither. Needs Debian's chromium and Java, as the browser tests
do (skipped without them, failed under SOPRO_REQUIRE_SERVICES=1)."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.support import page_audit
from tests.support.services import REQUIRE

CHROMIUM = Path("/usr/bin/chromium")

GOOD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A good form</title></head>
<body><main><h1>Deadline</h1>
<form method="post"><label for="f-deadline">Deadline</label>
<input type="date" id="f-deadline" name="deadline" required><button type="submit">Save</button></form>
</main></body></html>
"""
# The date field's aria-required is what services/web/templates/_forms.html once wrote (a Nu error);
# the unlabelled text field is a critical axe violation, the pale text a serious one.
BAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A bad form</title></head>
<body><main><h1>Deadline</h1>
<form method="post"><input type="text" name="title">
<input type="date" id="f-deadline" name="deadline" required aria-required="true">
<p style="color:#ccc;background:#fff">Pale hint</p><button type="submit">Save</button></form>
</main></body></html>
"""


def _need(what: str, present: bool) -> None:
    if not present:
        (pytest.fail if REQUIRE else pytest.skip)(f"{what} is missing (.ci/run installs it)")


@pytest.fixture(scope="module")
def chromium():
    _need(str(CHROMIUM), CHROMIUM.is_file())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(chromium):
    return chromium.new_page()


def test_axe_finds_the_bad_pages_violations_and_none_on_the_good_one(page):
    page.set_content(BAD)
    rules = {violation["rule"]: violation["impact"] for violation in page_audit.run_axe(page)}
    assert rules.get("label") == "critical" and rules.get("color-contrast") == "serious", rules
    page.set_content(GOOD)
    assert page_audit.run_axe(page) == []


@pytest.fixture(scope="module")
def nu():
    _need("java", shutil.which("java") is not None)
    yield page_audit.nu_errors
    page_audit.stop_validator()


def test_the_nu_validator_finds_the_bad_pages_error_and_none_in_the_good_one(nu):
    errors = nu(BAD)
    assert [error["lastLine"] for error in errors] == [5], errors
    assert "aria-required" in errors[0]["message"]
    assert nu(GOOD) == []


def test_an_audit_fails_listing_the_page_the_line_and_the_rule(page, nu):
    audit = page_audit.PageAudit("tests/web/test_page_audit.py::bad")
    page.set_content(BAD)
    audit.check_axe(page, "bad-desktop")
    audit.documents.append(page_audit.Document("http://site.test/office/x", "POST", 422, BAD, person=None))
    verdict = audit.conclude()
    assert "Nu HTML validator: 1 errors" in verdict and "http://site.test/office/x (001-post-office-x.html) line 5" in verdict
    assert "label (critical)" in verdict and "[bad-desktop]" in verdict

    clean = page_audit.PageAudit("tests/web/test_page_audit.py::good")
    page.set_content(GOOD)
    clean.check_axe(page, "good-desktop")
    clean.documents.append(page_audit.Document("http://site.test/office/y", "POST", 200, GOOD, person=None))
    assert clean.conclude() == ""


def serving(chromium, html: dict[str, str]):
    """A person whose pages at http://site.test/ are these documents (path -> HTML), with a new CSRF token
    in every response, as the sites' forms have."""
    tokens = iter(range(1_000_000))

    @contextmanager
    def person():
        context = chromium.new_context()
        context.route("http://site.test/**", lambda route: route.fulfill(
            content_type="text/html; charset=utf-8", body=html[urlparse(route.request.url).path].replace(
                "</form>", f'<input type="hidden" name="csrf_token" value="t{next(tokens)}"></form>')))
        try:
            yield context
        finally:
            context.close()

    return person


def test_a_page_opened_again_with_a_document_axe_checked_before_counts_that_checks_violations(chromium):
    person = serving(chromium, {"/bad": BAD, "/good": GOOD, "/other": BAD.replace("Pale hint", "Another pale hint")})
    first = page_audit.PageAudit("tests/web/test_page_audit.py::first")
    first.documents += [page_audit.Document(f"http://site.test{path}", "GET", 200, "", person)
                        for path in ("/bad", "/good")]
    first._check_unshot()
    assert first.axe_checked == {"http://site.test/bad": [page_audit.REOPENED],
                                 "http://site.test/good": [page_audit.REOPENED]}
    assert {v["rule"] for v in first.violations} == {"label", "color-contrast"}

    second = page_audit.PageAudit("tests/web/test_page_audit.py::second")
    second.documents += [page_audit.Document(f"http://site.test{path}", "GET", 200, "", person)
                         for path in ("/bad", "/other")]
    second._check_unshot()
    known = f"{page_audit.REOPENED} (the same document as in tests/web/test_page_audit.py::first)"
    # /bad is the same document but for its token: first's violations count, axe does not run again;
    # /other differs, and axe checks it.
    assert second.axe_checked == {"http://site.test/bad": [known], "http://site.test/other": [page_audit.REOPENED]}
    assert sorted((v["url"], v["rule"], v["shot"]) for v in second.violations) == sorted(
        [("http://site.test/bad", "label", known), ("http://site.test/bad", "color-contrast", known),
         ("http://site.test/other", "label", page_audit.REOPENED),
         ("http://site.test/other", "color-contrast", page_audit.REOPENED)])
