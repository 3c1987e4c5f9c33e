"""Each process's copy of every department's waiting order, kept current from the change stream.

A waiting patient's position was a `count(*)` over the entries ahead of them: O(position) database
work on every join and every resync, the largest share of PostgreSQL's CPU in an outbreak (at
10,000 waiting, ~3 ms a read, thousands of reads when clients resync). But every process already
hears every committed change, with its seq (signaling/live.py gathers them, its own and, through
Redis, the others'). Applied in seq order to the waiting list read once, they give the same order
the database has at that seq, and a position is a bisection.

Seq order is commit order (a department's row is locked from the bump to the commit), so a change
whose seq is missing here is already committed and on its way; a gap that stays open
(`GAP_SECONDS`: the process that made the change died before relaying it) is closed by reading the
waiting list again, once per process, not once per client. Until a department's order is loaded,
or while it is behind the seq a caller needs, callers use the database as before.
"""
from __future__ import annotations

import asyncio
import bisect
import logging
import time

import asyncpg

from server.queue import queries as sql
from server.queue.service import sort_key

log = logging.getLogger(__name__)

GAP_SECONDS = 1.0  # a missing seq not arrived by then is lost (as signaling/live.py): read the list again
# Read again now and then all the same: a change that bypassed the seq (a row deleted by hand, an
# account erased) must not stay wrong here for the rest of the process's life.
RELOAD_SECONDS = 60.0
WAIT_SECONDS = 0.25  # how long a caller waits for the order to reach the seq it needs


class WaitingOrder:
    """One department's waiting entries as sorted (due_at in µs, id) keys at a known seq."""

    def __init__(self, department: str):
        self.department = department
        self.seq: int | None = None  # None: not loaded
        self.first_seq: int | None = None  # the seq of the first load: snapshots count everything up to it
        self.loaded_at = 0.0
        self.keys: list[tuple[int, int]] = []
        self.key_of: dict[int, tuple[int, int]] = {}
        self._ahead: dict[int, object] = {}  # changes past a gap, by seq
        self._gap_since: float | None = None
        self._advanced = asyncio.Event()

    def load(self, seq: int, keys: list[tuple[int, int]]) -> None:
        """Take the waiting list as read at `seq`, then the buffered changes after it."""
        self.seq, self.keys, self.loaded_at = seq, sorted(keys), time.monotonic()
        self.first_seq = seq if self.first_seq is None else self.first_seq
        self.key_of = {k[1]: k for k in self.keys}
        self._ahead = {s: c for s, c in self._ahead.items() if s > seq}
        self._gap_since = None
        self._advance()
        self._wake()

    def offer(self, change) -> None:
        """A committed change (any process's), in whatever order it arrives."""
        if self.seq is not None and change.seq <= self.seq:
            return  # already counted (a late copy, or in the list as loaded)
        self._ahead[change.seq] = change
        if self.seq is not None:
            self._advance()

    def _advance(self) -> None:
        moved = False
        while self.seq + 1 in self._ahead:
            change = self._ahead.pop(self.seq + 1)
            for entry in change.removed:
                key = self.key_of.pop(int(entry["id"]), None)
                if key is not None:
                    del self.keys[bisect.bisect_left(self.keys, key)]
            for entry in change.inserted:
                key = (entry["key"][0], entry["key"][1])
                if key[1] not in self.key_of:
                    self.key_of[key[1]] = key
                    bisect.insort(self.keys, key)
            self.seq = change.seq
            moved = True
        self._gap_since = (self._gap_since or time.monotonic()) if self._ahead else None
        if moved:
            self._wake()

    def _wake(self) -> None:
        self._advanced.set()
        self._advanced = asyncio.Event()

    def stale(self, now: float) -> bool:
        """Whether to read the list again: never loaded, a gap open too long, or loaded long ago."""
        return (self.seq is None or now - self.loaded_at > RELOAD_SECONDS
                or (self._gap_since is not None and now - self._gap_since > GAP_SECONDS))

    def position(self, entry_id: int) -> int | None:
        """1 + the number of waiting entries ahead of this one at `self.seq`; None when not waiting here."""
        key = self.key_of.get(entry_id)
        return None if key is None else bisect.bisect_left(self.keys, key) + 1

    async def reached(self, seq: int, timeout: float) -> bool:
        """Wait (briefly) until the order counts every change up to `seq`."""
        deadline = time.monotonic() + timeout
        while self.seq is None or self.seq < seq:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self._advanced.wait(), left)
            except TimeoutError:
                return False
        return True


class WaitingOrders:
    """This process's WaitingOrder per department; loads each from the database when needed."""

    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool
        self.orders: dict[str, WaitingOrder] = {}
        self._loading: dict[str, asyncio.Task] = {}

    def offer(self, change) -> None:
        """Apply a committed change; (re)load the department when it is not loaded or a gap stayed open."""
        order = self.orders.get(change.department)
        if order is None:
            order = self.orders[change.department] = WaitingOrder(change.department)
        order.offer(change)
        self._reload_if_stale(order)

    def _reload_if_stale(self, order: WaitingOrder) -> None:
        if order.stale(time.monotonic()) and order.department not in self._loading:
            self._loading[order.department] = asyncio.create_task(self._load(order))

    async def _load(self, order: WaitingOrder) -> None:
        try:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(sql.WAITING_ORDER, order.department)
            if rows:  # one statement: the list and its seq are one snapshot
                order.load(rows[0]["seq"], [tuple(sort_key(r)) for r in rows if r["id"] is not None])
        except (OSError, asyncpg.PostgresError):  # the database is away: callers read positions there
            log.warning("waiting order of %s not loaded", order.department, exc_info=True)
        finally:
            del self._loading[order.department]

    def first_seq(self, department: str) -> int | None:
        """The seq this process's first read of the department's list was at (None: not read yet)."""
        order = self.orders.get(department)
        return None if order is None else order.first_seq

    async def position(self, department: str, entry_id: int, seq: int) -> tuple[int, int] | None:
        """(position, seq of the order) for a waiting entry, once the order has counted `seq`; None when
        this process cannot tell in time (the caller reads the database)."""
        order = self.orders.get(department)
        if order is None:
            order = self.orders[department] = WaitingOrder(department)
        self._reload_if_stale(order)
        if not await order.reached(seq, WAIT_SECONDS):
            # The database is past what this process heard and nothing is on its way (no gap is
            # open): a change never reached it. Read the list again rather than wait at every call.
            order.loaded_at = 0.0
            self._reload_if_stale(order)
            return None
        at = order.seq
        found = order.position(entry_id)
        return None if found is None else (found, at)
