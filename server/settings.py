"""Settings read once from the environment and validated at start-up."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _secret_key(env: dict, production: bool) -> str:
    """SECRET_KEY (required in production, at least 32 characters); without it elsewhere, one generated once and kept
    in DATA_DIR, so every process of a development clinic and every restart shares it."""
    key = env.get("SECRET_KEY", "")
    if production and len(key) < 32:
        raise SettingsError("SECRET_KEY (at least 32 characters) is required when CLINIC_ENV=production")
    if key:
        return key
    path = os.path.join(env.get("DATA_DIR", "var"), "secret_key")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if not os.path.exists(path):
        # Written aside, then linked into place: two processes starting at once keep one whole key.
        draft = f"{path}.{os.getpid()}"
        with open(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path) as kept:
        return kept.read().strip()


def int_setting(env: dict, name: str, default: int, minimum: int = 0) -> int:
    """A whole-number setting: `default` when unset, else at least `minimum` (a SettingsError names it)."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def float_setting(env: dict, name: str, default: float, minimum: float = 0.0) -> float:
    """A number setting (seconds with a fraction): `default` when unset, else at least `minimum`."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _public_base_url(raw: str, production: bool) -> str:
    """PUBLIC_BASE_URL checked: an absolute http(s) URL with no query or fragment (https in production)."""
    url = raw.strip().rstrip("/")
    if not url:
        if production:
            raise SettingsError("PUBLIC_BASE_URL must be set in production (the clinic's public https:// address)")
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"PUBLIC_BASE_URL must be an http(s) URL with no query or fragment, got {raw!r}")
    if production and parts.scheme != "https":
        raise SettingsError("PUBLIC_BASE_URL must start with https:// in production")
    return url


def _flag(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name, "")
    if raw not in ("", "0", "1"):
        raise SettingsError(f"{name} must be 0 or 1, got {raw!r}")
    return default if raw == "" else raw == "1"


def _list(env: dict, name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    demo: bool = False
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    turn_ttl: int = 3600
    stun_urls: tuple[str, ...] = ()
    session_ttl_hours: int = 12
    cookie_secure: bool = False
    # Strict-Transport-Security max-age in seconds; 0 sends none (set it once the site is served over HTTPS only).
    hsts_seconds: int = 0
    # How long a consultation member may be gone before the consultation counts as interrupted.
    rejoin_grace_seconds: int = 120
    # How long a waiting patient may have no page open before they are marked away.
    away_grace_seconds: int = 300
    # How long a called patient has to join before they are skipped (once) and then a no-show.
    call_timeout_seconds: int = 180
    # How often the housekeeping loop (ageing alerts, grace periods) runs.
    housekeeping_seconds: float = 5.0
    redis_max_connections: int = 32
    # "delta": one small broadcast per queue change; "naive": the benchmark's O(N) baseline.
    queue_updates: str = "delta"
    # When the clinic's day ends ("HH:MM", Beijing time): a waiting patient whose estimated wait runs
    # past it is told the doctors on duty may not see them today.
    day_ends_at: str = "24:00"
    data_dir: str = "var"
    # The clinic's public address: FHIR identifiers and ids are made from it, never from a request's Host.
    public_base_url: str = ""
    # Proxies (addresses or networks) whose X-Forwarded-For names the client; empty: the peer is the client.
    trusted_proxies: tuple[str, ...] = ()
    # Rate limits on sign-in, registration, invitations and chat (server/web/ratelimit.py); off only for benchmarks.
    rate_limits: bool = True
    # The owner's DSN: migrations (and the app role's grants) run with it; the app itself uses DATABASE_URL.
    owner_database_url: str | None = None
    # Doctors' sessions end after this long without a request (shared desktops in clinics); 0: never idle out.
    doctor_idle_minutes: int = 30
    # Admins must enrol a TOTP second factor before anything else (ADMIN_TOTP_REQUIRED; on in production).
    admin_totp_required: bool = False
    trusted_proxy_networks: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self):
        from server.web.addresses import parse_networks
        try:
            object.__setattr__(self, "trusted_proxy_networks", parse_networks(self.trusted_proxies))
        except ValueError as exc:
            raise SettingsError(f"TRUSTED_PROXIES: {exc}") from None
    # Keys the HMACs of ID numbers, sign-in codes and device tokens: the same in every process and across
    # restarts (SECRET_KEY, required in production; elsewhere generated once and kept in DATA_DIR).
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> Settings:
        """Read and validate the settings; `overrides` win over the environment."""
        env = dict(os.environ if env is None else env)
        development = env.get("DEMO") == "1" or overrides.get("demo", False)
        production = env.get("CLINIC_ENV", "development") == "production"
        # CLINIC_ENV=production (docker-compose.yml sets it) refuses what only development may use.
        if production:
            if development:
                raise SettingsError("DEMO=1 (demo accounts) is refused when CLINIC_ENV=production")
            if env.get("COOKIE_SECURE") != "1":
                raise SettingsError("COOKIE_SECURE=1 is required when CLINIC_ENV=production (HTTPS only)")
        public_base_url = _public_base_url(env.get("PUBLIC_BASE_URL", ""), production)
        secret_key = _secret_key(env, production)
        turn_urls = _list(env, "TURN_URLS")
        for url in turn_urls:
            if not url.startswith(("turn:", "turns:")):
                raise SettingsError(f"TURN_URLS entries must start with turn: or turns:, got {url!r}")
        if env.get("QUEUE_UPDATES", "delta") not in ("delta", "naive"):
            raise SettingsError("QUEUE_UPDATES must be delta or naive")
        day_ends_at = env.get("CLINIC_DAY_ENDS_AT", "24:00")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", day_ends_at):
            raise SettingsError(f"CLINIC_DAY_ENDS_AT must be HH:MM (00:00-24:00), got {day_ends_at!r}")
        if turn_urls and not env.get("TURN_SECRET"):
            raise SettingsError("TURN_SECRET must be set when TURN_URLS is")
        values = dict(
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            host=env.get("HOST", "127.0.0.1"),
            port=int_setting(env, "PORT", 8080, 1),
            demo=development,
            turn_urls=turn_urls,
            turn_secret=env.get("TURN_SECRET") or None,
            turn_ttl=int_setting(env, "TURN_TTL", 3600, 60),
            stun_urls=_list(env, "STUN_URLS"),
            cookie_secure=env.get("COOKIE_SECURE") == "1",
            hsts_seconds=int_setting(env, "HSTS_SECONDS", 0, 0),
            rejoin_grace_seconds=int_setting(env, "REJOIN_GRACE_SECONDS", 120, 1),
            away_grace_seconds=int_setting(env, "AWAY_GRACE_SECONDS", 300, 1),
            call_timeout_seconds=int_setting(env, "CALL_TIMEOUT_SECONDS", 180, 1),
            redis_max_connections=int_setting(env, "REDIS_MAX_CONNECTIONS", 32, 1),
            data_dir=env.get("DATA_DIR", "var"),
            queue_updates=env.get("QUEUE_UPDATES", "delta"),
            public_base_url=public_base_url,
            trusted_proxies=_list(env, "TRUSTED_PROXIES"),
            rate_limits=env.get("RATE_LIMITS", "1") != "0",
            owner_database_url=env.get("DATABASE_OWNER_URL") or None,
            doctor_idle_minutes=int_setting(env, "DOCTOR_IDLE_MINUTES", 30, 0),
            admin_totp_required=_flag(env, "ADMIN_TOTP_REQUIRED", default=production),
            day_ends_at=day_ends_at,
            secret_key=secret_key,
        )
        values.update(overrides)
        return cls(**values)

    def public_base(self) -> str:
        """PUBLIC_BASE_URL, or (outside production, where it is required) this server's own address."""
        return self.public_base_url or f"http://{self.host}:{self.port}"
