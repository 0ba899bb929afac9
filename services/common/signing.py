"""Site keys and event signatures.

Every event is signed by its origin site as a JWS (EdDSA over Ed25519) with a detached payload: the
canonical JSON of every envelope field but `signature`. The JWS header names the site as `kid`, so a
verifier picks the public key the federation file lists for that site and nothing else.
"""
from __future__ import annotations

import json
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
_jws = jwt.PyJWS(algorithms=[ALGORITHM])


class SignatureError(Exception):
    """The signature is missing, malformed, or not made by the site it claims."""


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"no site key at {path}; run `sopro keys generate`") from None
    return serialization.load_pem_private_key(data, password=None)


def load_public_key(pem: str) -> Ed25519PublicKey:
    return serialization.load_pem_public_key(pem.encode())


def sign(fields: dict, key: Ed25519PrivateKey, site_id: str) -> str:
    return _jws.encode(
        canonical_json(fields), key, algorithm=ALGORITHM, headers={"kid": site_id}, is_payload_detached=True
    )


class Verifier:
    """Checks that an envelope was signed by the site it names, with the key the federation lists."""

    def __init__(self, public_keys: dict[str, str]):
        self._keys = {site: load_public_key(pem) for site, pem in public_keys.items()}

    def verify(self, fields: dict, signature: str, claimed_site: str) -> None:
        key = self._keys.get(claimed_site)
        if key is None:
            raise SignatureError(f"no public key is listed for site {claimed_site!r}")
        if not isinstance(signature, str) or not signature:
            raise SignatureError("the event carries no signature")
        try:
            verified = _jws.decode_complete(signature, key, algorithms=[ALGORITHM],
                                            detached_payload=canonical_json(fields))
        except jwt.PyJWTError as exc:
            raise SignatureError(f"the signature does not match site {claimed_site!r}"
                                 f"{_claimed_signer(signature)}: {exc}") from None
        signed_as = verified["header"].get("kid")
        if signed_as != claimed_site:
            raise SignatureError(f"signed as {signed_as!r}, but the event claims site {claimed_site!r}")


def _claimed_signer(signature: str) -> str:
    """For the reason of a refusal: which site the JWS header names, if it can be read."""
    try:
        return f" (its header names {jwt.get_unverified_header(signature).get('kid')!r})"
    except jwt.PyJWTError:
        return " (not a JWS)"
