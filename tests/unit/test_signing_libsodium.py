"""Signing through libsodium makes the very tokens PyJWT made, and the verifier reads them as PyJWT did.

Old feeds hold envelopes PyJWT signed: they must still verify, and new envelopes must be byte-identical.
"""
from __future__ import annotations

import base64
import json
import uuid

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.signing import (
    ALGORITHM, SignatureError, SiteKey, Verifier, canonical_json, generate_private_key, public_pem, sign,
)

KEY = generate_private_key()
ROTATED = SiteKey(generate_private_key(), "AT12:2026-11")
VERIFIER = Verifier({"AT12": {"AT12": public_pem(KEY), "AT12:2026-11": public_pem(ROTATED.private_key)}})


def pyjwt_sign(fields: dict, key, kid: str) -> str:
    """How services/common/signing.py signed before libsodium: PyJWT end to end."""
    return jwt.PyJWS(algorithms=[ALGORITHM]).encode(canonical_json(fields), key, algorithm=ALGORITHM,
                                                     headers={"kid": kid}, is_payload_detached=True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(st.text(max_size=10), json_values, max_size=6), seq=st.integers(1, 10**12))
def test_tokens_are_byte_identical_to_pyjwts_and_verify_both_ways(data, seq):
    fields = {"id": str(uuid.uuid4()), "site": "AT12", "stream": "AT12/registry", "seq": seq, "data": data}
    for key, kid in ((KEY, "AT12"), (ROTATED, "AT12:2026-11")):
        raw = key.private_key if isinstance(key, SiteKey) else key
        ours = sign(fields, key, "AT12")
        assert ours == pyjwt_sign(fields, raw, kid)
        VERIFIER.verify(fields, ours, "AT12")
        # ... and PyJWT accepts ours, as a peer still on PyJWT would.
        decoded = jwt.PyJWS(algorithms=[ALGORITHM]).decode_complete(
            ours, raw.public_key(), algorithms=[ALGORITHM], detached_payload=canonical_json(fields))
        assert decoded["header"]["kid"] == kid


def _token_with(header: dict, signature: bytes = b"\0" * 64, payload_segment: str = "") -> str:
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    return f"{enc(json.dumps(header).encode())}.{payload_segment}.{enc(signature)}"


FIELDS = {"id": "e1", "site": "AT12", "seq": 1, "data": {}}
GOOD_HEADER = {"alg": "EdDSA", "b64": False, "crit": ["b64"], "kid": "AT12", "typ": "JWT"}


@pytest.mark.parametrize("token", [
    "garbage", "a.b", "a..b.c", "....",
    _token_with({**GOOD_HEADER, "alg": "none"}),
    _token_with({**GOOD_HEADER, "alg": "HS256"}),
    _token_with({k: v for k, v in GOOD_HEADER.items() if k != "b64"}),  # payload would be base64url
    _token_with({**GOOD_HEADER, "crit": []}),
    _token_with({**GOOD_HEADER, "crit": ["b64", "exp"]}),
    _token_with({k: v for k, v in GOOD_HEADER.items() if k != "crit"}),
    _token_with({**GOOD_HEADER, "kid": 12}),
    _token_with(GOOD_HEADER, payload_segment="eyJ9"),  # an attached payload is not ours
    _token_with(GOOD_HEADER, signature=b"\0" * 63),
    _token_with(GOOD_HEADER),  # well formed, but not KEY's signature
    "W10..AAAA",  # a header that is a JSON list
])
def test_malformed_or_forged_tokens_are_refused_with_the_sites_name(token):
    with pytest.raises(SignatureError, match="does not match site 'AT12'"):
        VERIFIER.verify(FIELDS, token, "AT12")


def test_a_header_altered_after_signing_is_refused():
    token = sign(FIELDS, KEY, "AT12")
    header_segment, _, signature_segment = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_segment + "=="))
    forged = _token_with({**header, "typ": "JOSE"}, base64.urlsafe_b64decode(signature_segment + "=="))
    VERIFIER.verify(FIELDS, token, "AT12")
    with pytest.raises(SignatureError, match="does not match site 'AT12'"):
        VERIFIER.verify(FIELDS, forged, "AT12")
