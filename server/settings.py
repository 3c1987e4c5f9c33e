"""Settings read once from the environment and validated at start-up."""
from __future__ import annotations

import os
from dataclasses import dataclass


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _int(env: dict, name: str, default: int, minimum: int = 0) -> int:
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
    data_dir: str = "var"
    # The HMAC key under which resident ID numbers and sign-in codes are stored (server/identity,
    # server/accounts/codes.py): the same in every process and kept across restarts, or a person's
    # identity no longer matches. Development only has this default; production must set IDENTITY_KEY.
    identity_key: str = "development-only-identity-key"

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> Settings:
        """Read and validate the settings; `overrides` win over the environment."""
        env = dict(os.environ if env is None else env)
        development = env.get("DEMO") == "1" or overrides.get("demo", False)
        # CLINIC_ENV=production (docker-compose.yml sets it) refuses what only development may use.
        if env.get("CLINIC_ENV", "development") == "production":
            if development:
                raise SettingsError("DEMO=1 (demo accounts) is refused when CLINIC_ENV=production")
            if env.get("COOKIE_SECURE") != "1":
                raise SettingsError("COOKIE_SECURE=1 is required when CLINIC_ENV=production (HTTPS only)")
            if len(env.get("IDENTITY_KEY", "")) < 32:
                raise SettingsError("IDENTITY_KEY (at least 32 characters) is required when CLINIC_ENV=production")
        turn_urls = _list(env, "TURN_URLS")
        for url in turn_urls:
            if not url.startswith(("turn:", "turns:")):
                raise SettingsError(f"TURN_URLS entries must start with turn: or turns:, got {url!r}")
        if env.get("QUEUE_UPDATES", "delta") not in ("delta", "naive"):
            raise SettingsError("QUEUE_UPDATES must be delta or naive")
        if turn_urls and not env.get("TURN_SECRET"):
            raise SettingsError("TURN_SECRET must be set when TURN_URLS is")
        values = dict(
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            host=env.get("HOST", "127.0.0.1"),
            port=_int(env, "PORT", 8080, 1),
            demo=development,
            turn_urls=turn_urls,
            turn_secret=env.get("TURN_SECRET") or None,
            turn_ttl=_int(env, "TURN_TTL", 3600, 60),
            stun_urls=_list(env, "STUN_URLS"),
            cookie_secure=env.get("COOKIE_SECURE") == "1",
            hsts_seconds=_int(env, "HSTS_SECONDS", 0, 0),
            rejoin_grace_seconds=_int(env, "REJOIN_GRACE_SECONDS", 120, 1),
            away_grace_seconds=_int(env, "AWAY_GRACE_SECONDS", 300, 1),
            call_timeout_seconds=_int(env, "CALL_TIMEOUT_SECONDS", 180, 1),
            redis_max_connections=_int(env, "REDIS_MAX_CONNECTIONS", 32, 1),
            data_dir=env.get("DATA_DIR", "var"),
            queue_updates=env.get("QUEUE_UPDATES", "delta"),
        )
        if env.get("IDENTITY_KEY"):
            values["identity_key"] = env["IDENTITY_KEY"]
        values.update(overrides)
        return cls(**values)
