"""The operator's commands of `sopro`: key rotation, backup and restore, rebuilding the hub, data export.

`services/cli.py` registers them (`add_key_commands`, `add_operations_commands`); each runs on the
site the environment names (SOPRO_SITE, SOPRO_DB_URL, SOPRO_KEY_FILE, SOPRO_FEDERATION_FILE), or on
`--site`.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from services.bootstrap import bootstrap, components
from services.common.backup import backup, restore
from services.common.config import DEFAULT_FEDERATION_FILE, load_settings
from services.common.db import make_engine
from services.common.keys import delist_public_key, federation_entry, list_public_key, resign_outbox, rotate_site_key
from services.common.runtime import build_runtime
from services.privacy import erase_person, erased_at_hub, export_person, reapply_erasures
from services.rebuild import rebuild_hub
from services.registry.statements import ERASURE_GROUNDS


def _federation_file(args) -> Path:
    return Path(getattr(args, "federation", None) or os.environ.get("SOPRO_FEDERATION_FILE")
                or DEFAULT_FEDERATION_FILE)


def _keys_dir(args) -> Path:
    if args.keys_dir:
        return Path(args.keys_dir)
    return load_settings(args.site).key_file.parent


# --- keys --------------------------------------------------------------------------------------------

def cmd_keys_rotate(args) -> int:
    site = load_settings(args.site).site_id
    kid, path, pem = rotate_site_key(site, _keys_dir(args), args.label)
    print(f"{site}: new private key {path} (kid {kid}); the site keeps signing with its current key "
          f"until its federation file lists this one")
    if args.write_federation:
        out = list_public_key(_federation_file(args), Path(args.write_federation), kid, pem)
        print(f"{kid} listed in {out}")
    else:
        print(f"--- add under sites.{site} in the federation file of the hub and of every site ---")
        print(federation_entry(kid, pem), end="")
    return 0


def cmd_keys_retire(args) -> int:
    federation_in = _federation_file(args)
    out = delist_public_key(federation_in, Path(args.write_federation or federation_in), args.kid)
    print(f"{args.kid} no longer listed in {out}; tokens and events signed with it are now refused")
    return 0


def cmd_keys_resign(args) -> int:
    settings = load_settings(args.site)
    runtime = build_runtime(settings, engine=make_engine(settings.db_url))
    count = resign_outbox(runtime.engine, runtime.signing_key)
    print(f"{settings.site_id}: {count} stored events re-signed with {runtime.signing_key.kid}")
    return 0


def add_key_commands(keys) -> None:
    rotate = keys.add_parser("rotate", help="make a new key for a site (old and new valid while both are listed)")
    rotate.add_argument("--site", help="site id; default SOPRO_SITE")
    rotate.add_argument("--keys-dir", help="default: the directory of SOPRO_KEY_FILE")
    rotate.add_argument("--label", help="the key's label, kid <site>:<label> (default: YYYY-MM)")
    rotate.add_argument("--federation", help="federation file to read (default: SOPRO_FEDERATION_FILE)")
    rotate.add_argument("--write-federation", help="write a copy of the federation file listing the new key")
    rotate.set_defaults(func=cmd_keys_rotate)

    retire = keys.add_parser("retire", help="delist a key from the federation file (the end of the overlap)")
    retire.add_argument("kid", help="e.g. AT12 (a site's first key) or AT12:2026-11")
    retire.add_argument("--federation", help="federation file to read (default: SOPRO_FEDERATION_FILE)")
    retire.add_argument("--write-federation", help="where to write (default: in place)")
    retire.set_defaults(func=cmd_keys_retire)

    resign = keys.add_parser("resign", help="re-sign the site's stored events (its feed) with its current key")
    resign.add_argument("--site", help="site id; default SOPRO_SITE")
    resign.set_defaults(func=cmd_keys_resign)


# --- backup and restore ------------------------------------------------------------------------------

def cmd_backup(args) -> int:
    settings = load_settings(args.site)
    summary = backup(settings, components(settings), Path(args.out))
    print(f"{settings.site_id}: {summary['rows']} rows of {summary['tables']} tables written to {args.out}")
    return 0


def cmd_restore(args) -> int:
    settings = load_settings(args.site)
    resume = {}
    for item in args.resume_after or []:
        stream, sep, seq = item.rpartition("=")
        if not sep or not seq.isdigit():
            print(f"--resume-after expects STREAM=SEQ, e.g. {settings.site_id}/registry=120", file=sys.stderr)
            return 2
        resume[stream] = int(seq)
    summary = restore(settings, components(settings), Path(args.file), resume)
    print(f"{settings.site_id}: {summary['rows']} rows of {summary['tables']} tables restored from {args.file}")
    for stream, seq in sorted(summary["streams"].items()):
        print(f"  {stream}: the relay continues after seq {seq}")
    return 0


# --- the hub -----------------------------------------------------------------------------------------

def cmd_hub_rebuild(args) -> int:
    settings = load_settings(args.site)
    counts, failed = rebuild_hub(settings, allow_non_empty=args.allow_non_empty)
    for stream, count in sorted(counts.items()):
        print(f"{stream}: {count} events applied")
    for stream, reason in sorted(failed.items()):
        print(f"{stream}: NOT rebuilt, feed unreadable: {reason}")
    print(f"{settings.site_id}: {sum(counts.values())} events applied from {len(counts)} feeds"
          + (f"; {len(failed)} feeds unreadable: run `sopro hub rebuild --allow-non-empty` again" if failed else ""))
    return 1 if failed else 0


# --- privacy -----------------------------------------------------------------------------------------

def cmd_privacy_export(args) -> int:
    if not (args.email or args.statement):
        print("give --email or --statement", file=sys.stderr)
        return 2
    settings = load_settings(args.site)
    document = export_person(settings, email=args.email, statement_id=args.statement)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{settings.site_id}: {document['count']} records written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_privacy_erased(args) -> int:
    settings = load_settings(args.site)
    if not settings.is_hub:
        print("run this at the hub (SOPRO_SITE=EU): it lists what the hub knows as erased", file=sys.stderr)
        return 2
    engine = make_engine(settings.db_url)
    try:
        for statement_id in erased_at_hub(engine, args.of):
            print(statement_id)
    finally:
        engine.dispose()
    return 0


def cmd_privacy_reerase(args) -> int:
    ids = list(args.ids)
    if args.ids_file:
        ids += [line.strip() for line in Path(args.ids_file).read_text(encoding="utf-8").splitlines() if line.strip()]
    runtime = bootstrap(load_settings(args.site), migrate_db=False)
    outcome = reapply_erasures(runtime, ids, args.by or f"cli:{os.environ.get('USER', 'operator')}")
    for statement_id, what in outcome.items():
        print(f"{statement_id}: {what}")
    print(f"{runtime.site_id}: {sum(1 for w in outcome.values() if w == 'erased again')} statements erased again")
    return 0


def cmd_privacy_erase(args) -> int:
    runtime = bootstrap(load_settings(args.site), migrate_db=False)
    erased = erase_person(runtime, args.email, args.by or f"cli:{os.environ.get('USER', 'operator')}", args.ground)
    print(f"{runtime.site_id}: erased " + ", ".join(f"{count} {what}" for what, count in erased.items()))
    return 0


def add_operations_commands(sub) -> None:
    backup = sub.add_parser("backup", help="a consistent logical dump of the site's database")
    backup.add_argument("--site", help="site id; default SOPRO_SITE")
    backup.add_argument("--out", required=True, help="file to write (JSON; gzip if it ends in .gz)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into the site's empty database")
    restore.add_argument("file")
    restore.add_argument("--site", help="site id; default SOPRO_SITE")
    restore.add_argument("--resume-after", action="append", metavar="STREAM=SEQ",
                         help="the hub's last seq of a stream, when it is ahead of the backup (repeatable)")
    restore.set_defaults(func=cmd_restore)

    hub = sub.add_parser("hub", help="the agency's hub").add_subparsers(dest="action", required=True)
    rebuild = hub.add_parser("rebuild", help="rebuild the hub's store from every site's feed, from seq 0")
    rebuild.add_argument("--site", help="the hub's id; default SOPRO_SITE")
    rebuild.add_argument("--allow-non-empty", action="store_true",
                         help="also run on a database that already tracks events (only fills what is missing)")
    rebuild.set_defaults(func=cmd_hub_rebuild)

    privacy = sub.add_parser("privacy", help="personal data held by the site").add_subparsers(
        dest="action", required=True)
    export = privacy.add_parser("export", help="everything the site holds about a person, as JSON")
    export.add_argument("--site", help="site id; default SOPRO_SITE")
    export.add_argument("--email", help="the person's e-mail address (case-insensitive)")
    export.add_argument("--statement", help="the id or reference of one of the person's support statements")
    export.add_argument("--out", help="write to this file instead of standard output")
    export.set_defaults(func=cmd_privacy_export)
    erased = privacy.add_parser("erased", help="at the hub: a site's statements the hub knows as erased")
    erased.add_argument("--site", help="the hub's id; default SOPRO_SITE")
    erased.add_argument("--of", required=True, help="the member site, e.g. AT12")
    erased.set_defaults(func=cmd_privacy_erased)
    reerase = privacy.add_parser("reerase", help="after a restore: erase again statements erased since the backup")
    reerase.add_argument("ids", nargs="*", help="statement ids")
    reerase.add_argument("--ids-file", help="a file of statement ids, one a line (`sopro privacy erased` at the hub)")
    reerase.add_argument("--site", help="site id; default SOPRO_SITE")
    reerase.add_argument("--by", help="who, for the audit (default cli:<user>)")
    reerase.set_defaults(func=cmd_privacy_reerase)
    erase = privacy.add_parser("erase", help="erase everything the site holds about a person, in every state")
    erase.add_argument("--email", required=True, help="the person's e-mail address (case-insensitive)")
    erase.add_argument("--ground", default="request", choices=ERASURE_GROUNDS, help="why (kept in the audit)")
    erase.add_argument("--site", help="site id; default SOPRO_SITE")
    erase.add_argument("--by", help="who, for the audit (default cli:<user>)")
    erase.set_defaults(func=cmd_privacy_erase)
