"""Key generation for sites: private keys to files, public keys into a federation file."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from services.common.signing import generate_private_key, private_pem, public_pem


def generate_site_key(site_id: str, keys_dir: Path) -> tuple[Path, str]:
    """Write `<keys_dir>/<site>.pem` (mode 0600) and return its path and the public key PEM."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = generate_private_key()
    path = keys_dir / f"{site_id}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(private_pem(key))
    return path, public_pem(key)


def write_public_keys(federation_in: Path, federation_out: Path, public_keys: dict[str, str]) -> Path:
    """Copy the federation file with the given sites' public keys filled in."""
    doc = yaml.safe_load(Path(federation_in).read_text(encoding="utf-8"))
    for site_id, pem in public_keys.items():
        doc["sites"][site_id]["public_key"] = pem
    federation_out.parent.mkdir(parents=True, exist_ok=True)
    federation_out.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return federation_out


def generate_federation(federation_in: Path, keys_dir: Path, federation_out: Path,
                        sites: list[str] | None = None) -> Path:
    """Keys for every site (or the given ones) and a federation file that lists their public keys."""
    doc = yaml.safe_load(Path(federation_in).read_text(encoding="utf-8"))
    public = {}
    for site_id in sites or list(doc["sites"]):
        _, public[site_id] = generate_site_key(site_id, keys_dir)
    return write_public_keys(federation_in, federation_out, public)
