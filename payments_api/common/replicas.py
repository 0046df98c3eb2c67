"""Reads from PostgreSQL's streaming replicas (DATABASE_REPLICA_URLS): which reads may go to one, which replica, and
which replicas are fit to answer (docs/performance.md, "Scaling out").

- Only the list and detail reads of the API go to a replica (ReplicaReadsMixin on their viewsets), and only when the
  caller has not written within REPLICA_READ_YOUR_WRITES_SECONDS (ReplicaReadYourWritesMiddleware notes each write in
  the cache): a user always sees its own last write. Everything else reads the primary: authentication (a
  deactivation must count at once), throttling, the admin, the tasks, and any read inside a transaction
  (atomic blocks, select_for_update), which is where the services read what they are about to change.
- One replica per request, taken in turn among those fit to answer, so a page and anything else it reads see one
  snapshot.
- A replica is fit while it answers, is still a standby (pg_is_in_recovery(); a promoted one no longer follows the
  primary) and has replayed all that the primary had written at the previous check (WAL positions, not clocks).
  Each process asks every REPLICA_CHECK_SECONDS at most; one that fails is left alone for REPLICA_RETRY_SECONDS,
  its reads going to another or to the primary. /health/ reports each replica.
- While the cache is unreachable the writes cannot be seen across processes, so every read goes to the primary.
"""

import itertools
import logging
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

from payments_api.common.cache import cache_in_outage
from payments_api.common.middleware import request_user_id

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# The replica that this request's reads go to; None: the primary.
_request_replica: ContextVar[str | None] = ContextVar("request_replica", default=None)
_turns = itertools.count()

REPLICA_SQL = """
    SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(),
           CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


@dataclass
class _ReplicaState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    fit: bool = False
    checked_at: float | None = None  # time.monotonic()
    retry_at: float = 0.0  # time.monotonic() before which a failed replica is not asked again
    primary_lsn: int | None = None  # how far the primary had written at the last check


_states: dict[str, _ReplicaState] = {}
_states_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


def _state(alias: str) -> _ReplicaState:
    with _states_lock:
        return _states.setdefault(alias, _ReplicaState())


def _lsn(text: str | None) -> int | None:
    """A pg_lsn ("16/B374D848") as a number."""
    if text is None:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def replica_check(*, alias: str, since_lsn: int | None) -> tuple[str, int | None]:
    """Ask the replica now: "fit" if it answers, is still a standby, and has replayed everything the primary had
    written at the previous check (`since_lsn`; at a first check, it lags by less than REPLICA_CHECK_SECONDS);
    "lagging" if it answers but is behind; "down" otherwise. Returns that and the primary's position now, which
    the next check asks for."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            primary_lsn = _lsn(cursor.fetchone()[0])
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLICA_SQL)
            in_recovery, replayed, lag = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Replica %s unreachable, reading from the primary meanwhile: %s", alias, error)
        connections[alias].close()
        return "down", None
    if not in_recovery:
        logger.warning("Replica %s is not a standby (promoted?): not read from", alias)
        return "down", None
    replayed_lsn = _lsn(replayed)
    if since_lsn is None:
        caught_up = float(lag) < settings.REPLICA_CHECK_SECONDS
    else:
        caught_up = replayed_lsn is not None and replayed_lsn >= since_lsn
    if not caught_up:
        logger.info("Replica %s lags behind the primary: not read from until it catches up", alias)
        return "lagging", primary_lsn
    return "fit", primary_lsn


def replica_fit(*, alias: str) -> bool:
    """Whether reads may go to the replica: its last check, or a new one when that is REPLICA_CHECK_SECONDS old. A
    replica that passed has replayed what the primary held at the check before (at most two intervals earlier), so
    what it serves until the next check is less than three intervals old: REPLICA_READ_YOUR_WRITES_SECONDS is at
    least that (settings.py). One that lags is checked again at the next interval; one that is down (or was
    promoted) is left alone for REPLICA_RETRY_SECONDS."""
    state = _state(alias)
    with state.lock:
        now = time.monotonic()
        if now < state.retry_at:
            return False
        if state.checked_at is None or now - state.checked_at >= settings.REPLICA_CHECK_SECONDS:
            # The previous check's position, when it is recent enough to bound the lag (two checks at most).
            recent = state.checked_at is not None and now - state.checked_at <= 2 * settings.REPLICA_CHECK_SECONDS
            verdict, state.primary_lsn = replica_check(alias=alias, since_lsn=state.primary_lsn if recent else None)
            state.fit = verdict == "fit"
            state.checked_at = time.monotonic()
            if verdict == "down":
                state.retry_at = state.checked_at + settings.REPLICA_RETRY_SECONDS
        return state.fit


def replica_failed(*, alias: str) -> None:
    """A read from the replica failed: leave it alone for REPLICA_RETRY_SECONDS, as a failed check would."""
    state = _state(alias)
    with state.lock:
        state.fit, state.primary_lsn = False, None
        state.checked_at = time.monotonic()
        state.retry_at = state.checked_at + settings.REPLICA_RETRY_SECONDS
    connections[alias].close()


def replicas_health() -> dict[str, bool]:
    """Each replica and whether reads go to it (for /health/)."""
    return {alias: replica_fit(alias=alias) for alias in replica_aliases()}


def replica_choose() -> str | None:
    """The next replica in turn among the fit ones, or None (read the primary)."""
    fit = [alias for alias in replica_aliases() if replica_fit(alias=alias)]
    return fit[next(_turns) % len(fit)] if fit else None


def _pin_key(user_id) -> str:
    return f"replica-pin:{user_id}"


def replica_pin(*, user_id) -> None:
    """`user_id` has just written: its reads go to the primary for REPLICA_READ_YOUR_WRITES_SECONDS."""
    cache.set(_pin_key(user_id), 1, timeout=math.ceil(settings.REPLICA_READ_YOUR_WRITES_SECONDS))


def replica_pinned(*, user_id) -> bool:
    """Whether `user_id` wrote within REPLICA_READ_YOUR_WRITES_SECONDS, or might have (the cache is unreachable)."""
    return cache.get(_pin_key(user_id)) is not None or cache_in_outage(cache)


@contextmanager
def replica_reads_from(*, alias: str | None) -> Iterator[None]:
    """Route the reads made meanwhile (outside transactions) to `alias`, as a list request does."""
    outer = _request_replica.set(alias)
    try:
        yield
    finally:
        _request_replica.reset(outer)


class ReplicaRouter:
    """Reads to the replica chosen for the request, outside transactions; every write, and every read of a request
    that chose none, to the primary."""

    def db_for_read(self, model, **hints):
        replica = _request_replica.get()
        if replica is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return replica

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: a row read from one is the primary's row.
        same_data = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return True if obj1._state.db in same_data and obj2._state.db in same_data else None

    def allow_migrate(self, db, app_label, **hints):
        return False if db in replica_aliases() else None  # a standby follows the primary's schema


class ReplicaReadsMixin:
    """For the API's list and detail viewsets: once the caller is authenticated, a GET of a list or of one object
    reads from a replica, unless the caller has just written."""

    replica_actions = ("list", "retrieve")

    def dispatch(self, request, *args, **kwargs):
        outer = _request_replica.set(None)
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        finally:
            _request_replica.reset(outer)

    def handle_exception(self, exc):
        # A connection lost halfway: the next requests read elsewhere without waiting for the next check.
        if (replica := _request_replica.get()) is not None and isinstance(exc, (OperationalError, InterfaceError)):
            replica_failed(alias=replica)
        return super().handle_exception(exc)  # type: ignore[misc]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if (
            replica_aliases()
            and request.method in ("GET", "HEAD")
            and getattr(self, "action", None) in self.replica_actions
            and not replica_pinned(user_id=request.user.pk)
        ):
            _request_replica.set(replica_choose())


class ReplicaReadYourWritesMiddleware:
    """After a request that may have written (any method but GET, HEAD, OPTIONS, TRACE) by an authenticated user, that
    user reads from the primary for REPLICA_READ_YOUR_WRITES_SECONDS. Noted before the response leaves, so the
    client's next request finds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_aliases():
            if (user_id := request_user_id(request)) is not None:
                replica_pin(user_id=user_id)
        return response
