"""Every password check counts against the client address's stricter allowance (password guessing),
wherever it happens: `services.common.users.authenticate` calls `count_password_check`, so the token
endpoint and the web login share one allowance. `ratelimit.init_rate_limits` sets the limit up."""
from __future__ import annotations

from flask import current_app, has_request_context

PASSWORD_LIMIT = "sopro_password_limit"  # the app extension holding the shared limit


def count_password_check() -> None:
    """Count one password check; over the allowance, RateLimitExceeded (a 429)."""
    if not has_request_context():
        return  # a command line, not a client
    password_limit = current_app.extensions.get(PASSWORD_LIMIT)
    if password_limit is not None:
        with password_limit:
            pass
