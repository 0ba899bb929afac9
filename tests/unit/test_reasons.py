"""services.contracts.reasons: a reason is worded in the request's language from its code and parameters."""
from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel

from services.contracts.reasons import describe, reason


@pytest.fixture
def in_language():
    app = Flask(__name__)
    catalogue = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "services/web/translations")
    locale = {"value": "en"}
    Babel(app, locale_selector=lambda: locale["value"], default_translation_directories=catalogue)

    def render(language: str, value) -> str:
        locale["value"] = language
        with app.test_request_context():
            return describe(value)
    return render


def test_a_code_is_worded_with_its_numbers_in_the_reader_s_language(in_language):
    shortfall = reason("capacity", quantity=1200)
    assert in_language("en", shortfall).startswith("1,200 units")
    assert in_language("de", shortfall).startswith("1.200")
    assert "1200" not in in_language("de", shortfall) and "capacity" not in in_language("de", shortfall)


def test_a_sentence_from_before_codes_is_shown_as_written(in_language):
    assert in_language("de", "the workshop is closed") == "the workshop is closed"
    assert in_language("de", {"code": "text", "params": {"text": "old sentence"}}) == "old sentence"


def test_an_unknown_code_from_a_newer_publisher_is_shown_as_its_code(in_language):
    assert in_language("hu", reason("moon_phase", quantity=3)) == "moon_phase"
    assert in_language("en", None) == ""
