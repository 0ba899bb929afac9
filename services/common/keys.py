"""Site keys: generation, rotation without downtime, and which private key a site signs with.

A site's key files live side by side: `<site>.pem` (its first key, kid `<site>`) and
`<site>.<label>.pem` for each rotation (kid `<site>:<label>`, e.g. `AT12:2026-11`). A rotation:

1. `sopro keys rotate --site AT12` writes the new private key and prints the federation entry.
2. The agency lists the new public key (under `public_keys`) in the federation file of the hub and
   of every site; the rotating site last. Until its own file lists the key, the site keeps signing
   with the old one, so nobody ever sees a signature they cannot verify.
3. The site signs with its newest listed key (after its restart); tokens and events signed with the
   old key stay valid while the old key is listed (the overlap: at least the token lifetime, and until
   the hub has ingested everything signed before).
4. `sopro keys resign --site AT12` re-signs the site's stored envelopes (its feed) with the new key, so
   a hub rebuilt from the feeds later can verify them; then the old key is delisted
   (`sopro keys retire`) and its file deleted.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from sqlalchemy import bindparam, select, update

from services.common.clock import utcnow
from services.common.envelope import dumps
from services.common.outbox import outbox
from services.common.signing import (
    SiteKey, generate_private_key, kid_sort_key, load_private_key, private_pem, public_pem, sign, site_of_kid,
)


def _write_private(path: Path, pem: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(pem)


def generate_site_key(site_id: str, keys_dir: Path) -> tuple[Path, str]:
    """Write `<keys_dir>/<site>.pem` (mode 0600) and return its path and the public key PEM."""
    key = generate_private_key()
    path = Path(keys_dir) / f"{site_id}.pem"
    _write_private(path, private_pem(key))
    return path, public_pem(key)


def _load_doc(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _dump_doc(doc: dict, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def write_public_keys(federation_in: Path, federation_out: Path, public_keys: dict[str, str]) -> Path:
    """Copy the federation file with the given sites' public keys filled in."""
    doc = _load_doc(federation_in)
    for site_id, pem in public_keys.items():
        doc["sites"][site_id]["public_key"] = pem
    return _dump_doc(doc, federation_out)


def generate_federation(federation_in: Path, keys_dir: Path, federation_out: Path,
                        sites: list[str] | None = None) -> Path:
    """Keys for every site (or the given ones) and a federation file that lists their public keys."""
    doc = _load_doc(federation_in)
    public = {}
    for site_id in sites or list(doc["sites"]):
        _, public[site_id] = generate_site_key(site_id, keys_dir)
    return write_public_keys(federation_in, federation_out, public)


# --- rotation ----------------------------------------------------------------------------------------

def key_files(site_id: str, keys_dir: Path) -> dict[str, Path]:
    """The site's private key files by kid: `<site>.pem` is kid `<site>`, `<site>.<label>.pem` `<site>:<label>`."""
    found = {}
    for path in Path(keys_dir).glob(f"{site_id}*.pem"):
        stem = path.name[: -len(".pem")]
        if stem == site_id:
            found[site_id] = path
        elif stem.startswith(site_id + "."):
            found[f"{site_id}:{stem[len(site_id) + 1:]}"] = path
    return found


def _free_label(site_id: str, keys_dir: Path, now: datetime) -> str:
    """`YYYY-MM`, or a finer one if this month already had a rotation; each sorts after the last."""
    taken = key_files(site_id, keys_dir)
    for fmt in ("%Y-%m", "%Y-%m-%d", "%Y-%m-%dT%H%M%S"):
        label = now.strftime(fmt)
        if f"{site_id}:{label}" not in taken:
            return label
    raise FileExistsError(f"a key of {site_id} was already made this second; try again")


def rotate_site_key(site_id: str, keys_dir: Path, label: str | None = None,
                    now: datetime | None = None) -> tuple[str, Path, str]:
    """Write a new private key `<site>.<label>.pem`; return its kid, path and public key PEM."""
    label = label or _free_label(site_id, keys_dir, now or utcnow())
    if not label or any(c in label for c in ":/\\ ") or label.startswith("."):
        raise ValueError(f"not a usable key label: {label!r}")
    kid = f"{site_id}:{label}"
    newest = max(key_files(site_id, keys_dir), key=kid_sort_key, default=None)
    if newest is not None and kid_sort_key(kid) <= kid_sort_key(newest):
        raise ValueError(f"the new key {kid} must sort after the newest key {newest}")
    key = generate_private_key()
    path = Path(keys_dir) / f"{site_id}.{label}.pem"
    _write_private(path, private_pem(key))
    return kid, path, public_pem(key)


def federation_entry(kid: str, pem: str) -> str:
    """The lines to add under the site's entry in the federation file (indented to sit there)."""
    block = "".join(f"        {line}\n" for line in pem.strip().splitlines())
    return f'    public_keys:\n      "{kid}": |\n{block}'


def list_public_key(federation_in: Path, federation_out: Path, kid: str, pem: str) -> Path:
    """Copy the federation file with `kid` listed under its site's `public_keys`."""
    doc = _load_doc(federation_in)
    entry = doc["sites"][site_of_kid(kid)]
    entry["public_keys"] = {**(entry.get("public_keys") or {}), kid: pem}
    return _dump_doc(doc, federation_out)


def delist_public_key(federation_in: Path, federation_out: Path, kid: str) -> Path:
    """Copy the federation file without `kid` (the end of the overlap). Refuses to delist a site's last key."""
    doc = _load_doc(federation_in)
    site_id = site_of_kid(kid)
    entry = doc["sites"][site_id]
    listed = ([site_id] if entry.get("public_key") else []) + list(entry.get("public_keys") or {})
    if kid not in listed:
        raise KeyError(f"{kid} is not listed for {site_id}")
    if len(listed) == 1:
        raise ValueError(f"{kid} is the only key listed for {site_id}; list its successor first")
    if kid == site_id:
        entry["public_key"] = None
    else:
        entry["public_keys"].pop(kid)
    return _dump_doc(doc, federation_out)


def _public_pem_of(key) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def signing_key(site_id: str, key_file: Path, listed: dict[str, str]) -> SiteKey:
    """The key a site signs with: its newest key file whose public key the federation lists.

    A key written by `rotate` but not listed yet is not used. With none listed (a site whose key is
    not yet in the federation file), the configured key file signs as kid `<site>`.
    """
    key_file = Path(key_file)
    candidates = {kid: path for kid, path in key_files(site_id, key_file.parent).items() if kid in listed}
    for kid in sorted(candidates, key=kid_sort_key, reverse=True):
        key = load_private_key(candidates[kid])
        if _same_pem(_public_pem_of(key), listed[kid]):
            return SiteKey(key, kid)
    key = load_private_key(key_file)
    for kid, pem in listed.items():  # the configured file under another name (e.g. a mounted secret)
        if _same_pem(_public_pem_of(key), pem):
            return SiteKey(key, kid)
    return SiteKey(key, site_id)


def _same_pem(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def resign_outbox(engine, key: SiteKey, batch_size: int = 500) -> int:
    """Re-sign every stored envelope of the site (what its feed serves) with `key`; returns how many.

    Only the signature changes: ids, seqs and payloads stay, so a hub that already has an event
    treats the re-signed copy as the duplicate it is.
    """
    done, after = 0, 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(select(outbox.c.id, outbox.c.envelope)
                                .where(outbox.c.id > after, outbox.c.envelope.is_not(None))
                                .order_by(outbox.c.id).limit(batch_size)).all()
            if not rows:
                return done
            updates = []
            for row in rows:
                fields = json.loads(row.envelope)
                fields.pop("signature", None)
                fields["signature"] = sign(fields, key, key.site_id)
                updates.append({"row_id": row.id, "new_envelope": dumps(fields)})
            conn.execute(update(outbox).where(outbox.c.id == bindparam("row_id"))
                         .values(envelope=bindparam("new_envelope")), updates)
            done += len(rows)
            after = rows[-1].id
