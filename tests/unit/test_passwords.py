"""Passwords are hashed with scrypt, memory-hard: each hash needs at least 16 MiB to compute."""
from __future__ import annotations

import base64
import hashlib

import pytest

from services.common.passwords import hash_password, verify_password

MIN_MEMORY = 16 * 1024 * 1024


def parts(stored: str) -> dict:
    scheme, n, r, p, salt, digest = stored.split("$")
    return {"scheme": scheme, "n": int(n), "r": int(r), "p": int(p), "salt": base64.b64decode(salt),
            "digest": base64.b64decode(digest)}


def test_the_stored_hash_is_scrypt_with_memory_hard_parameters():
    stored = parts(hash_password("correct horse battery staple"))
    assert stored["scheme"] == "scrypt"
    assert stored["n"] >= 2**14 and stored["n"] & (stored["n"] - 1) == 0  # a power of two, as scrypt needs
    assert stored["r"] >= 8 and stored["p"] >= 1
    assert 128 * stored["n"] * stored["r"] >= MIN_MEMORY  # scrypt's memory: 128 * N * r bytes
    assert len(stored["salt"]) >= 16 and len(stored["digest"]) >= 32


def test_the_hash_cannot_be_computed_in_less_memory():
    password = "correct horse battery staple"
    stored = parts(hash_password(password))
    kwargs = dict(salt=stored["salt"], n=stored["n"], r=stored["r"], p=stored["p"])
    assert hashlib.scrypt(password.encode(), maxmem=64 * 1024 * 1024, **kwargs) == stored["digest"]
    with pytest.raises(ValueError, match="memory"):
        hashlib.scrypt(password.encode(), maxmem=MIN_MEMORY // 2, **kwargs)


def test_verification_accepts_only_the_password_and_salts_differ():
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first != second and parts(first)["salt"] != parts(second)["salt"]
    assert verify_password("s3cret", first) and verify_password("s3cret", second)
    assert not verify_password("s3cret ", first)
    assert not verify_password("S3cret", first)


@pytest.mark.parametrize("stored", ["", "plain", "md5$x$y$z$a$b", "scrypt$16384$8$1$!!$??",
                                    "scrypt$notanumber$8$1$AAAA$AAAA"])
def test_unreadable_stored_hashes_never_verify(stored):
    assert not verify_password("anything", stored)
