"""Site keys and event signatures.

Every event is signed by its origin site as a JWS (EdDSA over Ed25519) with a detached payload: the
canonical JSON of every envelope field but `signature`. The JWS header's `kid` names the key: the site
id for a site's first key (`AT12`), `<site>:<label>` for a rotated one (`AT12:2026-11`). A verifier
takes only keys the federation file lists for the site the event claims, so during a rotation the
old and the new key are both valid, and once the old one is delisted its signatures fail.

The JWS is the RFC 7797 form PyJWT writes (`b64: false`, listed in `crit`; an empty payload segment).
PyJWT writes the header once per key; the Ed25519 arithmetic itself runs in libsodium (PyNaCl), which
signs and verifies in half the time of OpenSSL and releases the GIL while it does, so a verifier
thread runs on another core. Ed25519 is deterministic: the tokens are byte for byte what PyJWT makes
(tests/unit/test_signing_libsodium.py), so every feed signed before still verifies.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import jwt
import nacl.exceptions
import nacl.signing
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
    header, signer = _signer(raw, kid)
    signature = signer.sign(header + b"." + canonical_json(fields)).signature
    return (header + b".." + _b64url(signature)).decode("ascii")


_signers: dict[tuple[int, str], tuple[Ed25519PrivateKey, bytes, nacl.signing.SigningKey]] = {}
_signers_guard = threading.Lock()


def _signer(raw: Ed25519PrivateKey, kid: str) -> tuple[bytes, nacl.signing.SigningKey]:
    """The encoded JWS header for `kid` and libsodium's key, made once per key (the key is kept, so
    its id is not reused while cached)."""
    cached = _signers.get((id(raw), kid))
    if cached is None:
        # PyJWT writes the header (alg, b64, crit, kid, typ); the header segment of any token it signs.
        header = _jws.encode(b"", raw, algorithm=ALGORITHM, headers={"kid": kid},
                             is_payload_detached=True).split(".", 1)[0].encode("ascii")
        seed = raw.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        cached = (raw, header, nacl.signing.SigningKey(seed))
        with _signers_guard:
            _signers[(id(raw), kid)] = cached
    return cached[1], cached[2]


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64url_decode(segment: bytes) -> bytes:
    if not segment or b"=" in segment:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))


KeyRing = dict[str, dict[str, Ed25519PublicKey]]


def load_key_ring(public_keys: Mapping[str, "str | Mapping[str, str]"]) -> KeyRing:
    """{site: {kid: public key}} from {site: pem} (one key, kid = site) or {site: {kid: pem}}."""
    ring: KeyRing = {}
    for site, keys in public_keys.items():
        listed = {site: keys} if isinstance(keys, str) else dict(keys)
        ring[site] = {kid: load_public_key(pem) for kid, pem in listed.items() if pem}
    return ring


def verify_key(key: Ed25519PublicKey) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


@dataclass(frozen=True)
class DetachedJws:
    """A compact JWS with a detached, unencoded payload, read as PyJWT's decode_complete reads it."""

    header_segment: bytes
    header: Mapping
    signature: bytes

    @classmethod
    def read(cls, token: str) -> "DetachedJws":
        """Raise ValueError unless `token` is such a JWS over EdDSA: b64 false and listed in a `crit`
        naming nothing else, an empty payload segment, a string kid if any, a 64-byte signature."""
        try:
            header_segment, payload_segment, signature_segment = token.encode("ascii").split(b".")
            signature = _b64url_decode(signature_segment)
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise ValueError(f"not a compact JWS: {exc}") from None
        header = _read_header(header_segment)
        if payload_segment:
            raise ValueError("the payload is not detached and unencoded (b64: false, crit: [b64])")
        if len(signature) != 64:
            raise ValueError("an Ed25519 signature has 64 bytes")
        return cls(header_segment, header, signature)

    @property
    def kid(self):
        return self.header.get("kid")

    def verifies(self, key: nacl.signing.VerifyKey, payload: bytes) -> bool:
        try:
            key.verify(self.header_segment + b"." + payload, self.signature)
            return True
        except nacl.exceptions.BadSignatureError:
            return False


@functools.lru_cache(maxsize=256)
def _read_header(segment: bytes) -> MappingProxyType:
    """A JWS header, read-only, checked as DetachedJws.read says. A site signs with the same header
    for every event, so a consumer reads each header once, not once per message."""
    try:
        header = json.loads(_b64url_decode(segment))
    except (ValueError, UnicodeError, binascii.Error, RecursionError) as exc:
        raise ValueError(f"not a compact JWS: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError("the JWS header is not a JSON object")
    if header.get("alg") != ALGORITHM:
        raise ValueError(f"the algorithm {header.get('alg')!r} is not allowed")
    if header.get("b64", True) is not False or header.get("crit") != ["b64"]:
        raise ValueError("the payload is not detached and unencoded (b64: false, crit: [b64])")
    if "kid" in header and not isinstance(header["kid"], str):
        raise ValueError("the kid is not a string")
    return MappingProxyType(header)


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
        self._verify_keys = {id(key): verify_key(key) for keys in self._ring.values() for key in keys.values()}

    def verify(self, fields: dict, signature: str, claimed_site: str) -> None:
        if not isinstance(signature, str) or not signature:
            if not self._ring.get(claimed_site):
                raise SignatureError(f"no public key is listed for site {claimed_site!r}")
            raise SignatureError("the event carries no signature")
        try:
            jws = DetachedJws.read(signature)
        except ValueError as exc:
            keys_to_try(self._ring, claimed_site, None)  # an unlisted site is the reason to give first
            raise SignatureError(f"the signature does not match site {claimed_site!r} (not a JWS): {exc}") from None
        payload = canonical_json(fields)
        if not any(jws.verifies(self._verify_keys[id(key)], payload)
                   for key in keys_to_try(self._ring, claimed_site, jws.kid)):
            raise SignatureError(f"the signature does not match site {claimed_site!r}"
                                 f" (its header names {jws.kid!r}): Signature verification failed")
        if not isinstance(jws.kid, str) or site_of_kid(jws.kid) != claimed_site:
            raise SignatureError(f"signed as {jws.kid!r}, but the event claims site {claimed_site!r}")
