"""The security headers of every response, pages and API alike.

The pages use no script, so the Content-Security-Policy allows none, nor frames, plugins, foreign
styles, images or form targets. The one inline style the pages carry is the hub's server-drawn SVG
charts' `<style>` element: the template marks that trusted markup with `with_style_hashes`, and the
policy of that response allows those styles by their SHA-256 (a nonce attribute on an SVG `<style>` is
not valid HTML, says the Nu validator). Besides: no MIME sniffing, no referrer sent to
other origins, and HSTS when the request came over https (directly or through a trusted proxy).
"""
from __future__ import annotations

import base64
import hashlib
import html
import re

from flask import g, request
from markupsafe import Markup

POLICY = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}
HSTS = "max-age=31536000"  # a year; browsers then refuse plain http for this host
HASHES_KEY = "_sopro_style_hashes"
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)


def init_security_headers(app) -> None:
    app.after_request(add_security_headers)
    app.add_template_filter(with_style_hashes)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get(HASHES_KEY, ())))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def content_security_policy(style_hashes=()) -> str:
    policy = dict(POLICY)
    for digest in dict.fromkeys(style_hashes):  # each once, in the page's order
        policy["style-src"] += f" 'sha256-{digest}'"
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def with_style_hashes(markup) -> Markup:
    """Trusted markup (made by the server, never from input) whose <style> elements the policy allows.
    Inside an <svg> a style's text is parsed with its character references decoded (ElementTree writes
    `>` as `&gt;`): the browser hashes the decoded text, so that is what is hashed here."""
    hashes = g.setdefault(HASHES_KEY, [])
    for css in STYLE_ELEMENT.findall(str(markup)):
        hashes.append(base64.b64encode(hashlib.sha256(html.unescape(css).encode()).digest()).decode())
    return Markup(markup)
