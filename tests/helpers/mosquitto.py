"""A private Mosquitto 2.0 broker with the dynamic security plugin, on a free port of 127.0.0.1.

Its configuration and state live in a temporary directory: the machine's broker on 1883 is never
touched. The admin account may manage clients and ACLs (the server provisions devices with it).
"""
from __future__ import annotations

import getpass
import json
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt

from .processes import free_port

PLUGIN_CANDIDATES = ("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                     "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
                     "/usr/lib/mosquitto_dynamic_security.so")


def dynsec_plugin() -> str:
    """The dynamic security plugin's path (Debian's package ships it under the multiarch lib dir)."""
    for path in PLUGIN_CANDIDATES:
        if Path(path).exists():
            return path
    raise RuntimeError("mosquitto_dynamic_security.so not found: apt-get install mosquitto")


class Mosquitto:
    """One broker process; stop() and start() again keep its accounts (they live in its files)."""

    def __init__(self, directory: Path, port: int | None = None):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.admin_password = secrets.token_urlsafe(12)
        self.proc: subprocess.Popen | None = None
        dynsec = self.dir / "dynamic-security.json"
        if not dynsec.exists():
            subprocess.run(["mosquitto_ctrl", "dynsec", "init", str(dynsec), "admin", self.admin_password],
                           check=True, stdout=subprocess.DEVNULL)
        (self.dir / "mosquitto.conf").write_text("\n".join([
            f"listener {self.port} 127.0.0.1",
            # Started as root, mosquitto would switch to the `mosquitto` user, who cannot read these files.
            f"user {getpass.getuser()}",
            "allow_anonymous false",
            f"plugin {dynsec_plugin()}",
            f"plugin_opt_config_file {dynsec}",
            "persistence true",
            f"persistence_location {self.dir}/",
            "max_queued_messages 100000",
            # The server acknowledges an event once stored: let many be in flight at once (default 20).
            "max_inflight_messages 1000",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "",
        ]))

    @property
    def url(self) -> str:
        """The server's MQTT_URL (the admin account)."""
        return f"mqtt://admin:{self.admin_password}@127.0.0.1:{self.port}"

    def start(self, timeout: float = 10) -> Mosquitto:
        """Start and wait until the port accepts connections."""
        log = open(self.dir / "mosquitto.log", "ab")
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.dir / "mosquitto.conf")],
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {(self.dir / 'mosquitto.log').read_text()[-2000:]}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        """SIGTERM (it saves its state) and wait."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def remove(self) -> None:
        """Stop and delete its files."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class SimulatedDevice:
    """A device with its own broker account, publishing JSON events QoS 1 to its own topic."""

    def __init__(self, provisioned: dict, port: int):
        self.id = provisioned["id"]
        self.mqtt = provisioned["mqtt"]
        self.port = port
        self.client: aiomqtt.Client | None = None
        self.acks: list[dict] = []
        self._listener = None

    async def connect(self) -> SimulatedDevice:
        """Connect with the device's own credentials and listen on its ack topic."""
        import asyncio
        self.client = aiomqtt.Client("127.0.0.1", self.port, username=self.mqtt["username"],
                                     password=self.mqtt["password"], identifier=f"dev-{self.id}-{uuid.uuid4().hex[:6]}",
                                     protocol=aiomqtt.ProtocolVersion.V5)
        await self.client.__aenter__()
        await self.client.subscribe(self.mqtt["ack_topic"], qos=1)

        async def listen():
            try:
                async for message in self.client.messages:
                    self.acks.append(json.loads(message.payload))
            except aiomqtt.MqttError:
                pass  # disconnected (the test stopped the broker or closed the device)
        self._listener = asyncio.create_task(listen())
        return self

    async def send(self, kind: str, at: datetime | None = None, event_id: str | None = None, topic: str | None = None,
                   **fields) -> str:
        """Publish one event (to its own topic unless `topic` says otherwise); return its event id."""
        event_id = event_id or uuid.uuid4().hex
        body = {"event_id": event_id, "kind": kind, "at": (at or datetime.now(UTC)).isoformat(), **fields}
        await self.client.publish(topic or self.mqtt["topic"], json.dumps(body), qos=1)
        return event_id

    async def close(self) -> None:
        """Disconnect."""
        import contextlib
        if self._listener is not None:
            self._listener.cancel()
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.__aexit__(None, None, None)
