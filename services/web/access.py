"""Who is at the keyboard: the session login of the back office, and how pages answer refusals.

A person logs in with a site user (the same users, password check and roles as the API's tokens). The
site keeps the token it issues for that user in a server-side session (services/common/sessions.py);
the cookie holds only the session's random id, so logging out ends a copied cookie too. A page is
authorised exactly like an API call: before the kernel's `enforce_access` runs, `lend_session_token`
hands the session's token to a *page* request as its bearer token, checked against the user's current
state like any token. Page views declare `@public` or `@roles(...)` like API views (the default deny
and the route enumeration hold for them too). API routes never see the session, so the
JSON API stays a bearer-token API without cookies (and needs no CSRF protection).

Refusals of a page: a browser (Accept: text/html) without a session goes to the login page and a
browser without the role gets an HTML page; any other client gets the JSON error shape.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from services.common.api import error_body
from services.common.auth import bearer_principal, enforce_access
from services.common.users import authenticate, user_token
from services.common.errors import SoproError, Unauthorized
from services.common.ratelimit import RateLimitExceeded, too_many_requests
from services.common.runtime import current_runtime
from services.common.sessions import end_session, session_token, start_session
from services.web.i18n import LANGUAGES

log = logging.getLogger(__name__)

SESSION_KEY = "sid"  # the only thing of the login in the (signed) cookie
API_PREFIXES = ("/api/", "/federation/")  # bearer-token APIs: no session, no cookies, always JSON


def init_access(app) -> None:
    hooks = app.before_request_funcs.setdefault(None, [])
    # The session's token must be in place when the kernel's access rule is applied.
    position = hooks.index(enforce_access) if enforce_access in hooks else 0
    hooks.insert(position, lend_session_token)
    app.context_processor(lambda: {"current_user": g.get("principal")})


def is_page_request() -> bool:
    if request.url_rule is None:  # an unknown address: a browser gets the site's 404 page, its user logged in
        return not request.path.startswith(API_PREFIXES)
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return bool(getattr(blueprint, "sopro_pages", False))


def wants_html() -> bool:
    return request.accept_mimetypes.accept_html


def lend_session_token() -> None:
    if not is_page_request() or "Authorization" in request.headers:
        return
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str):
        return
    with current_runtime().engine.connect() as conn:
        token = session_token(conn, session_id)
    if token is not None:
        request.environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        try:
            bearer_principal()  # checked (and kept for the request) here, so that a dead token ends the session
            return
        except Unauthorized:
            del request.environ["HTTP_AUTHORIZATION"]
            with current_runtime().engine.begin() as conn:
                end_session(conn, session_id)
    session.pop(SESSION_KEY, None)  # logged out, expired or revoked: the person logs in again


def log_in(username: str, password: str):
    """The user row if the credentials are right (the API's password check), and the session holds
    the user's token; else None."""
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        user = authenticate(conn, username, password)
    if user is None:
        return None
    log_out()  # a fresh session at login: nothing from before carries over
    with runtime.engine.begin() as conn:
        session[SESSION_KEY] = start_session(conn, user.username, user_token(runtime.tokens, user))
    return user


def log_out() -> None:
    """Ends the server-side session (a copy of the cookie is dead too) and clears the cookie but for
    the chosen language."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        with current_runtime().engine.begin() as conn:
            end_session(conn, session_id)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# --- refusals and errors of page requests -------------------------------------------------------------

def page_error(exc: Exception):
    """Error handler of every page blueprint: HTML for a browser, the JSON error shape otherwise."""
    if isinstance(exc, RateLimitExceeded):
        body, status = too_many_requests(exc, error_body)
        if wants_html():
            page = render_template("web/error.html", status=status, code="too_many_requests", message=exc.description)
            return page, status, {"Retry-After": body.headers["Retry-After"]}
        return body, status
    if isinstance(exc, SoproError):
        status, code, message, errors = exc.status, exc.code, exc.message, exc.errors
    elif isinstance(exc, HTTPException):
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        message, errors = exc.description or exc.name, {}
    else:
        log.exception("unhandled error on a page")
        status, code, message, errors = 500, "internal_error", "an unexpected error occurred; it has been logged", {}
    if not wants_html():
        return error_body(status, code, message, errors)
    if status == 401:
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        # The refusal comes before the page could remember a `?lang=` link: the login page keeps it.
        chosen = request.args.get("lang")
        return redirect(url_for("web.login", next=back, lang=chosen if chosen in LANGUAGES else None))
    return render_template("web/error.html", status=status, code=code, message=message), status
