"""Broadcasts encoded once and written straight to each connection: the Socket.IO managers we use.

python-socketio's stock `emit` encodes a broadcast once but then creates one task per recipient,
each of which queues the packet for that connection's writer task, which wakes up, re-encodes
the Engine.IO packet and writes a websocket frame: measured here 72-150 µs of CPU per recipient
(Node's socket.io: 22-26 µs, most of it the kernel's write). `FanoutManager.emit` builds the
websocket frame once and writes the same bytes to every recipient's transport in one loop: no
task, no queue, no re-encoding per recipient.

A recipient goes the stock way (its own queue and writer) when it cannot take the frame directly:
a long-polling connection, one being upgraded, one whose writer still has packets queued (so the
frame cannot overtake them), or one whose kernel buffer is already full (a slow client: its
writer applies back-pressure). Emits with an ack callback and binary payloads also go the stock way.

`BoundedRedisManager` (signaling/redis_manager.py) inherits this emit for the local delivery of
every message it receives from Redis.
"""
from __future__ import annotations

import struct

import socketio
from aiohttp.web import WebSocketResponse
from engineio import exceptions as engineio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet as sio_packet

# Past this many bytes waiting in a connection's kernel buffer, its frames go through its own writer.
SLOW_CLIENT_BYTES = 256 * 1024


def websocket_frame(payload: bytes) -> bytes:
    """One unmasked, final text frame (server to client, RFC 6455 5.2)."""
    n = len(payload)
    if n < 126:
        return struct.pack("!BB", 0x81, n) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


class RecordingWebSocket(eio_aiohttp.WebSocket):
    """python-engineio's aiohttp websocket wrapper that also tells its Engine.IO socket about the response.

    The first receive happens before any frame can be written (the handler reads the upgrade or
    waits for the client), so recording there is early enough and costs one attribute check.
    """

    async def wait(self):
        owner = getattr(self.handler, "__self__", None)
        if owner is not None and getattr(owner, "fanout_ws", None) is not self._sock:
            owner.fanout_ws = self._sock
        return await super().wait()


def install(sio: socketio.AsyncServer) -> None:
    """Make the server's websocket connections reachable by FanoutManager (call before serving)."""
    sio.eio._async = dict(sio.eio._async, websocket=RecordingWebSocket)


def write_direct(socket, frame: bytes) -> bool | None:
    """Write `frame` to an Engine.IO socket's transport; False when it must go the stock way, None when closed."""
    ws: WebSocketResponse | None = getattr(socket, "fanout_ws", None)
    if socket.closed or socket.closing:
        return None
    if ws is None or socket.upgrading or not socket.upgraded:
        return False
    writer = ws._writer  # aiohttp's WebSocketWriter; None before prepare and after close
    transport = writer.transport if writer is not None else None
    if transport is None or transport.is_closing():
        return None
    if not socket.queue.empty() or transport.get_write_buffer_size() > SLOW_CLIENT_BYTES:
        return False
    transport.write(frame)
    return True


class FanoutManager(socketio.AsyncManager):
    """AsyncManager whose broadcasts write one pre-encoded frame to each recipient (see the module docstring)."""

    sent_direct = 0  # counters for the benchmarks
    sent_queued = 0

    async def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        """Emit to a room (or everyone in the namespace); same arguments as AsyncManager.emit."""
        room = to or room
        if callback is not None or namespace not in self.rooms:
            return await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback)
        if isinstance(data, tuple):
            data = list(data)
        elif data is not None:
            data = [data]
        else:
            data = []
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event] + data).encode()
        if isinstance(encoded, list):  # binary attachments: several Engine.IO packets each
            return await super().emit(event, data[0] if len(data) == 1 else tuple(data), namespace, room=room,
                                      skip_sid=skip_sid)
        eio_pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = websocket_frame(eio_pkt.encode().encode())
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        sockets = self.server.eio.sockets
        slow = []
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is None:
                continue
            done = write_direct(socket, frame)
            if done is False:
                slow.append(socket)
            elif done:
                FanoutManager.sent_direct += 1
        for socket in slow:
            FanoutManager.sent_queued += 1
            try:
                await socket.send(eio_pkt)
            except engineio_exceptions.SocketIsClosedError:
                # Its ping timed out while the batch went round: the rest of the room must still get it
                # (one closed socket used to end the loop, and the batch never reached the others).
                continue
