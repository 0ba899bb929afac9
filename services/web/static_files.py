"""The style sheet, the favicon and other files of the web kernel, cached by version.

A page links a static file with its content's fingerprint in the URL (`static_url`, `?v=<sha256>`):
that URL names one content for ever, so browsers and proxies keep it a year without asking again
(`immutable`), and a deployment that changes the file changes the URL, so nobody sees a stale style
sheet. Chosen over an ETag alone, which would cost every page view a revalidation round trip per file.
A request without the current fingerprint (an old page, a hand-typed URL) is answered with `no-cache`
and an ETag: it is revalidated each time, never kept stale.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import request, send_from_directory, url_for
from werkzeug.security import safe_join

STATIC = Path(__file__).resolve().parent / "static"
A_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=None)
def fingerprint(filename: str) -> str | None:
    """The file's version: the start of its SHA-256 (files do not change while the app runs)."""
    path = safe_join(str(STATIC), filename)
    if path is None or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def static_url(filename: str) -> str:
    return url_for("web.static", filename=filename, v=fingerprint(filename))


def send_static(filename: str):
    current = fingerprint(filename)
    versioned = current is not None and request.args.get("v") == current
    response = send_from_directory(STATIC, filename, max_age=A_YEAR if versioned else 0)
    if versioned:
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response
