"""Key rotation without downtime: old and new keys both valid while both are listed, then only the new.

The keys are real files and the federation file a real YAML file, as an operator handles them; the
last test re-signs a site's stored feed on PostgreSQL through `sopro keys resign`.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest
import yaml

from services.cli import main
from services.common.tokens import Tokens, issuer_of
from services.common.config import load_federation, load_settings
from services.common.envelope import Envelope
from services.common.errors import Unauthorized
from services.common.keys import (
    delist_public_key, generate_federation, list_public_key, rotate_site_key, signing_key,
)
from services.common.signing import SignatureError, SiteKey, Verifier, load_private_key, sign
from services.sync.feed import read_page
from tests.support.sync import make_runtime, write_events

NOV = datetime(2026, 11, 22, tzinfo=timezone.utc)


@pytest.fixture
def keys(tmp_path, repo_root):
    """A federation with a first key per site (kid = site id), and AT12's and EU's rotated keys on disk."""
    keys_dir = tmp_path / "keys"
    legacy = generate_federation(repo_root / "deploy" / "federation.yaml", keys_dir, tmp_path / "legacy.yaml",
                                 sites=["AT12", "HU22", "EU"])
    rotated = {}
    overlap = legacy
    for site in ("AT12", "EU"):
        kid, path, pem = rotate_site_key(site, keys_dir, now=NOV)
        rotated[site] = kid
        overlap = list_public_key(overlap, tmp_path / "overlap.yaml", kid, pem)
    after = tmp_path / "after.yaml"
    delist_public_key(overlap, after, "AT12")
    delist_public_key(after, after, "EU")
    return {"dir": keys_dir, "legacy": load_federation(legacy, env={}), "overlap": load_federation(overlap, env={}),
            "after": load_federation(after, env={}), "kids": rotated}


def event_fields(site: str = "AT12") -> dict:
    return Envelope(id=str(uuid.uuid4()), type="registry.offer.withdrawn", version=1, site=site,
                    stream=f"{site}/registry", seq=1, aggregate_id="a1", aggregate_version=2,
                    occurred_at="2026-11-22T10:00:00Z", correlation_id="c", causation_id=None,
                    data={"id": str(uuid.uuid4()), "reason": None}).unsigned_fields()


def site_key(keys, site: str, federation) -> SiteKey:
    return signing_key(site, keys["dir"] / f"{site}.pem", federation.key_ring().get(site, {}))


def test_rotation_labels_are_monthly_and_sort_after_the_old_key(keys):
    assert keys["kids"]["AT12"] == "AT12:2026-11"
    second, _, _ = rotate_site_key("AT12", keys["dir"], now=NOV)  # a second rotation in the same month
    assert second == "AT12:2026-11-22"
    with pytest.raises(ValueError, match="must sort after"):
        rotate_site_key("AT12", keys["dir"], label="2025-01")


def test_the_signer_uses_the_newest_listed_key_and_never_an_unlisted_one(keys):
    assert site_key(keys, "AT12", keys["legacy"]).kid == "AT12"  # rotated, but not listed yet: keep the old
    assert site_key(keys, "AT12", keys["overlap"]).kid == "AT12:2026-11"
    assert site_key(keys, "AT12", keys["after"]).kid == "AT12:2026-11"


def test_an_event_signed_with_the_old_key_verifies_during_the_overlap_and_fails_after(keys):
    old = site_key(keys, "AT12", keys["legacy"])
    new = site_key(keys, "AT12", keys["overlap"])
    fields_old, fields_new = event_fields(), event_fields()
    old_sig, new_sig = sign(fields_old, old, "AT12"), sign(fields_new, new, "AT12")

    overlap = Verifier(keys["overlap"].key_ring())
    overlap.verify(fields_old, old_sig, "AT12")
    overlap.verify(fields_new, new_sig, "AT12")

    after = Verifier(keys["after"].key_ring())
    after.verify(fields_new, new_sig, "AT12")
    with pytest.raises(SignatureError, match="'AT12' is not .*listed"):
        after.verify(fields_old, old_sig, "AT12")
    with pytest.raises(SignatureError):  # the new key is not valid for another site's events
        after.verify(event_fields("HU22"), sign(event_fields("HU22"), new, "AT12"), "HU22")


def test_a_site_signing_with_an_unlisted_key_is_rejected(keys):
    staged, _, _ = rotate_site_key("AT12", keys["dir"], label="2026-12")
    unlisted = SiteKey(load_private_key(keys["dir"] / "AT12.2026-12.pem"), staged)
    fields = event_fields()
    with pytest.raises(SignatureError, match="'AT12:2026-12' is not .*listed"):
        Verifier(keys["overlap"].key_ring()).verify(fields, sign(fields, unlisted, "AT12"), "AT12")
    # Claiming one of its listed kids does not help: the signature must match that key.
    forged = SiteKey(unlisted.private_key, "AT12:2026-11")
    with pytest.raises(SignatureError, match="does not match site 'AT12'"):
        Verifier(keys["overlap"].key_ring()).verify(fields, sign(fields, forged, "AT12"), "AT12")


def tokens(keys, site: str, federation, key_of=None) -> Tokens:
    hub = {"EU": frozenset({"federation"})} if site != "EU" else {}
    return Tokens(site, key_of or site_key(keys, site, federation), federation.key_ring(), foreign_issuers=hub)


def test_a_token_signed_with_the_old_key_verifies_during_the_overlap_and_fails_after(keys):
    old_token = tokens(keys, "AT12", keys["legacy"]).issue("anna", ["broker"])
    new_token = tokens(keys, "AT12", keys["overlap"]).issue("anna", ["broker"])
    assert json.loads(_header(new_token))["kid"] == "AT12:2026-11"

    during = tokens(keys, "AT12", keys["overlap"])
    assert during.verify(old_token).subject == "anna"
    assert during.verify(new_token).roles == {"broker"}

    after = tokens(keys, "AT12", keys["after"])
    assert after.verify(new_token).subject == "anna"
    with pytest.raises(Unauthorized, match="no longer"):
        after.verify(old_token)

    # The hub's federation token for a site's feed rotates the same way.
    hub_old = tokens(keys, "EU", keys["legacy"]).issue("EU:reconciler", ["federation"], audience=issuer_of("AT12"))
    assert tokens(keys, "AT12", keys["overlap"]).verify(hub_old, issuer_site="EU").roles == {"federation"}
    with pytest.raises(Unauthorized):
        tokens(keys, "AT12", keys["after"]).verify(hub_old, issuer_site="EU")


def test_a_token_from_an_unlisted_key_is_refused(keys):
    rotate_site_key("AT12", keys["dir"], label="2026-12")
    unlisted = SiteKey(load_private_key(keys["dir"] / "AT12.2026-12.pem"), "AT12:2026-12")
    token = tokens(keys, "AT12", keys["overlap"], key_of=unlisted).issue("mallory", ["site_admin"])
    with pytest.raises(Unauthorized, match="not .*listed"):
        tokens(keys, "AT12", keys["overlap"]).verify(token)
    hu22_key = SiteKey(load_private_key(keys["dir"] / "HU22.pem"), "AT12")  # HU22's key under AT12's kid
    token = tokens(keys, "AT12", keys["overlap"], key_of=hu22_key).issue("mallory", ["site_admin"])
    with pytest.raises(Unauthorized, match="invalid token"):
        tokens(keys, "AT12", keys["overlap"]).verify(token)


def test_the_federation_file_refuses_a_key_listed_under_another_site(tmp_path, keys):
    doc = yaml.safe_load((tmp_path / "overlap.yaml").read_text())
    doc["sites"]["HU22"]["public_keys"] = {"AT12:2026-11": doc["sites"]["AT12"]["public_keys"]["AT12:2026-11"]}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(ValueError, match="HU22: key id 'AT12:2026-11'"):
        load_federation(tmp_path / "bad.yaml", env={})
    with pytest.raises(ValueError, match="only key"):
        delist_public_key(tmp_path / "after.yaml", tmp_path / "x.yaml", "AT12:2026-11")


def _header(token: str) -> str:
    import base64

    head = token.split(".")[0]
    return base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()


# --- the whole procedure through the command line, on PostgreSQL ------------------------------------

@pytest.mark.services
def test_rotate_resign_retire_through_the_cli_keeps_the_feed_verifiable(tmp_path, repo_root, pg_url, monkeypatch,
                                                                         capsys):
    keys_dir = tmp_path / "keys"
    legacy = generate_federation(repo_root / "deploy" / "federation.yaml", keys_dir, tmp_path / "fed.yaml")
    env = {"SOPRO_SITE": "AT12", "SOPRO_DB_URL": pg_url, "SOPRO_KEY_FILE": str(keys_dir / "AT12.pem"),
           "SOPRO_FEDERATION_FILE": str(legacy), "SOPRO_VAR_DIR": str(tmp_path)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    site = make_runtime(load_settings())
    write_events(site, 3)
    _sequence(site)  # signed with the first key, as the feed serves them

    assert main(["keys", "rotate", "--label", "2026-11"]) == 0
    printed = capsys.readouterr().out
    assert "AT12:2026-11" in printed and "BEGIN PUBLIC KEY" in printed
    overlap = tmp_path / "overlap.yaml"
    kid, pem = "AT12:2026-11", yaml.safe_load(printed.split("every site ---\n", 1)[1])["public_keys"]["AT12:2026-11"]
    list_public_key(legacy, overlap, kid, pem)
    monkeypatch.setenv("SOPRO_FEDERATION_FILE", str(overlap))

    assert main(["keys", "resign"]) == 0
    assert "3 stored events re-signed with AT12:2026-11" in capsys.readouterr().out
    assert main(["keys", "retire", "AT12", "--write-federation", str(tmp_path / "after.yaml")]) == 0
    verifier = Verifier(load_federation(tmp_path / "after.yaml", env={}).key_ring())
    with site.engine.connect() as conn:
        events = read_page(conn, "AT12/registry", 0, 100)["events"]
    assert len(events) == 3
    for event in events:
        fields = {k: v for k, v in event.items() if k != "signature"}
        verifier.verify(fields, event["signature"], "AT12")  # a hub rebuilt later can verify the feed
    legacy_only = Verifier(load_federation(legacy, env={}).key_ring())
    with pytest.raises(SignatureError):
        legacy_only.verify({k: v for k, v in events[0].items() if k != "signature"}, events[0]["signature"], "AT12")


def _sequence(site) -> None:
    from services.sync.relay import Relay

    relay = Relay(site.engine, "AT12", site.signing_key, publisher=None)
    with site.engine.connect() as conn:
        assert relay.sequence(conn, "AT12/registry") == 3
