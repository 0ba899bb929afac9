"""Bearer tokens for calls to a site's or the hub's API in tests.

`bearer` asks the runtime itself (no user needed, no login); `logged_in` goes through the API's token
endpoint of a Flask test client, `http_logged_in` and `http_session` through that of a running server,
as a client does.
"""
from __future__ import annotations

import requests

PASSWORD = "secret-pw"
TOKEN_PATH = "/api/v1/auth/token"


def bearer(runtime, roles, subject: str = "tester") -> dict:
    """The Authorization header of a token with `roles` that the runtime issues itself: no user, no login
    round trip (a subject that is no user keeps exactly the roles of its token)."""
    return {"Authorization": f"Bearer {runtime.tokens.issue(subject, list(roles))}"}


def logged_in(client, username: str, password: str = PASSWORD, **kwargs) -> dict:
    """The Authorization header of a token from the API's token endpoint, as a client gets one
    (`kwargs` go with the request, e.g. `environ_base` for the caller's address)."""
    resp = client.post(TOKEN_PATH, json={"username": username, "password": password}, **kwargs)
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def http_logged_in(url: str, username: str, password: str) -> dict:
    """`logged_in` over HTTP, from a site (or the hub) running at `url`."""
    resp = requests.post(f"{url}{TOKEN_PATH}", json={"username": username, "password": password}, timeout=15)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def http_session(url: str, username: str, password: str) -> requests.Session:
    """A requests session that sends a token of `username` at `url` with every request."""
    http = requests.Session()
    http.headers.update(http_logged_in(url, username, password))
    return http
