"""`sopro deploy init`: the secrets of the docker-compose deployment, made once, never committed.

It writes into one directory (default `deploy/secrets/`, which .gitignore keeps out of the repository):

    keys/<SITE>.pem            each site's and the hub's Ed25519 private key (0600); compose gives each
                               container its own file only, as the secret `<site>_key`
    federation.yaml            deploy/federation.yaml with every public key listed (public; mounted read-only)
    env/<site>.env             each site's and the hub's environment: database and broker URLs with its
                               own generated passwords (0600; compose `env_file`, read on the host)
    env/postgres.env           the database superuser's password and each site role's password (0600),
                               read by deploy/postgres/init-databases.sh on the first start
    smtp/<site>.password       the site's SMTP password, empty until you fill it in (0600; secret)
    rabbitmq/definitions.json  deploy/rabbitmq/definitions.json with each user's generated password as a
                               salted SHA-256 hash (`password_hash`), never in clear text
    passwords.json             every generated password (0600): the one record the files above come from

Idempotent: what exists is kept (keys, passwords, env files, SMTP files) unless `--force`; a site new in
the federation file gets its key, passwords and files; the broker definitions and the federation file are
derived files and are brought up to date on every run (the federation file keeps the keys listed in it,
so a rotation recorded there survives).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization

from services.common.config import REPO_ROOT
from services.common.keys import generate_site_key
from services.common.signing import load_private_key

DEFAULT_DIR = REPO_ROOT / "deploy" / "secrets"
DEFAULT_DEFINITIONS = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.json"
CONTAINER_USER = "10001:10001"  # the image's user `sopro` (deploy/Dockerfile): it must read its key
HUB_BUS_USER = "hub"
VHOST = "sopro"
FEDERATION_IN_CONTAINER = "/etc/sopro/federation.yaml"
SECRETS_IN_CONTAINER = "/run/secrets"


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    is_hub: bool

    @property
    def service(self) -> str:
        """The compose service of its web process (its worker is `<service>-worker`)."""
        return "hub" if self.is_hub else self.id.lower()

    @property
    def env_name(self) -> str:
        return self.id.lower()  # env/eu.env for the hub, env/at12.env for AT12

    @property
    def db(self) -> str:
        return f"sopro_{self.id.lower()}"

    @property
    def bus_user(self) -> str:
        return HUB_BUS_USER if self.is_hub else self.id.lower()


def sites_of(federation: dict) -> list[Site]:
    return [Site(site_id, str(entry.get("name", site_id)), bool(entry.get("hub", False)))
            for site_id, entry in federation["sites"].items()]


def new_password() -> str:
    return secrets.token_urlsafe(24)  # 192 bits; URL-safe characters only, so it goes into a URL as it is


def rabbit_password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = secrets.token_bytes(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode()


def check_rabbit_password(password: str, password_hash: str) -> bool:
    raw = base64.b64decode(password_hash)
    return rabbit_password_hash(password, raw[:4]) == password_hash


# --- the files ---------------------------------------------------------------------------------------

def site_env(site: Site, sites: list[Site], db_password: str, bus_password: str, domain: str = "localhost") -> str:
    lines = [
        f"# {site.id} {site.name}: environment of the compose services {site.service} and {site.service}-worker.",
        "# Made by `sopro deploy init`. It holds this site's passwords: never commit it, never copy it to",
        "# another site's host.",
        f"SOPRO_SITE={site.id}",
        f"SOPRO_DB_URL=postgresql+psycopg://{site.db}:{db_password}@postgres:5432/{site.db}",
        f"SOPRO_BUS_URL=amqp://{site.bus_user}:{bus_password}@rabbitmq:5672/{VHOST}",
        f"SOPRO_FEDERATION_FILE={FEDERATION_IN_CONTAINER}",
        f"SOPRO_KEY_FILE={SECRETS_IN_CONTAINER}/{site.id}.pem",
        "SOPRO_VAR_DIR=/var/lib/sopro",
        "SOPRO_LOG_FORMAT=json",
        "# The site's public address, as deploy/Caddyfile names it (links in mails; https: Secure cookies).",
        f"SOPRO_URL_{site.id}=https://{site.service}.{domain}",
        "# Mail (deploy/README.md, \"Settings of a site container\"). Without SOPRO_SMTP_HOST no mail is sent and",
        "# notifications wait in the outbox. The password goes into the file smtp/" + site.env_name + ".password",
        "# next to this one (the container reads it as a secret).",
        "#SOPRO_SMTP_HOST=smtp.example.org",
        "#SOPRO_SMTP_SECURITY=starttls",
        "#SOPRO_SMTP_USER=",
        f"#SOPRO_MAIL_FROM=noreply@{site.id.lower()}.example.org",
        f"SOPRO_SMTP_PASSWORD_FILE={SECRETS_IN_CONTAINER}/smtp_password",
    ]
    hub = next((s for s in sites if s.is_hub), None)
    if not site.is_hub and hub is not None:
        # Without it the site would ask the federation file's default address, 127.0.0.1: itself.
        lines.append("# Where this site asks the hub's register (a label another site issued) on the compose network.")
        lines.append(f"SOPRO_URL_{hub.id}=http://{hub.service}:8000")
    if site.is_hub:
        lines.append("# Where the hub reaches each site's feed (GET /federation/feed/<stream>) on the compose network.")
        lines += [f"SOPRO_URL_{s.id}=http://{s.service}:8000" for s in sites if not s.is_hub]
    return "\n".join(lines) + "\n"


def postgres_env(sites: list[Site], superuser_password: str, db_passwords: dict[str, str]) -> str:
    lines = [
        "# The PostgreSQL container's environment, made by `sopro deploy init`: never commit it.",
        "# The superuser is for the operator only; each site has its own role and database, created on the",
        "# first start (empty data volume) by deploy/postgres/init-databases.sh from the lines below.",
        "POSTGRES_USER=postgres",
        f"POSTGRES_PASSWORD={superuser_password}",
        "POSTGRES_DB=postgres",
        "SOPRO_DATABASES=" + " ".join(s.id.lower() for s in sites),
    ]
    lines += [f"SOPRO_DB_PASSWORD_{s.id.upper()}={db_passwords[s.id]}" for s in sites]
    return "\n".join(lines) + "\n"


def broker_definitions(template: dict, bus_passwords: dict[str, str]) -> dict:
    """The committed definitions with each user's password replaced by its salted hash."""
    doc = json.loads(json.dumps(template))
    for user in doc.get("users", []):
        user.pop("password", None)
        user["password_hash"] = rabbit_password_hash(bus_passwords[user["name"]])
        user["hashing_algorithm"] = "rabbit_password_hashing_sha256"
    return doc


# --- writing ------------------------------------------------------------------------------------------

@dataclass
class Report:
    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _write(path: Path, text: str, mode: int) -> None:
    """Written with its mode from creation on (no window in which others may read a secret). A public file
    is rewritten in place: a running container that mounts it (one file's bind mount follows the inode)
    then sees the new content, e.g. the broker's definitions for `rabbitmqctl import_definitions`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode & 0o044 and path.is_file():
        path.write_text(text, encoding="utf-8")
        os.chmod(path, mode)
        return
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)  # whatever the umask took away


def _public_pem(private_key_file: Path) -> str:
    key = load_private_key(private_key_file)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _listed(entry: dict) -> bool:
    return bool(entry.get("public_key")) or any((entry.get("public_keys") or {}).values())


def _passwords(path: Path, sites: list[Site], bus_users: list[str], force: bool) -> tuple[dict, bool]:
    old = {} if force or not path.is_file() else json.loads(path.read_text(encoding="utf-8"))
    db, bus = dict(old.get("db", {})), dict(old.get("bus", {}))
    new = {"postgres": old.get("postgres") or new_password(),
           "db": {s.id: db.get(s.id) or new_password() for s in sites} | db,
           "bus": {u: bus.get(u) or new_password() for u in bus_users} | bus}
    return new, new != old


def _chown(paths: list[Path], owner: str | None, report: Report) -> None:
    if not owner or not paths:
        return
    uid, _, gid = owner.partition(":")
    try:
        for path in paths:
            os.chown(path, int(uid), int(gid or uid))
    except PermissionError:
        listed = " ".join(str(p) for p in paths)
        report.warnings.append(
            f"the container's user ({owner}) must be able to read the keys and SMTP password files; "
            f"run as root: chown {owner} {listed}   (rootless podman: podman unshare chown {owner} {listed})")


def init(out_dir: Path, federation_file: Path, definitions_file: Path = DEFAULT_DEFINITIONS,
         force: bool = False, owner: str | None = CONTAINER_USER, domain: str = "localhost") -> Report:
    out_dir = Path(out_dir)
    report = Report()
    federation = yaml.safe_load(Path(federation_file).read_text(encoding="utf-8"))
    sites = sites_of(federation)
    template = json.loads(Path(definitions_file).read_text(encoding="utf-8"))
    bus_users = [u["name"] for u in template.get("users", [])]
    missing = sorted({s.bus_user for s in sites} - set(bus_users))
    if missing:
        raise ValueError(f"{definitions_file} has no broker user for {', '.join(missing)}; "
                         "add it (deploy/README.md, \"Joining a new region\")")
    out_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(out_dir, 0o700)

    # Passwords: the record everything else is made from.
    store = out_dir / "passwords.json"
    existed = store.is_file() and not force
    passwords, changed = _passwords(store, sites, bus_users, force)
    if changed:
        _write(store, json.dumps(passwords, indent=2, sort_keys=True) + "\n", 0o600)
        (report.updated if existed else report.made).append(str(store))
    else:
        report.kept.append(str(store))

    # Keys: one per site, never replaced without --force.
    readable_by_container = []
    public = {}
    for site in sites:
        path = out_dir / "keys" / f"{site.id}.pem"
        if path.is_file() and not force:
            report.kept.append(str(path))
        else:
            path, _ = generate_site_key(site.id, out_dir / "keys")
            report.made.append(str(path))
        public[site.id] = _public_pem(path)
        readable_by_container.append(path)

    # The federation file: the input's entries, with the keys listed in our copy kept (rotations) and
    # every other site's key filled in.
    fed_out = out_dir / "federation.yaml"
    previous = yaml.safe_load(fed_out.read_text(encoding="utf-8")) if fed_out.is_file() and not force else {}
    doc = json.loads(json.dumps(federation))
    for site in sites:
        entry = doc["sites"][site.id]
        before = (previous.get("sites") or {}).get(site.id) or {}
        if _listed(before):
            entry["public_key"], entry["public_keys"] = before.get("public_key"), before.get("public_keys")
            if not entry["public_keys"]:
                entry.pop("public_keys")
        else:
            entry["public_key"] = public[site.id]
            entry.pop("public_keys", None)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    if fed_out.is_file() and fed_out.read_text(encoding="utf-8") == text:
        report.kept.append(str(fed_out))
    else:
        (report.updated if fed_out.is_file() else report.made).append(str(fed_out))
        _write(fed_out, text, 0o644)

    # Env files and SMTP password files: made once (an operator edits them: SMTP settings).
    for site in sites:
        env = out_dir / "env" / f"{site.env_name}.env"
        _once(env, site_env(site, sites, passwords["db"][site.id], passwords["bus"][site.bus_user], domain),
              force, report)
        smtp = out_dir / "smtp" / f"{site.env_name}.password"
        _once(smtp, "", force, report)
        readable_by_container.append(smtp)
    _once(out_dir / "env" / "postgres.env", postgres_env(sites, passwords["postgres"], passwords["db"]), force, report)

    # The broker's definitions: derived, brought up to date unless the passwords and template are unchanged.
    rabbit = out_dir / "rabbitmq" / "definitions.json"
    current = json.loads(rabbit.read_text(encoding="utf-8")) if rabbit.is_file() else None
    if current is None or force or not _same_definitions(current, template, passwords["bus"]):
        # Read by the broker's own user in its container: hashes of random passwords, so 0644 is safe.
        _write(rabbit, json.dumps(broker_definitions(template, passwords["bus"]), indent=2) + "\n", 0o644)
        (report.updated if current is not None else report.made).append(str(rabbit))
    else:
        report.kept.append(str(rabbit))

    _chown(readable_by_container, owner, report)
    return report


def _once(path: Path, text: str, force: bool, report: Report) -> None:
    if path.is_file() and not force:
        report.kept.append(str(path))
        return
    _write(path, text, 0o600)
    report.made.append(str(path))


def _same_definitions(current: dict, template: dict, bus_passwords: dict[str, str]) -> bool:
    """The file matches the template and every user's hash matches its password (hashes are salted)."""
    strip = json.loads(json.dumps(current))
    users = {u["name"]: u for u in strip.get("users", [])}
    for user in template.get("users", []):
        got = users.get(user["name"])
        if not got or not check_rabbit_password(bus_passwords[user["name"]], got.get("password_hash", "")):
            return False
    for user in strip.get("users", []):
        user.pop("password_hash", None), user.pop("hashing_algorithm", None)
    bare = json.loads(json.dumps(template))
    for user in bare.get("users", []):
        user.pop("password", None)
    return strip == bare


NEXT_STEPS = """\
Next:
  1. Build and start (SOPRO_DOMAIN as given to --domain; SOPRO_TLS=<e-mail> for public certificates):
       docker-compose build            (podman-compose build)
       SOPRO_DOMAIN=<domain> docker-compose up -d
       docker-compose ps               every service "healthy" (the one-shot ones "exited (0)")
  2. The first user of a site:
       docker-compose exec at12-worker sopro users add admin --password '<choose one>' --roles site_admin,broker
  3. Mail: fill in SOPRO_SMTP_* in {dir}/env/<site>.env and the password in {dir}/smtp/<site>.password.
  4. Back up {dir} (keys and passwords) somewhere safe and offline; it is the only copy.
Everything is in deploy/README.md."""


def run(args) -> int:
    federation = Path(args.federation or os.environ.get("SOPRO_FEDERATION_INPUT")
                      or REPO_ROOT / "deploy" / "federation.yaml")
    out_dir = Path(args.dir)
    report = init(out_dir, federation, Path(args.definitions), force=args.force,
                  owner=None if args.owner in ("", "none") else args.owner, domain=args.domain)
    for label, paths in (("made", report.made), ("updated", report.updated), ("kept", report.kept)):
        for path in paths:
            print(f"{label:8} {path}")
    for warning in report.warnings:
        print(f"NOTE: {warning}")
    if report.kept and not args.force:
        print("Existing keys, passwords and env files were kept (--force makes everything anew).")
    print(NEXT_STEPS.format(dir=out_dir))
    return 0


def add_deploy_commands(sub) -> None:
    deploy = sub.add_parser("deploy", help="the docker-compose deployment").add_subparsers(dest="action", required=True)
    init_cmd = deploy.add_parser("init", help="make the deployment's keys, passwords and env files (not committed)")
    init_cmd.add_argument("--dir", default=str(DEFAULT_DIR), help="where to write (default: deploy/secrets)")
    init_cmd.add_argument("--federation", help="the federation file to read (default: deploy/federation.yaml)")
    init_cmd.add_argument("--definitions", default=str(DEFAULT_DEFINITIONS),
                          help="the broker definitions to fill in (default: deploy/rabbitmq/definitions.json)")
    init_cmd.add_argument("--force", action="store_true", help="replace existing keys, passwords and files")
    init_cmd.add_argument("--domain", default="localhost",
                          help="the sites' public addresses are https://<service>.<domain> (default localhost; "
                               "the proxy's SOPRO_DOMAIN must be the same)")
    init_cmd.add_argument("--owner", default=CONTAINER_USER,
                          help="uid:gid given the key and SMTP files, so that the container's user reads them "
                               "(default 10001:10001, the image's `sopro`; needs root; 'none' to skip)")
    init_cmd.set_defaults(func=run)
