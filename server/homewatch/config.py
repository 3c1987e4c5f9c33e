"""Home watch settings, read once from the environment (kept here so the shared Settings stay small)."""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from server.settings import SettingsError, float_setting, int_setting


@dataclass(frozen=True)
class HomewatchSettings:
    """Everything home watch reads from its environment."""

    # mqtt://user:password@host:port of an account that may manage the broker's clients and ACLs
    # (dynamic security) and read every device topic. Unset: HTTP ingestion only.
    mqtt_url: str | None = None
    # The address devices are told to use (production: mqtts://host:8883); defaults to mqtt_url's host.
    mqtt_device_url: str | None = None
    # A stable id per server process: its persistent session keeps the events in flight when it dies.
    mqtt_client_id: str = "clinic"
    mqtt_share_group: str = "clinic"
    ack_seconds: int = 60            # unacknowledged this long, the alert widens to the street
    escalate_seconds: int = 60       # between later steps (the duty desk, again and again)
    cancel_seconds: int = 30         # "I'm OK" window before a sensor alert is sent (never the button)
    sweep_seconds: float = 1.0       # how often timers, dispatch steps and the outbox are looked at
    monitor_grace_seconds: int = 30  # the broker away this long: one "monitoring interrupted" alert
    retention_days: int = 180        # sensor history kept this long
    takeover_seconds: int = 30       # a process silent this long: a survivor drains its broker session
    timezone: str = "Asia/Shanghai"  # sleep hours and report days are the homes' wall time

    @property
    def mqtt(self) -> dict | None:
        """host, port, username, password of mqtt_url (or None)."""
        if not self.mqtt_url:
            return None
        parts = urlsplit(self.mqtt_url)
        return {"hostname": parts.hostname or "127.0.0.1", "port": parts.port or 1883,
                "username": unquote(parts.username) if parts.username else None,
                "password": unquote(parts.password) if parts.password else None}

    @property
    def device_url(self) -> str | None:
        """The broker address handed to a newly provisioned device."""
        if self.mqtt_device_url:
            return self.mqtt_device_url
        mqtt = self.mqtt
        return f"mqtt://{mqtt['hostname']}:{mqtt['port']}" if mqtt else None

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> HomewatchSettings:
        """Read and validate; `overrides` win."""
        env = dict(os.environ if env is None else env)
        url = env.get("MQTT_URL") or None
        if url and not url.startswith(("mqtt://", "mqtts://")):
            raise SettingsError("MQTT_URL must start with mqtt:// or mqtts://")
        values = dict(
            mqtt_url=url,
            mqtt_device_url=env.get("MQTT_DEVICE_URL") or None,
            mqtt_client_id=env.get("MQTT_CLIENT_ID") or f"clinic-{socket.gethostname()}-{env.get('PORT', '8080')}",
            ack_seconds=int_setting(env, "HOMEWATCH_ACK_SECONDS", 60, 1),
            escalate_seconds=int_setting(env, "HOMEWATCH_ESCALATE_SECONDS", 60, 1),
            cancel_seconds=int_setting(env, "HOMEWATCH_CANCEL_SECONDS", 30, 0),
            monitor_grace_seconds=int_setting(env, "HOMEWATCH_MONITOR_GRACE_SECONDS", 30, 1),
            retention_days=int_setting(env, "HOMEWATCH_RETENTION_DAYS", 180, 1),
            takeover_seconds=int_setting(env, "HOMEWATCH_TAKEOVER_SECONDS", 30, 1),
            timezone=env.get("HOMEWATCH_TZ", "Asia/Shanghai"),
            sweep_seconds=float_setting(env, "HOMEWATCH_SWEEP_SECONDS", 1.0, 0.05),
        )
        values.update(overrides)
        return cls(**values)
