"""A cheap Socket.IO client for the load generators: Engine.IO v4 / Socket.IO v5 spoken directly over aiohttp.

python-socketio's AsyncClient costs about as much CPU per received message as the server's send
(an aiohttp session, packet objects, a task per event), so 1,000 of them already compete with
the server for these 2 cores. This client keeps only what a waiting patient's page needs: one
websocket (no polling, no compression), the default namespace, events, acks for its own calls,
the Engine.IO ping answer, and reconnection. Many clients share one aiohttp session (cookies go
in a header, the jar is a dummy), and each message is decoded with orjson.

Frames, for the reader: `0{...}` Engine.IO open, `2` ping (answered `3`), `40{...}` connected,
`44{...}` connect refused, `41` disconnected by the server, `42[event, data]` event, `42<id>[...]`
event with an ack id, `43<id>[data]` an ack of ours.
"""
from __future__ import annotations

import asyncio
import random

import aiohttp
import orjson


class CallTimeout(Exception):
    """An acked call got no answer in time (or the socket was not connected)."""


class ConnectRefused(Exception):
    """The server refused the Socket.IO connection (44 packet)."""


def shared_session() -> aiohttp.ClientSession:
    """One session for many clients: unlimited connections, no cookie jar (each client sends its own header)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False),
                                 cookie_jar=aiohttp.DummyCookieJar())


class LiteSocket:
    """One simulated browser tab: `on(event, handler)`, `connect`, `call`, `disconnect`.

    Handlers are plain functions called with the event's data; 'connect' and 'disconnect' are
    called on every (re)connection and drop, as python-socketio's client does.
    """

    def __init__(self, http: aiohttp.ClientSession, reconnection: bool = True, delay: float = 0.5,
                 delay_max: float = 2.0, raw_handler=None):
        self.http, self.reconnection, self.delay, self.delay_max = http, reconnection, delay, delay_max
        self.handlers: dict = {}
        # raw_handler(event, text) gets events before decoding (the queue workers decode each
        # distinct broadcast once for all their clients); it returns True when it handled one.
        self.raw_handler = raw_handler
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.connected = False
        self.closing = False
        self._connected_future: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None

    def on(self, event: str, handler) -> None:
        """Register a handler for an event (or 'connect' / 'disconnect')."""
        self.handlers[event] = handler

    async def connect(self, url: str, headers: dict | None = None, wait_timeout: float = 30.0) -> None:
        """Open the websocket and the default namespace; raises ConnectRefused or TimeoutError."""
        self.url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/")
        self.url += "/socket.io/?EIO=4&transport=websocket"
        self.headers = headers or {}
        await asyncio.wait_for(self._open(), wait_timeout)
        self._reader = asyncio.ensure_future(self._run())

    async def _open(self) -> None:
        self.ws = await self.http.ws_connect(self.url, headers=self.headers, compress=0, autoping=True,
                                             max_msg_size=0)
        self._connected_future = asyncio.get_running_loop().create_future()
        await self.ws.send_str("40")  # join the default namespace (the server sends its open packet first)
        while not self._connected_future.done():  # read up to the namespace's answer
            msg = await self.ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"websocket closed during the handshake ({msg.type.name})")
            self._packet(msg.data)
        self._connected_future.result()  # raises ConnectRefused
        self.connected = True
        self._handler("connect")

    async def _run(self) -> None:
        """Read until the socket closes; reconnect (with backoff) unless we are closing."""
        while True:
            try:
                async for msg in self.ws:
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        self._packet(msg.data)
            except (aiohttp.ClientError, OSError):
                pass
            self._dropped()
            if self.closing or not self.reconnection:
                return
            wait = self.delay
            while not self.closing:
                await asyncio.sleep(wait * (1 + random.random() * 0.5))
                try:
                    await asyncio.wait_for(self._open(), 30)
                    break
                except (TimeoutError, aiohttp.ClientError, OSError, ConnectionError, ConnectRefused):
                    wait = min(wait * 2, self.delay_max)
            if self.closing:
                return

    def _dropped(self) -> None:
        was = self.connected
        self.connected = False
        for future in self.acks.values():
            if not future.done():
                future.set_exception(CallTimeout("disconnected"))
        self.acks.clear()
        if was:
            self._handler("disconnect")

    def _handler(self, event: str, *args) -> None:
        handler = self.handlers.get(event)
        if handler is not None:
            handler(*args)

    def _packet(self, text: str) -> None:
        kind = text[0]
        if kind == "2":  # Engine.IO ping: answer at once or the server drops us
            asyncio.ensure_future(self._send_quietly("3"))
        elif kind == "4":
            self._message(text)
        elif kind == "1":  # Engine.IO close
            asyncio.ensure_future(self.ws.close())

    async def _send_quietly(self, text: str) -> None:
        """Send without an error when the socket is closing (a ping that arrives as we disconnect)."""
        try:
            await self.ws.send_str(text)
        except (aiohttp.ClientError, ConnectionError):
            pass

    def _message(self, text: str) -> None:
        kind = text[1:2]
        if kind == "2":
            i = 2
            while text[i] != "[":  # an ack id the server asks for: not used by the clinic's broadcasts
                i += 1
            body = text[i:]
            if self.raw_handler is not None and self.raw_handler(self, body):
                return
            event, *args = orjson.loads(body)
            self._handler(event, *args)
        elif kind == "3":
            i = 2
            while text[i] != "[":
                i += 1
            future = self.acks.pop(int(text[2:i]), None)
            if future is not None and not future.done():
                args = orjson.loads(text[i:])
                future.set_result(args[0] if len(args) == 1 else tuple(args))
        elif kind == "0" and self._connected_future is not None and not self._connected_future.done():
            self._connected_future.set_result(None)
        elif kind == "4" and self._connected_future is not None and not self._connected_future.done():
            self._connected_future.set_exception(ConnectRefused(text[2:]))
        elif kind == "1":  # the server disconnected us from the namespace
            asyncio.ensure_future(self.ws.close())

    async def emit(self, event: str, data=None) -> None:
        """Send an event without an ack."""
        await self.ws.send_str("42" + orjson.dumps([event, data]).decode())

    async def call(self, event: str, data=None, timeout: float = 8.0):
        """Send an event and wait for its ack; raises CallTimeout."""
        if not self.connected:
            raise CallTimeout("not connected")
        self.next_id += 1
        ack_id = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        try:
            await self.ws.send_str(f"42{ack_id}" + orjson.dumps([event, data]).decode())
            return await asyncio.wait_for(future, timeout)
        except (TimeoutError, ConnectionError, aiohttp.ClientError) as exc:
            raise CallTimeout(str(exc)) from None
        finally:
            self.acks.pop(ack_id, None)

    async def disconnect(self) -> None:
        """Close for good (no reconnection)."""
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
