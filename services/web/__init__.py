"""The web kernel: what every site's and the hub's HTML pages share.

`init_web(app, runtime)` (flaskr style) sets up, for one app:
- languages (Flask-Babel; de, hu, en; the site's language by default) and locale formatting (`i18n`);
- CSRF protection of every form outside the JSON API (Flask-WTF), secure session cookies;
- the security headers of every response (`services.common.headers`), and the trusted reverse proxies;
- the back office login with the site's users (`access`), and the login, logout and style sheet routes;
- the site administrator's pages: users and roles, dead letters, the outbox backlog (`admin`);
- the base layout, its navigation and the form macros (templates/web/);
- HTML error pages for browsers outside the page blueprints too (`error_pages`);
- compressed responses (`compression`) and static files cached by version (`static_files`).

A service adds pages with a blueprint made by `page_blueprint`, which the composition root lists
(`services.composition`) and `services.bootstrap.create_app` registers. Pages validate with the API's
schemas (`forms`).
"""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from flask import request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from services.common.headers import init_security_headers

from services.web.access import API_PREFIXES, init_access
from services.web.blueprints import OFFICE_AREA, PUBLIC_AREA, nav_link, page_blueprint, visible_links  # noqa: F401
from services.web import views
from services.web.compression import init_compression
from services.web.error_pages import init_error_pages
from services.web.i18n import init_i18n

# Bearer-token APIs: no cookies, so no CSRF. The one-click unsubscribe (RFC 8058): a mail client POSTs
# without cookies or form token; the random token in its address is the authority, and it can only stop mail.
UNPROTECTED_PREFIXES = (*API_PREFIXES, "/notifications/unsubscribe/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

csrf = CSRFProtect()


def init_web(app, runtime, translations=()) -> None:
    """`translations`: the catalog directories the services bring, beside the web kernel's."""
    configure_session(app, runtime)
    trust_proxies(app, runtime.settings.trusted_proxies)
    init_security_headers(app)
    init_i18n(app, runtime, translations)
    init_csrf(app)
    init_access(app)
    init_error_pages(app)
    init_compression(app)
    views.register(app)


def configure_session(app, runtime) -> None:
    settings = runtime.settings
    site = settings.site
    https = site.url.startswith("https://") if settings.secure_cookies is None else settings.secure_cookies
    app.config.update(
        SECRET_KEY=session_secret(runtime.signing_key),
        # Sites share a host in the demo; a cookie per site keeps their sessions apart.
        SESSION_COOKIE_NAME=f"sopro_{site.id.lower()}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by `protect_forms`, outside the JSON API
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )


def trust_proxies(app, hops: int) -> None:
    """Behind `hops` reverse proxies (SOPRO_TRUSTED_PROXIES), the client's address (rate limits, logs),
    scheme (https: HSTS, external URLs) and host are the ones the proxies forward in X-Forwarded-For,
    -Proto and -Host; with none, forwarded headers are ignored, as a client could forge them. This is the
    one place that trusts them (gunicorn is told to trust none: deploy/gunicorn.conf.py).
    X-Forwarded-Port is never trusted: Caddy and nginx do not set it, so it would come from the client."""
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def session_secret(signing_key) -> bytes:
    """Derived from the site's private key, so every process of a site signs sessions alike without
    another secret to distribute; a hash, so the key itself is never used for anything else."""
    raw = signing_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
    return hashlib.sha256(b"sopro-web-session-v1:" + raw).digest()


def init_csrf(app) -> None:
    csrf.init_app(app)

    @app.before_request
    def protect_forms():
        if request.method not in SAFE_METHODS and not request.path.startswith(UNPROTECTED_PREFIXES):
            csrf.protect()
