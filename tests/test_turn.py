"""TURN through a real coturn: the credentials /api/rtc/ice-servers hands out let two relay-only peers
call each other, and coturn refuses credentials whose time is up."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import shutil
import socket
import struct
import subprocess
import time

import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint

from helpers import queued_patient, wait_for
from helpers.processes import free_port
from helpers.rtc_peer import RtcPeer
from server.calls.service import turn_credentials
from server.settings import Settings

REALM = "clinic"
RELAY_PORTS = 40  # relay endpoints coturn may allocate; two peers need a few each


class Coturn:
    """A coturn on 127.0.0.1 with the REST (`use-auth-secret`) scheme, as in production."""

    def __init__(self, directory):
        self.secret = secrets.token_urlsafe(16)
        self.port = _free_udp_and_tcp_port()
        self.min_port = _free_udp_range(RELAY_PORTS)
        self.log_path = directory / "turnserver.log"
        self.proc: subprocess.Popen | None = None
        self.directory = directory

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    def start(self, timeout: float = 10) -> Coturn:
        binary = shutil.which("turnserver")
        if binary is None:
            pytest.fail("coturn is not installed (no `turnserver` on PATH): apt-get install -y coturn "
                        "(python3 manage.py test and .ci/run install it)", pytrace=False)
        args = [binary, "-n", "--use-auth-secret", f"--static-auth-secret={self.secret}", f"--realm={REALM}",
                "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1", "--listening-port", str(self.port),
                "--min-port", str(self.min_port), "--max-port", str(self.min_port + RELAY_PORTS - 1),
                "--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli", "--no-software-attribute",
                "--log-file", "stdout", "--simple-log",
                "--pidfile", str(self.directory / "turnserver.pid"),
                "--userdb", str(self.directory / "turndb")]
        with open(self.log_path, "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"turnserver exited with {self.proc.returncode}: {self.log()}", pytrace=False)
            if _stun_binding_answers(("127.0.0.1", self.port)):
                return self
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"turnserver did not answer STUN on 127.0.0.1:{self.port}: {self.log()}", pytrace=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _free_udp_and_tcp_port() -> int:
    for _ in range(50):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port for coturn")


def _free_udp_range(size: int) -> int:
    """The first port of `size` consecutive UDP ports nobody holds now (inside coturn's default range)."""
    rng = secrets.SystemRandom()
    for _ in range(100):
        first = rng.randrange(49152, 65535 - size)
        sockets = []
        try:
            for port in range(first, first + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free UDP port range for coturn's relays")


def _stun_binding_answers(address) -> bool:
    """Send one STUN Binding request; True when a Binding success answer comes back."""
    transaction = os.urandom(12)
    request = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        try:
            s.sendto(request, address)
            data, _ = s.recvfrom(2048)
        except OSError:
            return False
    return len(data) >= 20 and struct.unpack("!H", data[:2])[0] == 0x0101 and data[8:20] == transaction


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    """One real coturn for this module's tests."""
    server = Coturn(tmp_path_factory.mktemp("coturn")).start()
    yield server
    server.stop()


@pytest.fixture
def settings(app_database_url, coturn) -> Settings:
    """The app under test hands out credentials for this coturn (overrides conftest's settings)."""
    return Settings(database_url=app_database_url, housekeeping_seconds=0.2,
                    turn_urls=(coturn.url,), turn_secret=coturn.secret, turn_ttl=600)


async def _allocate(coturn: Coturn, username: str, password: str):
    """A TURN Allocate with these credentials, as a browser's ICE agent makes it; returns the relayed address."""
    transport, _ = await asyncio.wait_for(create_turn_endpoint(
        asyncio.DatagramProtocol, ("127.0.0.1", coturn.port), username=username, password=password,
        lifetime=600), timeout=10)
    try:
        return transport.get_extra_info("sockname")
    finally:
        transport.close()


async def test_two_relay_only_peers_call_through_coturn_with_the_servers_credentials(people, coturn):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    cid = (await (await doctor.post("/api/doctor/claim", json={})).json())["id"]

    ice = {}
    for person in (doctor, patient):
        response = await person.get("/api/rtc/ice-servers")
        assert response.status == 200
        servers = (await response.json())["iceServers"]
        assert len(servers) == 1 and servers[0]["urls"] == [coturn.url]
        expiry, user_id = servers[0]["username"].split(":")
        assert user_id == person.id and 590 <= int(expiry) - time.time() <= 600
        expected = base64.b64encode(hmac.new(coturn.secret.encode(), servers[0]["username"].encode(),
                                             hashlib.sha1).digest()).decode()
        assert servers[0]["credential"] == expected
        ice[person.id] = servers

    d_sock, p_sock = await doctor.socket(), await patient.socket()
    doctor_peer = RtcPeer(d_sock, cid, "doctor", ice_servers=ice[doctor.id], relay_only=True)
    patient_peer = RtcPeer(p_sock, cid, "patient", ice_servers=ice[patient.id], relay_only=True)
    try:
        assert (await p_sock.call("join", {"consultation_id": cid}))["ok"]
        assert (await d_sock.call("join", {"consultation_id": cid}))["ok"]
        await doctor_peer.offer()
        await wait_for(lambda: doctor_peer.frames_received > 10 and patient_peer.frames_received > 10, timeout=20)
        # Both ends of the pair in use are coturn's relay addresses: the media went through TURN.
        assert doctor_peer.selected_candidate_types() == {"relay"}
        assert patient_peer.selected_candidate_types() == {"relay"}
        assert doctor_peer.selected_remote_candidate_types() == {"relay"}
    finally:
        await asyncio.gather(doctor_peer.close(), patient_peer.close())


async def test_coturn_refuses_expired_and_forged_credentials_and_accepts_fresh_ones(coturn):
    fresh = turn_credentials(coturn.secret, "42", ttl=600)
    relayed = await _allocate(coturn, *fresh)
    assert relayed[0] == "127.0.0.1" and coturn.min_port <= relayed[1] < coturn.min_port + RELAY_PORTS

    expired = turn_credentials(coturn.secret, "42", ttl=-60)
    forged = turn_credentials("not-the-secret", "42", ttl=600)
    for username, password in (expired, forged):
        with pytest.raises(stun.TransactionFailed) as refused:
            await _allocate(coturn, username, password)
        assert refused.value.response.attributes["ERROR-CODE"][0] == 401
