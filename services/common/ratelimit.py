"""Requests are rate-limited per client (Flask-Limiter), answered with 429 and `Retry-After`.

- The client is the token's subject (site and `sub`) when the request carries a valid token, else
  the remote address: one client's burst does not eat another's allowance behind a shared address,
  and a forged or garbage token cannot invent fresh clients.
- One limit for everything a client does (`Settings.rate_limit`, `SOPRO_RATE_LIMIT`), and a stricter
  one per remote address on every password check (`POST /api/v1/auth/token`, the web login) against
  password guessing (`Settings.token_rate_limit`, `SOPRO_TOKEN_RATE_LIMIT`).
- Anonymous writes (a public operation other than a read, by a caller without a valid token: a statement
  of support, a public enquiry, a label complaint, through the API or a page's form) meet a stricter
  allowance per remote address (`Settings.public_write_rate_limit`, `SOPRO_PUBLIC_WRITE_RATE_LIMIT`),
  applied here to every such operation, so a new public form cannot forget it. Logging in and out are
  public writes of no record; they say so with `@not_a_public_write`.
- Counters live in the process's memory (a moving window): each process limits on its own, and a
  restart forgets them. Behind several processes, point Flask-Limiter at a shared storage.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many

from services.common.auth import PUBLIC, access_rule, bearer_principal, current_principal, view_of
from services.common.errors import Unauthorized
from services.common.password_limit import PASSWORD_LIMIT

PASSWORD_SCOPE = "password-checks"
PUBLIC_WRITE_SCOPE = "public-writes"
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def remote_address() -> str:
    return f"addr:{request.remote_addr or 'unknown'}"


def client_key() -> str:
    """The token's subject when the request carries a valid token, else the remote address."""
    try:
        principal = bearer_principal()
    except Unauthorized:
        principal = None  # enforce_access answers 401; until then it counts by address
    return f"sub:{principal.site}:{principal.subject}" if principal else remote_address()


def _checked(limit: str, name: str) -> str:
    try:
        if not parse_many(limit):
            raise ValueError("empty")
    except ValueError as exc:
        raise ValueError(f"{name}: {limit!r} is not a rate limit like '600/minute;60/second' ({exc})") from None
    return limit


def init_rate_limits(app: Flask, settings) -> Limiter:
    """Rate-limit every request of the app. Call it before registering the access check, so that
    requests refused for their token count too."""
    limit = _checked(settings.rate_limit, "SOPRO_RATE_LIMIT")
    token_limit = _checked(settings.token_rate_limit, "SOPRO_TOKEN_RATE_LIMIT")
    public_write_limit = _checked(settings.public_write_rate_limit, "SOPRO_PUBLIC_WRITE_RATE_LIMIT")
    limiter = Limiter(client_key, app=app, application_limits=[limit], storage_uri="memory://",
                      strategy="moving-window", headers_enabled=False)
    app.extensions["sopro_limiter"] = limiter
    # One allowance per address for every password check, wherever it happens (the token endpoint,
    # the web login): see services.common.password_limit.
    app.extensions[PASSWORD_LIMIT] = limiter.shared_limit(token_limit, scope=PASSWORD_SCOPE,
                                                                  key_func=remote_address)
    app.extensions["sopro_public_write_limit"] = limiter.shared_limit(public_write_limit, scope=PUBLIC_WRITE_SCOPE,
                                                                      key_func=remote_address)
    return limiter


def not_a_public_write(fn):
    """Marks a public operation other than a read that files nothing for the public (logging in and
    out), so the public-write allowance leaves it alone."""
    fn.__sopro_public_write__ = False
    return fn


def is_anonymous_write() -> bool:
    """A public operation other than a read, called without a valid token. Staff and members (a
    broker typing in paper forms) are counted by the general limit only."""
    if request.method in READS or request.endpoint is None or current_principal() is not None:
        return False
    if access_rule(current_app, request.endpoint, request.method) != PUBLIC:
        return False
    return getattr(view_of(current_app, request.endpoint, request.method), "__sopro_public_write__", True)


def count_public_write() -> None:
    """before_request hook, after the access check (which knows the caller): count an anonymous write
    against the address's stricter allowance; over it, RateLimitExceeded (a 429)."""
    if is_anonymous_write():
        with current_app.extensions["sopro_public_write_limit"]:
            pass


def retry_after_seconds(limiter: Limiter) -> int:
    breached = limiter.current_limit
    if breached is None:
        return 1
    # The window's own reset time (RequestLimit.reset_at adds a second for its X-RateLimit-Reset).
    return max(1, math.ceil(breached.window.reset_time - time.time()))


def too_many_requests(exc: RateLimitExceeded, error_body):
    """The 429 in the one error shape, with Retry-After (seconds)."""
    limiter = current_app.extensions["sopro_limiter"]
    seconds = retry_after_seconds(limiter)
    body, status = error_body(429, "too_many_requests",
                              f"too many requests: the limit is {exc.description}; retry in {seconds} s")
    body.headers["Retry-After"] = str(seconds)
    return body, status
