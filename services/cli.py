"""The `sopro` command."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from services.bootstrap import (bootstrap, components, consumer_processors, create_app, services_of,
                                start_consumers)
from services.common import jsonschemas
from services.contracts.events import declared_types
from services.common.access import format_rules, route_rules
from services.common.users import add_user, set_password, update_user
from services.common.notifications import set_contact
from services.common.clock import utcnow
from services.common.config import DEFAULT_FEDERATION_FILE, REPO_ROOT, load_federation, load_settings
from services.common.db import make_engine
from services.common.keys import generate_site_key, write_public_keys
from services.common.logs import configure_logging
from services.common.migrate import upgrade
from services.demo.federation import run_demo
from services.deploy_init import add_deploy_commands
from services.enquiries.lifecycle.republish import republish_shared_texts
from services.operations import add_key_commands, add_operations_commands
from services import health_probe
from services.serving import (WORKER_ROLES, AppServer, canonical_role, heartbeat_dir, heartbeat_path,
                              run_with_heartbeats, stop_on_signal)
from services.sync.commands import Wiring, add_commands as add_sync_commands
from services.workers import Workers, hub_ingest, start_notification_sender, start_relay


def _settings(args):
    return load_settings(args.site)


def _open_runtime(site: str | None):
    return bootstrap(load_settings(site), migrate_db=False)


SYNC_WIRING = Wiring(open_runtime=_open_runtime, processors=consumer_processors, hub_ingest=hub_ingest)


def cmd_keys_generate(args) -> int:
    keys_dir = Path(args.keys_dir)
    federation_in = Path(args.federation or os.environ.get("SOPRO_FEDERATION_FILE") or DEFAULT_FEDERATION_FILE)
    sites = args.site or list(load_federation(federation_in).sites)
    public = {}
    for site in sites:
        path, public[site] = generate_site_key(site, keys_dir)
        print(f"{site}: private key {path}")
    out = Path(args.write_federation) if args.write_federation else None
    if out:
        write_public_keys(federation_in, out, public)
        print(f"public keys listed in {out}")
    else:
        for site, pem in public.items():
            print(f"--- public key of {site} (list it in deploy/federation.yaml) ---\n{pem}")
    return 0


def cmd_db_upgrade(args) -> int:
    settings = _settings(args)
    upgrade(make_engine(settings.db_url), components(settings))
    print(f"{settings.site_id}: database at head")
    return 0


def cmd_users_add(args) -> int:
    runtime = bootstrap(_settings(args))
    with runtime.engine.begin() as conn:
        add_user(conn, args.username, args.password, args.roles.split(","), args.organisation)
    print(f"{runtime.site_id}: user {args.username} added")
    return 0


def cmd_users_deactivate(args) -> int:
    """The user's tokens and web sessions end at once, not when they expire."""
    runtime = bootstrap(_settings(args))
    with runtime.engine.begin() as conn:
        found = update_user(conn, args.username, active=False)
    print(f"{runtime.site_id}: user {args.username} " + ("deactivated" if found else "does not exist"))
    return 0 if found else 1


def cmd_users_password(args) -> int:
    """A new password; tokens and web sessions issued with the old one end at once."""
    runtime = bootstrap(_settings(args))
    with runtime.engine.begin() as conn:
        found = set_password(conn, args.username, args.password)
    print(f"{runtime.site_id}: user {args.username} " + ("has a new password" if found else "does not exist"))
    return 0 if found else 1


def cmd_users_contact(args) -> int:
    """The address (and language) where the user's notifications go; it stays in the site's database."""
    runtime = bootstrap(_settings(args))
    with runtime.engine.begin() as conn:
        if not update_user(conn, args.username):
            print(f"{runtime.site_id}: user {args.username} does not exist")
            return 1
        try:
            set_contact(conn, args.username, args.email, args.language)
        except ValueError as exc:
            print(f"{runtime.site_id}: {exc}")
            return 2
    print(f"{runtime.site_id}: user {args.username} gets mail")  # not the address: logs keep no personal data
    return 0


def cmd_schemas(args) -> int:
    docs = jsonschemas.generate(declared_types())
    schemas_dir = REPO_ROOT / "schemas"
    if args.action == "generate":
        for path in jsonschemas.write(schemas_dir, docs):
            print(path.relative_to(REPO_ROOT))
        return 0
    stale = [rel for rel, doc in docs.items()
             if not (schemas_dir / rel).is_file() or (schemas_dir / rel).read_text() != jsonschemas.render(doc)]
    for rel in stale:
        print(f"out of date: schemas/{rel}")
    return 1 if stale else 0


def cmd_serve(args) -> int:
    """Run the roles asked for until SIGINT/SIGTERM. A process running workers (relay, ingest) writes a
    heartbeat per role every few seconds while its worker threads live (`sopro health` checks it); if one
    dies, the process stops with 1, so that the container is restarted."""
    settings = _settings(args)
    runtime = bootstrap(settings, migrate_db=not args.no_migrate)
    workers = Workers()
    roles = {canonical_role(role) for role in args.role}
    if "all" in roles:
        roles = {"api", *WORKER_ROLES}
    if "ingest" in roles:
        start_consumers(runtime, workers)
    if "relay" in roles:
        start_relay(runtime, workers)
        start_notification_sender(runtime, workers)
    server = None
    if "api" in roles:
        server = AppServer(create_app(runtime), args.host, args.port or settings.site.port).start()
        logging.getLogger("sopro").info("%s serving on http://%s:%d", settings.site_id, args.host, server.port)
    stop = stop_on_signal()
    beats = [heartbeat_path(heartbeat_dir(settings), settings.site_id, role) for role in WORKER_ROLES if role in roles]
    watched = workers.threads + ([server.thread] if server else [])
    healthy = run_with_heartbeats(watched, beats, stop)
    if server:
        server.stop()
    workers.shutdown()
    for path in beats:
        path.unlink(missing_ok=True)
    return 0 if healthy else 1


def cmd_web(args) -> int:
    """The web process under gunicorn, as in production: deploy/gunicorn.conf.py and the app
    services.wsgi:create_app_from_env() (the API and pages only; the workers run in `sopro serve`)."""
    binds = [part for address in args.bind or () for part in ("--bind", address)]
    argv = [sys.executable, "-m", "gunicorn", "--config", str(REPO_ROOT / "deploy" / "gunicorn.conf.py"), *binds,
            "services.wsgi:create_app_from_env()"]
    os.execv(argv[0], argv)
    return 1  # not reached


def cmd_tick(args) -> int:
    """Scheduled housekeeping (run it from cron or a timer): every job of the site's services
    (services/jobs.py), e.g. expire overdue enquiries and labels."""
    runtime = bootstrap(_settings(args), migrate_db=False)
    now = utcnow()
    for service in services_of(runtime.settings):
        for job in service.jobs:
            for line in job(runtime, now):
                print(f"{runtime.site_id}: {line}")
    return 0


def cmd_enquiries_republish(args) -> int:
    """Once after upgrading: every submitted enquiry publishes its public version (or the placeholder), so
    titles typed by clients that left the site before public versions existed are overwritten."""
    runtime = bootstrap(_settings(args), migrate_db=False)
    print(f"{runtime.site_id}: {republish_shared_texts(runtime.uow)} enquiries published their public version again")
    return 0


def cmd_routes(args) -> int:
    """Every route of the site's (or the hub's) app with its access rule: public, or the roles it needs."""
    settings = _settings(args)
    with tempfile.TemporaryDirectory() as tmp:
        if not settings.key_file.is_file():  # listing the routes needs no real key
            path, _ = generate_site_key(settings.site_id, Path(tmp))
            settings = settings.with_(key_file=path)
        rules = route_rules(create_app(bootstrap(settings, migrate_db=False)))
    print(format_rules(rules))
    undeclared = [r for r in rules if not r.declared]
    print(f"{settings.site_id}: {len(rules)} routes, {sum(r.public for r in rules)} public, "
          f"{len(undeclared)} without a rule (refused)")
    return 1 if undeclared else 0


def cmd_demo(args) -> int:
    return run_demo(Path(args.var_dir), fresh=not args.keep, host=args.host, duration=args.seconds,
                    free_ports=args.free_ports)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sopro", description="SoPro Federation")
    sub = parser.add_subparsers(dest="command", required=True)

    keys = sub.add_parser("keys", help="site signing keys").add_subparsers(dest="action", required=True)
    gen = keys.add_parser("generate", help="make a site's Ed25519 key pair")
    gen.add_argument("--site", action="append", help="site id (repeatable; default: every site)")
    gen.add_argument("--keys-dir", default=str(REPO_ROOT / "var" / "keys"))
    gen.add_argument("--federation", help="federation file to read (default: deploy/federation.yaml)")
    gen.add_argument("--write-federation", help="write a copy of the federation file listing the public keys")
    gen.set_defaults(func=cmd_keys_generate)
    add_key_commands(keys)  # rotate, retire, resign (services/operations.py)

    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    up = db.add_parser("upgrade", help="apply the Alembic migrations of the site's services")
    up.add_argument("--site")
    up.set_defaults(func=cmd_db_upgrade)

    users = sub.add_parser("users", help="site users").add_subparsers(dest="action", required=True)
    add = users.add_parser("add")
    add.add_argument("--site")
    add.add_argument("username")
    add.add_argument("--password", required=True)
    add.add_argument("--roles", required=True, help="comma-separated, e.g. broker,site_admin")
    add.add_argument("--organisation")
    add.set_defaults(func=cmd_users_add)
    deactivate = users.add_parser("deactivate", help="ends the user's tokens and web sessions at once")
    deactivate.add_argument("--site")
    deactivate.add_argument("username")
    deactivate.set_defaults(func=cmd_users_deactivate)
    password = users.add_parser("password", help="a new password; ends the user's tokens and web sessions")
    password.add_argument("--site")
    password.add_argument("username")
    password.add_argument("--password", required=True)
    password.set_defaults(func=cmd_users_password)
    contact = users.add_parser("contact", help="the address (and language) the user's notifications go to")
    contact.add_argument("--site")
    contact.add_argument("username")
    contact.add_argument("--email", required=True)
    contact.add_argument("--language", choices=("de", "hu", "en"), help="default: the site's first language")
    contact.set_defaults(func=cmd_users_contact)

    schemas = sub.add_parser("schemas", help="JSON Schemas of the events")
    schemas.add_argument("action", choices=["generate", "check"])
    schemas.set_defaults(func=cmd_schemas)

    serve = sub.add_parser("serve", help="run one site (or the hub) as its own process")
    serve.add_argument("--site", help="site id; default SOPRO_SITE")
    serve.add_argument("--role", action="append", choices=["api", "relay", "ingest", "consumers", "all"], default=None,
                       help="repeatable; consumers is another name for ingest (a site's consumers, the hub's ingest)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-migrate", action="store_true")
    serve.add_argument("--log-format", choices=["text", "json"],
                       help="json: one object per line with the correlation id (default SOPRO_LOG_FORMAT, else text)")
    serve.set_defaults(func=cmd_serve)

    web = sub.add_parser("web", help="the web process under gunicorn (deploy/gunicorn.conf.py), as in production")
    web.add_argument("--bind", action="append", help="instead of the configuration's 0.0.0.0:8000, e.g. 127.0.0.1:8012")
    web.set_defaults(func=cmd_web)

    health = sub.add_parser("health", help="exit 0 when the process of a role is healthy, 1 otherwise "
                            "(container health checks; see deploy/PRODUCTION.md)")
    health_probe.add_arguments(health)
    health.set_defaults(func=health_probe.run)

    tick = sub.add_parser("tick", help="scheduled housekeeping: expire enquiries past their deadline and labels past their validity")
    tick.add_argument("--site", help="site id; default SOPRO_SITE")
    tick.set_defaults(func=cmd_tick)

    enquiries = sub.add_parser("enquiries", help="a site's enquiries").add_subparsers(dest="action", required=True)
    republish = enquiries.add_parser("republish", help="once after upgrading: every submitted enquiry publishes "
                                     "its public version, overwriting titles typed by clients at the hub")
    republish.add_argument("--site", help="site id; default SOPRO_SITE")
    republish.set_defaults(func=cmd_enquiries_republish)

    routes = sub.add_parser("routes", help="every route of the app with its access rule (public or roles)")
    routes.add_argument("--site", help="site id; default SOPRO_SITE")
    routes.set_defaults(func=cmd_routes)

    demo = sub.add_parser("demo", help="the whole federation in one process, with demo data")
    demo.add_argument("--var-dir", default=str(REPO_ROOT / "var" / "demo"))
    demo.add_argument("--keep", action="store_true", help="reuse the demo databases of a previous run")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--seconds", type=float, help="stop after this long (default: until Ctrl-C)")
    demo.add_argument("--free-ports", action="store_true",
                      help="let the system pick free ports (the URLs are in federation.json), e.g. for tests")
    demo.set_defaults(func=cmd_demo)
    add_deploy_commands(sub)  # deploy init: the compose deployment's keys, passwords, env files (services/deploy_init.py)
    add_operations_commands(sub)  # backup, restore, hub rebuild, privacy export (services/operations.py)

    add_sync_commands(sub, SYNC_WIRING)  # deadletters list/show/redrive, streams list/pause/resume (services/sync/commands.py)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(getattr(args, "log_format", None) or os.environ.get("SOPRO_LOG_FORMAT") or "text",
                      os.environ.get("SOPRO_LOG_LEVEL", "INFO"))
    if getattr(args, "role", "unset") is None:
        args.role = ["all"]
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
