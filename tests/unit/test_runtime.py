"""The kernel's runtime accessor: views reach the runtime their app was built with."""
from __future__ import annotations

import pytest
from flask import Flask

from services.common.runtime import APP_EXTENSION, current_runtime


def test_current_runtime_is_the_one_installed_on_the_serving_app():
    first, second = Flask("first"), Flask("second")
    first.extensions[APP_EXTENSION], second.extensions[APP_EXTENSION] = "runtime of first", "runtime of second"
    with first.test_request_context("/"):
        assert current_runtime() == "runtime of first"
    with second.app_context():
        assert current_runtime() == "runtime of second"


def test_current_runtime_needs_an_app():
    with pytest.raises(RuntimeError):
        current_runtime()
