"""Site keys and event signatures.

Every event is signed by its origin site as a JWS (EdDSA over Ed25519) with a detached payload: the
canonical JSON of every envelope field but `signature`. The JWS header's `kid` names the key: the site
id for a site's first key (`AT12`), `<site>:<label>` for a rotated one (`AT12:2026-11`). A verifier
takes only keys the federation file lists for the site the event claims, so during a rotation the
old and the new key are both valid, and once the old one is delisted its signatures fail.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

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


def site_of_kid(kid: str) -> str:
    """`AT12` -> `AT12`; `AT12:2026-11` -> `AT12`."""
    return kid.split(":", 1)[0]


def kid_sort_key(kid: str) -> tuple[int, str]:
    """Keys of one site from oldest to newest: the unlabelled first key, then by label (dates sort)."""
    site, _, label = kid.partition(":")
    return (1 if label else 0, label)


@dataclass(frozen=True)
class SiteKey:
    """A site's private key and the `kid` its public key is listed under."""

    private_key: Ed25519PrivateKey
    kid: str

    @property
    def site_id(self) -> str:
        return site_of_kid(self.kid)

    def __getattr__(self, name):
        # Where a raw key was used before rotation existed (public_key(), private_bytes(), ...).
        if name.startswith("__") or name == "private_key":  # copy/pickle probe a half-built object
            raise AttributeError(name)
        return getattr(self.private_key, name)


def sign(fields: dict, key: "Ed25519PrivateKey | SiteKey", site_id: str) -> str:
    """Sign with a raw key (kid = the site id) or a SiteKey (its own kid)."""
    kid = key.kid if isinstance(key, SiteKey) else site_id
    raw = key.private_key if isinstance(key, SiteKey) else key
    return _jws.encode(canonical_json(fields), raw, algorithm=ALGORITHM, headers={"kid": kid},
                       is_payload_detached=True)


KeyRing = dict[str, dict[str, Ed25519PublicKey]]


def load_key_ring(public_keys: Mapping[str, "str | Mapping[str, str]"]) -> KeyRing:
    """{site: {kid: public key}} from {site: pem} (one key, kid = site) or {site: {kid: pem}}."""
    ring: KeyRing = {}
    for site, keys in public_keys.items():
        listed = {site: keys} if isinstance(keys, str) else dict(keys)
        ring[site] = {kid: load_public_key(pem) for kid, pem in listed.items() if pem}
    return ring


def keys_to_try(ring: KeyRing, site: str, kid) -> list[Ed25519PublicKey]:
    """The listed keys a signature claiming `site` may have been made with.

    A kid of the site picks its key, and an unlisted kid of the site is refused: that is what retires
    a key. A header naming no key of the site is tried against all of them, so that the refusal
    says whose key it really was.
    """
    keys = ring.get(site) or {}
    if not keys:
        raise SignatureError(f"no public key is listed for site {site!r}")
    if isinstance(kid, str) and site_of_kid(kid) == site:
        if kid not in keys:
            raise SignatureError(f"key {kid!r} is not (or no longer) listed for site {site!r}")
        return [keys[kid]]
    return list(keys.values())


class Verifier:
    """Checks that an envelope was signed by the site it names, with a key the federation lists."""

    def __init__(self, public_keys: Mapping[str, "str | Mapping[str, str]"]):
        self._ring = load_key_ring(public_keys)

    def verify(self, fields: dict, signature: str, claimed_site: str) -> None:
        if not isinstance(signature, str) or not signature:
            if not self._ring.get(claimed_site):
                raise SignatureError(f"no public key is listed for site {claimed_site!r}")
            raise SignatureError("the event carries no signature")
        try:
            kid = jwt.get_unverified_header(signature).get("kid")
        except jwt.PyJWTError:
            kid = None
        verified, error = None, None
        for key in keys_to_try(self._ring, claimed_site, kid):
            try:
                verified = _jws.decode_complete(signature, key, algorithms=[ALGORITHM],
                                                detached_payload=canonical_json(fields))
                break
            except jwt.PyJWTError as exc:
                error = exc
        if verified is None:
            raise SignatureError(f"the signature does not match site {claimed_site!r}"
                                 f"{_claimed_signer(signature)}: {error}") from None
        signed_as = verified["header"].get("kid")
        if not isinstance(signed_as, str) or site_of_kid(signed_as) != claimed_site:
            raise SignatureError(f"signed as {signed_as!r}, but the event claims site {claimed_site!r}")


def _claimed_signer(signature: str) -> str:
    """For the reason of a refusal: which site the JWS header names, if it can be read."""
    try:
        return f" (its header names {jwt.get_unverified_header(signature).get('kid')!r})"
    except jwt.PyJWTError:
        return " (not a JWS)"
