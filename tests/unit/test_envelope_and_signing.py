"""Envelope parsing and event signatures (no I/O)."""
from __future__ import annotations

import uuid

import pytest

from services.common.envelope import Envelope, MalformedEnvelope, routing_key
from services.common.signing import SignatureError, Verifier, canonical_json, generate_private_key, public_pem, sign


def envelope(**changes) -> Envelope:
    fields = dict(id=str(uuid.uuid4()), type="registry.offer.withdrawn", version=1, site="AT12",
                  stream="AT12/registry", seq=3, aggregate_id="a1", aggregate_version=2,
                  occurred_at="2026-11-22T10:00:00Z", correlation_id="c", causation_id=None,
                  data={"id": str(uuid.uuid4()), "reason": None})
    fields.update(changes)
    return Envelope(**fields)


@pytest.fixture(scope="module")
def keys():
    return {site: generate_private_key() for site in ("AT12", "HU22")}


@pytest.fixture(scope="module")
def verifier(keys):
    return Verifier({site: public_pem(k) for site, k in keys.items()})


def signed(env: Envelope, key, site: str) -> Envelope:
    return Envelope(**{**env.__dict__, "signature": sign(env.unsigned_fields(), key, site)})


def test_round_trip_and_verify(keys, verifier):
    env = signed(envelope(), keys["AT12"], "AT12")
    parsed = Envelope.parse(env.to_json())
    assert parsed == env
    verifier.verify(parsed.unsigned_fields(), parsed.signature, "AT12")


def test_signature_covers_every_field(keys, verifier):
    env = signed(envelope(), keys["AT12"], "AT12")
    for change in ({"seq": 4}, {"data": {"id": "x", "reason": "y"}}, {"to": "HU22"}, {"aggregate_version": 3}):
        tampered = Envelope(**{**env.__dict__, **change})
        with pytest.raises(SignatureError):
            verifier.verify(tampered.unsigned_fields(), tampered.signature, "AT12")


def test_signed_by_another_site_is_refused(keys, verifier):
    env = signed(envelope(), keys["HU22"], "AT12")  # HU22's key, claiming to be AT12
    with pytest.raises(SignatureError, match="does not match site 'AT12'"):
        verifier.verify(env.unsigned_fields(), env.signature, "AT12")
    env = signed(envelope(), keys["HU22"], "HU22")
    with pytest.raises(SignatureError, match="does not match site 'AT12'"):
        verifier.verify(env.unsigned_fields(), env.signature, "AT12")
    env = signed(envelope(), keys["AT12"], "HU22")  # AT12's key, but a header naming HU22
    with pytest.raises(SignatureError, match="signed as 'HU22'"):
        verifier.verify(env.unsigned_fields(), env.signature, "AT12")


def test_unknown_site_and_missing_signature(verifier):
    with pytest.raises(SignatureError, match="no public key"):
        verifier.verify({}, "x", "AT99")
    with pytest.raises(SignatureError, match="no signature"):
        verifier.verify({}, "", "AT12")


@pytest.mark.parametrize("raw, reason", [
    (b"\xff\xfe", "not JSON"),
    ("[]", "not a JSON object"),
    ('{"id": 1}', "invalid envelope"),
])
def test_malformed_envelopes_say_why(raw, reason):
    with pytest.raises(MalformedEnvelope, match=reason):
        Envelope.parse(raw)


@pytest.mark.parametrize("change, field", [
    ({"id": "not-a-uuid"}, "id"), ({"occurred_at": "2026-11-22T10:00:00"}, "occurred_at"),
    ({"seq": 0}, "seq"), ({"seq": "1"}, "seq"), ({"site": "at12"}, "site"), ({"type": "Registry.x"}, "type"),
    ({"extra": 1}, "extra"),
])
def test_envelope_fields_are_checked(change, field):
    raw = {**envelope(signature="s").to_dict(), **change}
    with pytest.raises(MalformedEnvelope, match="invalid envelope"):
        Envelope.parse(raw)


def test_stream_must_belong_to_the_site():
    env = envelope(stream="HU22/registry", signature="s")
    with pytest.raises(MalformedEnvelope, match="does not belong"):
        Envelope.parse(env.to_dict())


def test_routing_keys():
    assert routing_key("AT12", "registry.offer.published") == "AT12.registry.offer.published"
    assert routing_key("EU", "hub.part.forwarded", to="HU22") == "to.HU22.hub.part.forwarded"


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "ö"}) == '{"a":"ö","b":1}'.encode()
