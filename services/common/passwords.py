"""Password hashing with scrypt (memory-hard, in the standard library)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1  # about 16 MiB of memory per hash


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, maxmem=64 * 1024 * 1024)
    return "$".join(["scrypt", str(N), str(R), str(P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` is the one `stored` was made from. Without a stored hash (no such user) the
    same scrypt work is done against a decoy, so that the time of the answer does not tell whether a
    username exists."""
    if stored is None:
        verify_password(password, DECOY_HASH)
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# The cost parameters of a real hash; no password yields an all-zero 64-byte digest.
DECOY_HASH = "$".join(["scrypt", str(N), str(R), str(P), _b64(bytes(16)), _b64(bytes(64))])
