"""Settings: the environment plus the federation file (deploy/federation.yaml).

The federation file lists the sites; the environment says which one this process is and where its
database, bus and key are. Nothing is read at import time: call `load_settings()`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import yaml

from services.common.mail import MailSettings, load_mail_settings
from services.common.signing import kid_sort_key, site_of_kid

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FEDERATION_FILE = REPO_ROOT / "deploy" / "federation.yaml"
# Per client (token subject, else remote address), in Flask-Limiter's notation (services/common/ratelimit.py).
DEFAULT_RATE_LIMIT = "1200/minute;100/second"
DEFAULT_TOKEN_RATE_LIMIT = "30/minute"  # POST /api/v1/auth/token per remote address: password guessing
# Anonymous writes per remote address (statements, public enquiries, complaints): a person who corrects a
# form a few times, a few people behind one address in an hour; not a script filing hundreds.
DEFAULT_PUBLIC_WRITE_RATE_LIMIT = "20/hour;5/minute"


@dataclass(frozen=True)
class Authority:
    """A public body a visitor may turn to: the data protection authority, the accessibility complaints office."""
    name: str
    url: str


@dataclass(frozen=True)
class Operator:
    """Who runs a site, as its imprint, privacy notice, accessibility statement and contact page say
    (the federation file's `operator:` of the site; the demo's values are fictitious)."""
    name: str
    address: tuple[str, ...]
    email: str
    phone: str
    responsible: str  # the person responsible for the content
    register: str | None = None  # e.g. the association's or company register number
    privacy_email: str | None = None  # where data protection requests go, if not `email`
    data_protection_authority: Authority | None = None
    accessibility_authority: Authority | None = None


def _authority(entry: dict | None) -> Authority | None:
    return Authority(name=str(entry["name"]), url=str(entry["url"])) if entry else None


def _operator(site_id: str, entry: dict | None) -> Operator | None:
    if not entry:
        return None
    missing = [key for key in ("name", "address", "email", "phone", "responsible") if not entry.get(key)]
    if missing:
        raise ValueError(f"site {site_id}: operator needs {', '.join(missing)}")
    return Operator(
        name=str(entry["name"]), address=tuple(str(line) for line in entry["address"]), email=str(entry["email"]),
        phone=str(entry["phone"]), responsible=str(entry["responsible"]), register=entry.get("register"),
        privacy_email=entry.get("privacy_email"),
        data_protection_authority=_authority(entry.get("data_protection_authority")),
        accessibility_authority=_authority(entry.get("accessibility_authority")))


@dataclass(frozen=True)
class SiteConfig:
    id: str
    name: str
    country: str | None
    currency: str
    languages: tuple[str, ...]
    lat: float
    lon: float
    port: int
    url: str
    public_key: str | None = None
    is_hub: bool = False
    # Every listed public key by kid, oldest first: `public_key` is kid <site>, `public_keys` adds
    # rotated ones (kid <site>:<label>). Old and new are both valid while both are listed.
    public_keys: tuple[tuple[str, str], ...] = ()
    operator: Operator | None = None  # None: the legal pages say the details are not published yet


@dataclass(frozen=True)
class Federation:
    sites: dict[str, SiteConfig]
    rates_to_eur: dict[str, Decimal]
    # The hub's cost model for consortia (services/hub/crossborder.CostModel): transport_eur_per_unit_km,
    # partner_fixed_eur, time_limit_seconds. Absent keys take the model's defaults.
    consortium: dict = field(default_factory=dict)
    # The network's label policy (services/contracts/label_policy.LabelPolicy): renewal_grace_days, spot_check_share,
    # document_max_bytes. Absent keys take the policy's defaults.
    label: dict = field(default_factory=dict)
    # The network's impact policy (services/contracts/impact_policy.ImpactPolicy): suppression_min_deals and the
    # social-value proxies per country. Absent keys take the policy's defaults.
    impact: dict = field(default_factory=dict)

    @property
    def member_sites(self) -> list[SiteConfig]:
        return [s for s in self.sites.values() if not s.is_hub]

    @property
    def hub(self) -> SiteConfig:
        return next(s for s in self.sites.values() if s.is_hub)

    def site(self, site_id: str) -> SiteConfig:
        try:
            return self.sites[site_id]
        except KeyError:
            raise KeyError(f"unknown site {site_id!r}; known: {sorted(self.sites)}") from None

    def public_keys(self) -> dict[str, str]:
        """Each site's newest listed public key."""
        return {s.id: s.public_keys[-1][1] for s in self.sites.values() if s.public_keys}

    def key_ring(self) -> dict[str, dict[str, str]]:
        """Every listed public key: {site: {kid: pem}}; verifiers accept any of them."""
        return {s.id: dict(s.public_keys) for s in self.sites.values() if s.public_keys}


def _listed_keys(site_id: str, entry: dict) -> tuple[tuple[str, str], ...]:
    keys = {site_id: entry["public_key"]} if entry.get("public_key") else {}
    for kid, pem in (entry.get("public_keys") or {}).items():
        if site_of_kid(str(kid)) != site_id or str(kid) == site_id and site_id in keys:
            raise ValueError(f"site {site_id}: key id {kid!r} must be {site_id!r} or {site_id + ':<label>'!r}")
        if pem:
            keys[str(kid)] = pem
    return tuple(sorted(keys.items(), key=lambda item: kid_sort_key(item[0])))


def load_federation(path: str | os.PathLike | None = None, env: dict | None = None) -> Federation:
    env = os.environ if env is None else env
    path = Path(path or env.get("SOPRO_FEDERATION_FILE") or DEFAULT_FEDERATION_FILE)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    sites = {}
    for site_id, entry in doc["sites"].items():
        port = int(entry["port"])
        sites[site_id] = SiteConfig(
            id=site_id,
            name=entry["name"],
            country=entry.get("country"),
            currency=entry["currency"],
            languages=tuple(entry["languages"]),
            lat=float(entry["coordinates"]["lat"]),
            lon=float(entry["coordinates"]["lon"]),
            port=port,
            # An operator points the hub at a site's feed with SOPRO_URL_<SITE>.
            url=env.get(f"SOPRO_URL_{site_id}") or entry.get("url") or f"http://127.0.0.1:{port}",
            public_key=entry.get("public_key") or None,
            is_hub=bool(entry.get("hub", False)),
            public_keys=_listed_keys(site_id, entry),
            operator=_operator(site_id, entry.get("operator")),
        )
    rates = {cur: Decimal(str(rate)) for cur, rate in doc.get("rates_to_eur", {"EUR": 1}).items()}
    return Federation(sites=sites, rates_to_eur=rates, consortium=dict(doc.get("consortium") or {}),
                      label=dict(doc.get("label") or {}), impact=dict(doc.get("impact") or {}))


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about where it runs."""

    site_id: str
    federation: Federation
    db_url: str
    bus_url: str
    key_file: Path
    var_dir: Path
    schemas_dir: Path = REPO_ROOT / "schemas"
    token_ttl_seconds: int = 3600
    relay_batch_size: int = 500
    relay_idle_seconds: float = 0.05
    reconcile_interval_seconds: float = 30.0
    # AMQP heartbeat: a half-open link to the broker is noticed after about two intervals.
    bus_heartbeat_seconds: float = 30.0
    rate_limit: str = DEFAULT_RATE_LIMIT
    token_rate_limit: str = DEFAULT_TOKEN_RATE_LIMIT
    public_write_rate_limit: str = DEFAULT_PUBLIC_WRITE_RATE_LIMIT
    # Session cookies marked Secure (sent over https only). None: when the site's URL is https://.
    # SOPRO_SECURE_COOKIES=1 says so outright, e.g. behind a TLS proxy that reaches the app over http.
    secure_cookies: bool | None = None
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port
    # (SOPRO_TRUSTED_PROXIES). 0: none are trusted, so no client can claim another address or https.
    trusted_proxies: int = 0
    # The SMTP server notifications go through (services/common/mail.py); None: mail waits in the outbox.
    mail: MailSettings | None = None
    extra: dict = field(default_factory=dict)

    @property
    def site(self) -> SiteConfig:
        return self.federation.site(self.site_id)

    @property
    def is_hub(self) -> bool:
        return self.site.is_hub

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def load_settings(site_id: str | None = None, env: dict | None = None, **overrides) -> Settings:
    env = os.environ if env is None else env
    federation = overrides.pop("federation", None) or load_federation(env=env)
    site_id = site_id or env.get("SOPRO_SITE") or federation.hub.id
    federation.site(site_id)  # fail early on an unknown site
    var_dir = Path(env.get("SOPRO_VAR_DIR") or REPO_ROOT / "var")
    settings = Settings(
        site_id=site_id,
        federation=federation,
        db_url=env.get("SOPRO_DB_URL") or f"sqlite:///{var_dir / (site_id + '.sqlite')}",
        bus_url=env.get("SOPRO_BUS_URL") or "memory://",
        key_file=Path(env.get("SOPRO_KEY_FILE") or var_dir / "keys" / f"{site_id}.pem"),
        var_dir=var_dir,
        reconcile_interval_seconds=float(env.get("SOPRO_RECONCILE_SECONDS") or 30.0),
        bus_heartbeat_seconds=float(env.get("SOPRO_BUS_HEARTBEAT") or 30.0),
        rate_limit=env.get("SOPRO_RATE_LIMIT") or DEFAULT_RATE_LIMIT,
        token_rate_limit=env.get("SOPRO_TOKEN_RATE_LIMIT") or DEFAULT_TOKEN_RATE_LIMIT,
        public_write_rate_limit=env.get("SOPRO_PUBLIC_WRITE_RATE_LIMIT") or DEFAULT_PUBLIC_WRITE_RATE_LIMIT,
        secure_cookies=_flag("SOPRO_SECURE_COOKIES", env.get("SOPRO_SECURE_COOKIES")),
        trusted_proxies=_hops(env.get("SOPRO_TRUSTED_PROXIES")),
        mail=load_mail_settings(env, site_id),
    )
    return settings.with_(**overrides) if overrides else settings


def _flag(name: str, value: str | None) -> bool | None:
    """An on/off setting; None when unset (the default applies)."""
    if not value:
        return None
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}")


def _hops(value: str | None) -> int:
    hops = int(value or 0)
    if hops < 0:
        raise ValueError(f"SOPRO_TRUSTED_PROXIES must be 0 or more, not {value!r}")
    return hops
