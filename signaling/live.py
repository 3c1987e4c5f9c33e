"""Live events pushed to browsers over Socket.IO. Room names live here and nowhere else.

With REDIS_URL set the Socket.IO manager carries every emit to all server processes, so a
client receives its events whichever process it is connected to.

Queue changes are the exception: they cross processes as changes, not as broadcasts. Each process
publishes its committed changes on a Redis channel of their own (`QueueRelay`), gathers everyone's
into its department batches, and broadcasts each batch to its own clients only. A client so gets
one `queue:update` per interval whatever the number of processes (N processes each broadcasting
their own changes to every client would make N times the sends, each batch with gaps in seq
that clients hold and resync over).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson
import redis.asyncio as aioredis
import socketio
from socketio.async_pubsub_manager import AsyncPubSubManager

from server.keys import DB_POOL
from server.queue import order
from server.queue import service as queue_service
from server.queue.service import QueueChange, estimate_minutes

log = logging.getLogger(__name__)


def user_room(user_id) -> str:
    """Every connection of one user."""
    return f"user:{user_id}"


def session_room(session_hash: bytes) -> str:
    """Every connection opened with one session cookie: signing out closes them."""
    return f"session:{session_hash.hex()[:32]}"


def queue_room(department: str) -> str:
    """Waiting patients and on-duty doctors of a department: `queue:update` goes here."""
    return f"queue:{department}"


def doctors_room(department: str) -> str:
    """The department's doctors: `queue:alert` goes here."""
    return f"doctors:{department}"


def consult_room(consultation_id) -> str:
    """Both members of a consultation (chat, consult:ended)."""
    return f"consult:{consultation_id}"


def member_room(consultation_id, role: str) -> str:
    """One member's connections in a consultation (signal relay, peer:left/joined)."""
    return f"consult:{consultation_id}:{role}"


def home_call_room(call_id) -> str:
    """Both members of a home video call (server/homewatch/calls.py)."""
    return f"homecall:{call_id}"


def home_call_member_room(call_id, role: str) -> str:
    """One member's connections in a home call: 'caller' or 'home' (signal relay, peer events)."""
    return f"homecall:{call_id}:{role}"


def other_role(role: str) -> str:
    """The other member of a consultation."""
    return "doctor" if role == "patient" else "patient"


# Not an event for browsers: the Redis manager (redis_manager.py) turns it into disconnects on every process.
DISCONNECT_ROOM = "clinic:disconnect-room"


async def disconnect_local(sio: socketio.AsyncServer, room: str, namespace: str = "/") -> None:
    """Close this process's connections in `room` (they are refused at once and do not reconnect signed in)."""
    sids = [sid for sid, _ in sio.manager.get_participants(namespace, room)]
    for sid in sids:
        await sio.disconnect(sid, namespace=namespace, ignore_queue=True)


async def disconnect_room(sio: socketio.AsyncServer, room: str) -> None:
    """Close every connection in `room` on every server process (sign-out, a disabled account)."""
    if isinstance(sio.manager, AsyncPubSubManager):
        await sio.manager.emit(DISCONNECT_ROOM, None, room=room)  # handled here and by every other process
    else:
        await disconnect_local(sio, room)


async def _close_rooms(sio: socketio.AsyncServer, *rooms: str) -> None:
    for room in rooms:
        await sio.close_room(room)


async def close_consultation_rooms(sio: socketio.AsyncServer, consultation_id) -> None:
    """Take both members out of an ended consultation's rooms on every process: relays and chat are refused."""
    await _close_rooms(sio, consult_room(consultation_id), member_room(consultation_id, "patient"),
                       member_room(consultation_id, "doctor"))


async def close_home_call_rooms(sio: socketio.AsyncServer, call_id) -> None:
    """Take both members out of an ended home call's rooms on every process: relays are refused."""
    await _close_rooms(sio, home_call_room(call_id), home_call_member_room(call_id, "caller"),
                       home_call_member_room(call_id, "home"))


class LiveEvents:
    """Publishes the live events of one application over Socket.IO (server.events.Events, at app[EVENTS])."""

    # Queue changes of a department are gathered and sent as one `queue:update`: during an outbreak a
    # busy department changes hundreds of times a second, and each broadcast costs a write to every
    # waiting client (the kernel's loopback write alone was 38% of the server's CPU at 1,000 clients
    # with 50 ms batches). A position needs to be right within a second, so a department broadcasts
    # at most every MIN_INTERVAL, half of that second (the other half is for delivery); after a quiet
    # spell the first change goes out GATHER_SECONDS later. At 250 ms the fan-out to 5,000 clients
    # was most of the server's CPU and all the load generator's, and saturated both cores.
    MIN_INTERVAL = 0.5
    GATHER_SECONDS = 0.02
    # With several processes a batch may be due while a change with an earlier seq, committed on
    # another process, is still on its way through Redis. Sent with that gap, every client would hold
    # it and then re-read its snapshot: thousands of database reads at once, which starved the very
    # requests that make the changes (2 processes: 7,992 gap resyncs in one run). So a batch waits up
    # to GAP_HOLD_SECONDS for the missing seqs (seq order is commit order: a department's row is
    # locked from the bump to the commit, so a missing seq is already committed and on its way). Only
    # a change lost for good (its process killed between commit and publish) reaches clients as a gap.
    # Generous, because giving up costs every client of this process a resync at once, and under CPU
    # starvation that load delays the relay further (at 0.5 s, one overloaded 2-process run: 3,290).
    GAP_HOLD_SECONDS = order.GAP_SECONDS  # the waiting order gives up on a missing seq at the same moment
    GAP_POLL_SECONDS = 0.02

    def __init__(self, sio: socketio.AsyncServer, app, naive_queue_updates: bool = False):
        self.sio, self.app = sio, app
        # QUEUE_UPDATES=naive, the benchmark's baseline: recompute every waiting patient's
        # position and push it to each of them, O(N) database and socket work per change.
        self.naive = naive_queue_updates
        self._pending: dict[str, list[QueueChange]] = {}
        self._flushing: dict[str, asyncio.Task] = {}
        self._send_locks: dict[str, asyncio.Lock] = {}
        self._last_sent: dict[str, float] = {}
        self._sent_seq: dict[str, int] = {}  # the highest seq each department's clients were sent
        self._skipped: dict[str, set[int]] = {}  # seqs below it given up on: sent on their own if they come
        self._gap_since: dict[str, float] = {}  # when the oldest change still held behind a gap arrived
        self.relay: QueueRelay | None = None  # set by the app with REDIS_URL
        self.orders = None  # server.queue.order.WaitingOrders, set by the app: fed every committed change

    async def notify_user(self, user_id, event: str, payload: dict) -> None:
        """One event to every connection of one user, whichever process holds them."""
        await self.sio.emit(event, payload, room=user_room(user_id))

    async def queue_changed(self, change: QueueChange) -> None:
        """Queue one change for its department's next broadcast; returns at once (no fan-out wait)."""
        if not self.queue_changed_now(change):
            await self._push_every_position(change)

    def queue_changed_now(self, change: QueueChange) -> bool:
        """Queue a change the moment it is committed, before the request's other reads; False in naive mode.

        The sooner a change joins its batch, the fewer batches go out with a gap in seq that clients
        must hold (and, past 300 ms, resync for): under load a request's follow-up reads took longer
        than the clients' hold. The naive baseline reads with a connection of its own, so it waits
        for publish() (the caller's connection back in the pool).
        """
        if self.naive:
            return False
        if self.relay is not None:
            self.relay.publish(change)
        self._gather(change)
        return True

    def _gather(self, change: QueueChange) -> None:
        """Add a change (of this process or, through the relay, of another) to its department's next batch."""
        if self.orders is not None:
            self.orders.offer(change)
        self._pending.setdefault(change.department, []).append(change)
        if change.department not in self._flushing:
            self._flushing[change.department] = asyncio.create_task(self._flush(change.department))

    async def _flush(self, department: str) -> None:
        loop = asyncio.get_running_loop()
        due = self._last_sent.get(department, 0.0) + self.MIN_INTERVAL
        await asyncio.sleep(max(self.GATHER_SECONDS, due - loop.time()))
        while True:
            changes = self._ready(department, loop.time())
            if changes is not None:
                break
            await asyncio.sleep(self.GAP_POLL_SECONDS)
        del self._flushing[department]
        if self._pending.get(department):  # changes behind a gap, or arrived meanwhile: their own batch
            self._flushing[department] = asyncio.create_task(self._flush(department))
        if not changes:
            return
        self._last_sent[department] = loop.time()
        # Sent in seq order: a later batch waits until this one has reached every client.
        async with self._send_locks.setdefault(department, asyncio.Lock()):
            # ignore_queue: this process's clients only; the other processes send the same batch to theirs.
            await self.sio.emit("queue:update", {
                "department": department, "seq": changes[-1].seq, "changes": [c.to_event() for c in changes],
                "minutes_per_patient": changes[-1].minutes_per_patient,
            }, room=queue_room(department), ignore_queue=self.relay is not None)

    def _ready(self, department: str, now: float) -> list[QueueChange] | None:
        """The changes to send now: those with consecutive seqs after the last sent, or, once a gap has
        been held GAP_HOLD_SECONDS, all of them; None while a gap is still worth waiting for. A change
        given up on that turns up after all goes out too: clients still holding the gap apply it."""
        pending = sorted({c.seq: c for c in self._pending.get(department, [])}.values(), key=lambda c: c.seq)
        sent = self._sent_seq.get(department)
        skipped = self._skipped.setdefault(department, set())
        late = [c for c in pending if sent is not None and c.seq in skipped]
        if sent is None and self.orders is not None and self.orders.first_seq(department) is not None:
            # This process's first batch: its clients' snapshots count everything up to the seq its
            # waiting order was first read at, so consecutive seqs start right after it (not at
            # whichever change happened to arrive first: an earlier one arriving a moment later was
            # dropped, and every client of the process resynced over that gap). Changes at or below
            # it still go out, for the doctors' lists that refresh on any update.
            sent = self._sent_seq[department] = self.orders.first_seq(department)
            late = [c for c in pending if c.seq <= sent]
        if sent is not None:
            pending = [c for c in pending if c.seq > sent]  # the rest at or below: copies of what was sent
        expected = pending[0].seq if sent is None and pending else (sent or 0) + 1
        run = 0
        while run < len(pending) and pending[run].seq == expected + run:
            run += 1
        if run == 0 and pending:  # the next seq is missing
            since = self._gap_since.setdefault(department, now)
            if now - since < self.GAP_HOLD_SECONDS:
                self._pending[department] = pending
                skipped.difference_update(c.seq for c in late)
                return late or None
            # Lost for good: clients see the gap and re-read their snapshot.
            log.warning("queue %s: seq %s did not arrive in %.1f s; sending %s..%s with the gap",
                        department, expected, self.GAP_HOLD_SECONDS, pending[0].seq, pending[-1].seq)
            skipped.update(range(expected, pending[-1].seq))
            run = len(pending)
        ready, held = pending[:run], pending[run:]
        self._pending[department] = held
        if held:
            self._gap_since[department] = now
        else:
            self._gap_since.pop(department, None)
        if ready:
            self._sent_seq[department] = ready[-1].seq
        skipped.difference_update(c.seq for c in late + ready)
        if len(skipped) > 10_000:  # never filled: forget the oldest
            skipped.difference_update(sorted(skipped)[:5_000])
        return late + ready

    async def _push_every_position(self, change: QueueChange) -> None:
        async with self.app[DB_POOL].acquire() as conn:
            rows = await queue_service.all_positions(conn, change.department)
        for row in rows:
            await self.sio.emit("queue:update", {
                "department": change.department, "seq": change.seq, "entry_id": str(row["id"]),
                "position": row["position"], "minutes_per_patient": change.minutes_per_patient,
                "estimated_wait_minutes": estimate_minutes(row["position"], change.minutes_per_patient),
            }, room=user_room(row["patient_id"]))

    async def consult_ready(self, consultation) -> None:
        """Tell the patient and the doctor that their consultation room is open."""
        payload = {"consultation_id": str(consultation["id"])}
        await self.sio.emit("consult:ready", payload, room=user_room(consultation["patient_id"]))
        await self.sio.emit("consult:ready", payload, room=user_room(consultation["doctor_id"]))

    async def consult_ended(self, consultation_id, reason: str = "completed", patient_id=None,
                            doctor_id=None) -> None:
        """Tell both members the consultation is over (with their ids, also those not in the room), then
        take them out of its rooms on every process: from here on their relays and chat are refused."""
        payload = {"consultation_id": str(consultation_id), "reason": reason}
        rooms = [consult_room(consultation_id)] + [user_room(u) for u in (patient_id, doctor_id) if u]
        await self.sio.emit("consult:ended", payload, room=rooms)
        await close_consultation_rooms(self.sio, consultation_id)

    async def session_ended(self, session_hash: bytes) -> None:
        """Close the session's sockets on every process (sign-out)."""
        await disconnect_room(self.sio, session_room(session_hash))

    async def user_sessions_ended(self, user_id) -> None:
        """Close every socket of the user on every process (account disabled, password changed)."""
        await disconnect_room(self.sio, user_room(user_id))

    async def consult_interrupted(self, consultation_id) -> None:
        """The patient stayed away past the grace period: the doctor may call them back or end."""
        await self.sio.emit("consult:interrupted", {"consultation_id": str(consultation_id)},
                            room=consult_room(consultation_id))

    async def patient_notified(self, consultation_id, doctor_id, at) -> None:
        """Tell the doctor when the absent patient was sent an SMS."""
        await self.sio.emit("consult:notified", {"consultation_id": str(consultation_id), "at": at.isoformat()},
                            room=user_room(doctor_id))

    async def queue_alert(self, department: str, kind: str, entry_id, level: int, patient_name: str | None = None) -> None:
        """Alert the department's doctors: new_patient / escalated / overdue, naming the patient when known."""
        await self.sio.emit("queue:alert", {"kind": kind, "entry_id": str(entry_id), "level": level,
                                            "patient_name": patient_name}, room=doctors_room(department))

    async def homewatch_alert(self, user_id, alert: dict) -> None:
        """A home-watch alert, new or updated, to every connection of one person."""
        await self.sio.emit("homewatch:alert", alert, room=user_room(user_id))


    async def home_call_changed(self, call_id, views: list[tuple], ended: bool = False) -> None:
        """`homecall:update` to each member (its own view of the call); an ended call's rooms close."""
        for user_id, view in views:
            await self.sio.emit("homecall:update", view, room=user_room(user_id))
        if ended:
            await close_home_call_rooms(self.sio, call_id)


class QueueRelay:
    """Queue changes between processes over one Redis pub/sub channel (see the module docstring)."""

    def __init__(self, events: LiveEvents, url: str, channel: str, instance_id: str):
        self.events, self.url, self.channel, self.instance_id = events, url, channel, instance_id
        self.redis = aioredis.Redis.from_url(url)
        self.task: asyncio.Task | None = None
        self._sending: set[asyncio.Task] = set()

    def publish(self, change: QueueChange) -> None:
        """Send a committed change to the other processes (in the background: the request does not wait)."""
        message = orjson.dumps({"from": self.instance_id, "department": change.department, "seq": change.seq,
                                "removed": change.removed, "inserted": change.inserted,
                                "mpp": change.minutes_per_patient})
        task = asyncio.ensure_future(self._send(message))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, message: bytes) -> None:
        try:
            await self.redis.publish(self.channel, message)
        except Exception:  # a lost change is a gap in seq: clients re-read their snapshot
            log.warning("queue change not relayed", exc_info=True)

    async def start(self) -> None:
        """Subscribe before the first request when Redis answers, so no change published meanwhile is
        missed; when it does not, start anyway and keep trying (the health check reports Redis down)."""
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)
        except Exception:
            log.warning("queue relay: Redis unreachable at start-up; retrying in the background")
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            pubsub = None
        self.task = asyncio.create_task(self._listen(pubsub))

    async def _listen(self, pubsub) -> None:
        while True:
            try:
                if pubsub is None:
                    pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                    await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    data = orjson.loads(message["data"])
                    if data["from"] != self.instance_id:
                        self.events._gather(QueueChange(data["department"], data["seq"], removed=data["removed"],
                                                        inserted=data["inserted"], minutes_per_patient=data["mpp"]))
                raise ConnectionError("not subscribed")  # listen() ends at once without a subscription
            except asyncio.CancelledError:
                raise
            except Exception:  # a change missed meanwhile is a gap in seq: clients re-read their snapshot
                log.warning("queue relay lost its subscription; resubscribing", exc_info=True)
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
                pubsub = None
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        """Stop listening and release the connections."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        await self.redis.aclose()
