"""Rate limits shared by every server process: Redis when REDIS_URL is set, PostgreSQL otherwise.

In the spirit of Home Assistant's http/ban.py: one small module counts attempts per key in a fixed
window and refuses with 429 and Retry-After past the limit. A rule with a back-off cap doubles its
window with every attempt made while refused (up to the cap), so a script that keeps trying stays
out longer and longer while a person who waits gets back in.

Limits key on the thing attacked first (the account with the address it is tried from, the
invitation, the phone), then on the client address with a generous bound: a flood against one
doctor from one address never locks that doctor out elsewhere, and a whole company's staff may
register, sign in and accept their invitations from one office address (a NAT). So the address
bounds count what an attacker does and a colleague does not: wrong passwords and spent or unknown
invitation links (an attempt that succeeds is taken back from the address), registrations without
an invitation link. An attempt refused for its account is not counted for the address either: a
flood against one account must not become a flood against everyone behind the same address.
The address is the proxy-aware one (server/web/addresses.py).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import asyncpg

from server.web.errors import TooManyRequests

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """At most `limit` attempts per `window` seconds; with `cap`, attempts while refused double the window up to `cap`."""

    name: str
    limit: int
    window: int
    cap: int | None = None


# Sign-in: an account tried from one address, then the address's failures across accounts (a NAT'd
# hospital shares one). Registration: per phone number, then per address, or per invitation link
# when the person registers from one (a company's 2,000 new staff in a morning, bench/morning.py).
# Invitations: per link, then the address's failures. Chat: per person and consultation (500
# messages a second was possible before).
LOGIN_PAIR = Rule("login", limit=5, window=15 * 60, cap=24 * 3600)
LOGIN_ADDRESS = Rule("login-address", limit=300, window=15 * 60, cap=6 * 3600)
REGISTER_PHONE = Rule("register", limit=5, window=3600)
REGISTER_ADDRESS = Rule("register-address", limit=1000, window=10 * 60)
REGISTER_INVITATION = Rule("register-invite", limit=5, window=3600)
ACCEPT_INVITATION = Rule("invite", limit=10, window=3600)
ACCEPT_ADDRESS = Rule("invite-address", limit=2000, window=10 * 60)
CHAT = Rule("chat", limit=20, window=10)
# SMS codes (when a route sends them): per phone first, then per address.
SMS_PHONE = Rule("sms", limit=3, window=15 * 60, cap=24 * 3600)
SMS_ADDRESS = Rule("sms-address", limit=100, window=3600)


ADDRESS_MESSAGE = "Too many sign-in attempts from your network; please wait before trying again."


def _digest(value: str) -> str:
    """Logins and phones are not stored in the counters' keys as they are."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:24]


class PostgresStore:
    """Counters in the UNLOGGED table rate_limits (migration 0009): shared by every process, cheap to lose."""

    HIT = """
    INSERT INTO rate_limits AS r (key, hits, window_ends, last_at)
    VALUES ($1, 1, now() + make_interval(secs => $2), now())
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN r.window_ends <= now() THEN 1 ELSE r.hits + 1 END,
        window_ends = CASE
            WHEN r.window_ends <= now() THEN now() + make_interval(secs => $2)
            WHEN $3::integer IS NOT NULL AND r.hits + 1 > $4 THEN greatest(r.window_ends,
                 now() + make_interval(secs => least($3::float8, $2 * 2 ^ least(r.hits + 1 - $4, 30))))
            ELSE r.window_ends END,
        last_at = now()
    RETURNING hits, extract(epoch FROM window_ends - now())::float8 AS seconds_left"""
    RESET = "DELETE FROM rate_limits WHERE key = $1"
    UNDO = "UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0 AND window_ends > now()"
    FORGET_OLD = "DELETE FROM rate_limits WHERE window_ends < now()"

    def __init__(self, pool: asyncpg.Pool, own_pool: bool = False):
        self.pool, self.own_pool = pool, own_pool

    async def hit(self, key: str, rule: Rule) -> tuple[int, float]:
        """Count one attempt; return (attempts in the window, seconds until the window ends)."""
        async with self.pool.acquire() as conn:
            if random.random() < 0.01:  # keep the table small without a loop of its own
                await conn.execute(self.FORGET_OLD)
            row = await conn.fetchrow(self.HIT, key, float(rule.window), rule.cap, rule.limit)
        return row["hits"], row["seconds_left"]

    async def reset(self, key: str) -> None:
        """Forget a key's attempts (a successful sign-in)."""
        async with self.pool.acquire() as conn:
            await conn.execute(self.RESET, key)

    async def undo(self, key: str) -> None:
        """Take one attempt back (it succeeded); the window and any back-off stay."""
        async with self.pool.acquire() as conn:
            await conn.execute(self.UNDO, key)

    async def close(self) -> None:
        """Close the pool when it is the store's own."""
        if self.own_pool:
            await self.pool.close()


class RedisStore:
    """Counters in Redis hashes that expire with their window; one Lua script makes each hit atomic.

    Hits are sent in pipelines: the hits asked for while one pipeline is on its way go together in the
    next (one round trip and one connection for all of them, in order). One round trip per hit, each
    holding a pooled connection, ran the pool dry when every chat message of 1,000 consultations was
    counted at once: checks waited 5 s for a connection and the chat failed (bench signaling).
    """

    MAX_BATCH = 500

    HIT = """
    local hits = redis.call('HINCRBY', KEYS[1], 'hits', 1)
    local ttl = redis.call('PTTL', KEYS[1])
    if hits == 1 or ttl < 0 then
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        ttl = tonumber(ARGV[1])
    elseif tonumber(ARGV[2]) > 0 and hits > tonumber(ARGV[3]) then
        local wanted = math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) * 2 ^ math.min(hits - tonumber(ARGV[3]), 30))
        if wanted > ttl then
            redis.call('PEXPIRE', KEYS[1], math.floor(wanted))
            ttl = wanted
        end
    end
    return {hits, ttl}
    """
    UNDO = """
    local hits = tonumber(redis.call('HGET', KEYS[1], 'hits') or '0')
    if hits > 0 then redis.call('HINCRBY', KEYS[1], 'hits', -1) end
    return hits
    """

    def __init__(self, url: str, max_connections: int = 8):
        import redis.asyncio as aioredis
        # Blocking: past `max_connections` a check waits for a free connection. The plain pool raised
        # "Too many connections" instead, and every chat message beyond 8 at once failed (bench signaling).
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=5)
        self.redis = aioredis.Redis(connection_pool=pool)
        self.script = self.redis.register_script(self.HIT)
        self.undo_script = self.redis.register_script(self.UNDO)
        self._queued: list[tuple[str, list, asyncio.Future]] = []
        self._sender: asyncio.Task | None = None  # held here: the loop keeps only weak references to tasks

    async def hit(self, key: str, rule: Rule) -> tuple[int, float]:
        """Count one attempt; return (attempts in the window, seconds until the window ends)."""
        done = asyncio.get_running_loop().create_future()
        self._queued.append((key, [rule.window * 1000, (rule.cap or 0) * 1000, rule.limit], done))
        if self._sender is None:
            self._sender = asyncio.ensure_future(self._send())
        hits, ttl_ms = await done
        return int(hits), int(ttl_ms) / 1000

    async def _send(self) -> None:
        """Send the queued hits, oldest first, one pipeline per batch; each hit gets its answer or the error."""
        try:
            while self._queued:
                batch, self._queued = self._queued[:self.MAX_BATCH], self._queued[self.MAX_BATCH:]
                try:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for key, args, _ in batch:
                            await self.script(keys=[key], args=args, client=pipe)
                        answers = await pipe.execute()
                except Exception as error:  # Redis away: those checks fail as one round trip each would
                    answers = [error] * len(batch)
                for (_, _, done), answer in zip(batch, answers):
                    if done.done():
                        continue
                    if isinstance(answer, Exception):
                        done.set_exception(answer)
                    else:
                        done.set_result(answer)
        finally:
            self._sender = None

    async def reset(self, key: str) -> None:
        """Forget a key's attempts (a successful sign-in)."""
        await self.redis.delete(key)

    async def undo(self, key: str) -> None:
        """Take one attempt back (it succeeded); the expiry and any back-off stay."""
        await self.undo_script(keys=[key])

    async def close(self) -> None:
        """Release the Redis connections (at shutdown)."""
        await self.redis.aclose(close_connection_pool=True)


class RateLimiter:
    """The application's limits (at app[RATE_LIMITER]); each `check_*` raises TooManyRequests when refused.

    A flood against one key must not queue up in the store ahead of everyone else's requests: attempts
    on one key go to the store one at a time, and once the store has refused a key this process
    refuses it from memory until the wait is over (the next attempt after that reaches the store
    again, so the back-off still grows).
    """

    def __init__(self, store, namespace: str = "", enabled: bool = True):
        self.store, self.namespace, self.enabled = store, namespace, enabled
        self._blocked: dict[str, float] = {}  # key -> monotonic time its wait ends
        self._locks: dict[str, list] = {}  # key -> [lock, waiters]

    def _key(self, rule: Rule, *parts) -> str:
        return ":".join(("rl", self.namespace, rule.name, *(str(p) for p in parts)))

    def _refuse_if_blocked(self, key: str, field, message) -> None:
        until = self._blocked.get(key)
        if until is not None:
            left = until - time.monotonic()
            if left > 0:
                raise TooManyRequests(int(left) + 1, message, field=field)
            del self._blocked[key]

    async def _hit(self, rule: Rule, *parts, field: str | None = None, message: str | None = None) -> None:
        if not self.enabled:
            return
        key = self._key(rule, *parts)
        self._refuse_if_blocked(key, field, message)
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                self._refuse_if_blocked(key, field, message)
                hits, seconds_left = await self.store.hit(key, rule)
        finally:
            entry[1] -= 1
            if not entry[1]:
                self._locks.pop(key, None)
        if hits > rule.limit:
            if hits == rule.limit + 1:  # once per window, not once per refused attempt of a flood
                log.warning("rate limit %s reached", rule.name)  # never the login or address itself
            if len(self._blocked) > 10_000:
                now = time.monotonic()
                self._blocked = {k: t for k, t in self._blocked.items() if t > now}
            self._blocked[key] = time.monotonic() + seconds_left
            raise TooManyRequests(int(seconds_left) + 1, message, field=field)

    async def check_login(self, login: str, address: str) -> None:
        """Count a sign-in attempt for this account from this address, then for the address.

        An attempt refused for the account stops there (it costs no hash and is not counted for the
        address: one script flooding one account must not lock out a company behind the same NAT);
        a right password takes its attempt back from the address (`signed_in`). So the address
        bound counts wrong passwords across accounts, and an address past it is refused outright,
        before its requests cost any parsing (see `refused_early`).
        """
        await self._hit(LOGIN_PAIR, _digest(login), address, field="login",
                        message="Too many sign-in attempts; please wait before trying again.")
        await self._hit(LOGIN_ADDRESS, address, field="login", message=ADDRESS_MESSAGE)

    def refused_early(self, address: str) -> TooManyRequests | None:
        """The refusal of a sign-in from an address this process already knows is blocked, or None."""
        if not self.enabled:
            return None
        try:
            self._refuse_if_blocked(self._key(LOGIN_ADDRESS, address), "login", ADDRESS_MESSAGE)
        except TooManyRequests as refused:
            return refused
        return None

    async def signed_in(self, login: str, address: str) -> None:
        """A right password: the account's attempts from this address start again, and the attempt
        is taken back from the address's count."""
        if self.enabled:
            key = self._key(LOGIN_PAIR, _digest(login), address)
            self._blocked.pop(key, None)
            await self.store.reset(key)
            await self.store.undo(self._key(LOGIN_ADDRESS, address))

    async def not_tried(self, login: str, address: str) -> None:
        """The attempt counted by `check_login` never reached the password check (503: the hash pool
        was full): it is taken back from the account's and the address's counts. Without this, a
        morning's 503s from one office were counted as wrong passwords and blocked the address."""
        if self.enabled:
            await self.store.undo(self._key(LOGIN_PAIR, _digest(login), address))
            await self.store.undo(self._key(LOGIN_ADDRESS, address))

    async def check_register(self, phone: str, address: str, invitation: str | None = None) -> None:
        """Count a registration for this phone, then for the invitation link it is made from, or else the address.

        A caller passing `invitation` must refuse the registration unless that link is usable: a
        link is a secret the employer handed to one person, so a company's staff registering from
        one office address are bounded per link, not as a crowd.
        """
        await self._hit(REGISTER_PHONE, _digest(phone), field="phone",
                        message="Too many registrations for this number; please wait before trying again.")
        if invitation is not None:
            await self._hit(REGISTER_INVITATION, _digest(invitation), field="invitation")
        else:
            await self._hit(REGISTER_ADDRESS, address, field="phone")

    async def check_invitation(self, token: str, address: str) -> None:
        """Count an attempt to accept this invitation link, then for the address (`invitation_accepted` takes it back)."""
        await self._hit(ACCEPT_INVITATION, _digest(token), field="token")
        await self._hit(ACCEPT_ADDRESS, address, field="token")

    async def invitation_accepted(self, address: str) -> None:
        """An accepted link: its attempt is taken back from the address's count (failures are what it bounds)."""
        if self.enabled:
            await self.store.undo(self._key(ACCEPT_ADDRESS, address))

    async def check_sms(self, phone: str, address: str) -> None:
        """Count an SMS code sent to this phone, then for the address (for routes that send codes)."""
        await self._hit(SMS_PHONE, _digest(phone), field="phone")
        await self._hit(SMS_ADDRESS, address, field="phone")

    async def check_chat(self, user_id, consultation_id) -> None:
        """Count a chat message of this person in this consultation."""
        await self._hit(CHAT, user_id, consultation_id, field="text",
                        message="You are sending messages too fast; please wait a moment.")

    async def close(self) -> None:
        """Release the store's connections."""
        await self.store.close()


def namespace_for(database_url: str | None) -> str:
    """Keys of deployments (and test runs) sharing one Redis stay apart: they are named after the database."""
    return (urlsplit(database_url or "").path.strip("/") or "clinic")[:40]
