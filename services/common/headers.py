"""The security headers of every response, pages and API alike.

The pages use no script, so the Content-Security-Policy allows none, nor frames, plugins, foreign
styles, images or form targets. The one inline style the pages carry is the hub's server-drawn SVG
charts' `<style>` element: the template marks that trusted markup with `with_style_nonce`, and the
policy of that response allows this request's nonce. Besides: no MIME sniffing, no referrer sent to
other origins, and HSTS when the request came over https (directly or through a trusted proxy).
"""
from __future__ import annotations

import secrets

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
NONCE_KEY = "_sopro_style_nonce"


def init_security_headers(app) -> None:
    app.after_request(add_security_headers)
    app.add_template_filter(with_style_nonce)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get(NONCE_KEY)))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def content_security_policy(style_nonce: str | None = None) -> str:
    policy = dict(POLICY)
    if style_nonce:
        policy["style-src"] += f" 'nonce-{style_nonce}'"
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def with_style_nonce(markup) -> Markup:
    """Trusted markup (made by the server, never from input) whose <style> elements the policy allows."""
    nonce = g.setdefault(NONCE_KEY, secrets.token_urlsafe(16))  # one per response
    return Markup(str(markup).replace("<style", f'<style nonce="{nonce}"'))
