"""Bearer tokens for calls to a site's or the hub's API in tests."""
from __future__ import annotations

PASSWORD = "secret-pw"


def bearer(runtime, subject: str, roles) -> dict:
    """The Authorization header of a token the runtime issues itself: no user, no login round trip."""
    return {"Authorization": f"Bearer {runtime.tokens.issue(subject, list(roles))}"}


def logged_in(client, username: str, password: str = PASSWORD) -> dict:
    """The Authorization header of a token from the API's token endpoint, as a client gets one."""
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}
