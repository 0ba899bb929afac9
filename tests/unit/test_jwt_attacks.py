"""Every known way of forging or stretching a token gives 401, in the one error shape.

A protected probe endpoint on an app built by the kernel's factory (the same access check and error
handlers as every site and the hub) is called with a valid token first, so a refusal below is the
token's fault and nothing else's. No I/O beyond the throwaway key files.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from flask_smorest import Blueprint

from services.common.api import create_flask_app
from services.common.auth import current_principal, roles
from services.common.tokens import Tokens, issuer_of
from services.common.db import kernel_metadata
from services.common.runtime import build_runtime
from services.common.signing import load_private_key

SITE = "AT12"
probe = Blueprint("probe", __name__, url_prefix="/api/v1/probe")


@probe.route("")
@roles("broker")
@probe.response(200)
def who_am_i():
    principal = current_principal()
    return {"sub": principal.subject, "site": principal.site}


@pytest.fixture(scope="module")
def site(federation_files):
    from services.common.config import load_federation, load_settings

    federation_file, keys = federation_files
    settings = load_settings(SITE, env={}, federation=load_federation(federation_file), key_file=keys / f"{SITE}.pem",
                             db_url="sqlite://", var_dir=keys.parent)
    runtime = build_runtime(settings)
    kernel_metadata.create_all(runtime.engine)  # the users a site's own tokens are checked against (in memory)
    app, api = create_flask_app("jwt-probe", "probe", runtime)
    api.register_blueprint(probe)
    return runtime, app.test_client(), keys


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(header: dict, claims: dict) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"iss": issuer_of(SITE), "aud": issuer_of(SITE), "sub": "mallory", "iat": now, "exp": now + 600,
            "roles": ["broker"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed_by(keys, site_id: str, body: dict) -> str:
    return jwt.encode(body, load_private_key(keys / f"{site_id}.pem"), algorithm="EdDSA", headers={"kid": site_id})


def call(client, token: str):
    return client.get("/api/v1/probe", headers={"Authorization": f"Bearer {token}"})


def assert_refused(response):
    assert response.status_code == 401, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"} and body["status"] == 401


def test_a_valid_token_is_accepted(site):
    runtime, client, keys = site
    response = call(client, runtime.tokens.issue("anna", ["broker"]))
    assert response.status_code == 200 and response.get_json() == {"sub": "anna", "site": SITE}
    assert call(client, signed_by(keys, SITE, claims())).status_code == 200  # the hand-made ones are well formed


def test_alg_none_is_refused(site):
    _, client, _ = site
    assert_refused(call(client, unsigned({"alg": "none", "typ": "JWT", "kid": SITE}, claims()) + "."))


def test_hs256_signed_with_the_public_key_as_secret_is_refused(site, federation):
    _, client, _ = site
    # The classic key-confusion attack: the verifier's public key used as an HMAC secret.
    public_pem = federation.site(SITE).public_key.encode()
    head = unsigned({"alg": "HS256", "typ": "JWT", "kid": SITE}, claims())
    signature = b64(hmac.new(public_pem, head.encode(), hashlib.sha256).digest())
    assert_refused(call(client, f"{head}.{signature}"))


def test_expired_token_is_refused(site):
    _, client, keys = site
    past = int(time.time()) - 3600
    assert_refused(call(client, signed_by(keys, SITE, claims(iat=past - 600, exp=past))))


def test_token_without_exp_is_refused(site):
    _, client, keys = site
    token = signed_by(keys, SITE, claims(exp=None))
    assert "exp" not in jwt.decode(token, options={"verify_signature": False})
    assert_refused(call(client, token))


def test_token_for_another_audience_is_refused(site):
    _, client, keys = site
    assert_refused(call(client, signed_by(keys, SITE, claims(aud=issuer_of("HU22")))))


@pytest.mark.parametrize("iss", ["sopro:AT1", "AT12", "https://evil.example"])
def test_token_with_a_wrong_issuer_is_refused(site, iss):
    _, client, keys = site
    assert_refused(call(client, signed_by(keys, SITE, claims(iss=iss))))


def test_token_from_another_sites_issuer_is_refused(site, federation, federation_files):
    _, client, keys = site
    # HU22 issues a perfectly valid token, signed with its own key, addressed to AT12.
    hu22 = Tokens("HU22", load_private_key(keys / "HU22.pem"), federation.public_keys())
    assert_refused(call(client, hu22.issue("mallory", ["broker"], audience=issuer_of(SITE))))


def test_token_claiming_this_site_but_signed_by_another_sites_key_is_refused(site):
    _, client, keys = site
    assert_refused(call(client, signed_by(keys, "HU22", claims())))


def test_tampered_signature_is_refused(site):
    runtime, client, _ = site
    head, _, signature = runtime.tokens.issue("anna", ["broker"]).rpartition(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert_refused(call(client, f"{head}.{flipped}"))


def test_tampered_claims_under_a_genuine_signature_are_refused(site):
    runtime, client, _ = site
    header, _, signature = runtime.tokens.issue("anna", ["member"]).split(".")
    escalated = b64(json.dumps(claims(sub="anna", roles=["broker", "site_admin"])).encode())
    assert_refused(call(client, f"{header}.{escalated}.{signature}"))


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic YW5uYTpzZWNyZXQ=", "Bearer not-a-jwt",
                                    "Bearer a.b.c"])
def test_malformed_authorization_headers_are_refused(site, header):
    _, client, _ = site
    assert_refused(client.get("/api/v1/probe", headers={"Authorization": header}))


def test_the_hub_refuses_a_sites_token_and_a_site_grants_the_hubs_only_the_federation_role(site, federation):
    runtime, client, keys = site
    from services.common.config import load_settings

    hub_settings = load_settings("EU", env={}, federation=federation, key_file=keys / "EU.pem", db_url="sqlite://",
                                 var_dir=keys.parent)
    hub_runtime = build_runtime(hub_settings)
    hub_app, hub_api = create_flask_app("jwt-probe-hub", "probe", hub_runtime)
    hub_api.register_blueprint(probe)
    # A site's valid token, addressed to the hub: the hub accepts no site's tokens.
    assert_refused(call(hub_app.test_client(), runtime.tokens.issue("anna", ["broker"], audience=issuer_of("EU"))))
    # The hub's token at a site carries only the federation role, whatever it claims.
    hub_token = hub_runtime.tokens.issue("EU:reconciler", ["broker", "federation"], audience=issuer_of(SITE))
    assert call(client, hub_token).status_code == 403
