"""The browser tests' page audit (tests/support/page_audit.py) can fail: a known-bad page yields a Nu error
and a serious axe violation, a good one neither. Needs Debian's chromium and Java, as the browser tests
do (skipped without them, failed under SOPRO_REQUIRE_SERVICES=1)."""
from __future__ import annotations

import shutil
from pathlib import Path

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
def page():
    _need(str(CHROMIUM), CHROMIUM.is_file())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser.new_page()
        browser.close()


def test_axe_finds_the_bad_pages_violations_and_none_on_the_good_one(page):
    page.set_content(BAD)
    rules = {violation["rule"]: violation["impact"] for violation in page_audit.run_axe(page)}
    assert rules.get("label") == "critical" and rules.get("color-contrast") == "serious", rules
    page.set_content(GOOD)
    assert page_audit.run_axe(page) == []


def test_the_nu_validator_finds_the_bad_pages_error_and_none_in_the_good_one(tmp_path):
    _need("java", shutil.which("java") is not None)
    (tmp_path / "bad.html").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.html").write_text(GOOD, encoding="utf-8")
    errors = page_audit.nu_errors([tmp_path / "bad.html", tmp_path / "good.html"])
    assert [(error["url"].rsplit("/", 1)[-1], error["lastLine"]) for error in errors] == [("bad.html", 5)], errors
    assert "aria-required" in errors[0]["message"]


def test_an_audit_fails_listing_the_page_the_line_and_the_rule(page):
    _need("java", shutil.which("java") is not None)
    audit = page_audit.PageAudit("tests/web/test_page_audit.py::bad")
    page.set_content(BAD)
    audit.check_axe(page, "bad-desktop")
    audit.documents.append(page_audit.Document("http://site.test/office/x", "POST", 422, BAD, person=None))
    verdict = audit.conclude()
    assert "Nu HTML validator: 1 errors" in verdict and "http://site.test/office/x line 5" in verdict
    assert "label (critical)" in verdict and "[bad-desktop]" in verdict

    clean = page_audit.PageAudit("tests/web/test_page_audit.py::good")
    page.set_content(GOOD)
    clean.check_axe(page, "good-desktop")
    clean.documents.append(page_audit.Document("http://site.test/office/y", "POST", 200, GOOD, person=None))
    assert clean.conclude() == ""
