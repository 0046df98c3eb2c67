"""The cache in Redis, and what the service does while Redis is unreachable: it keeps serving.

The cache holds the throttling counters and the authenticated users (users/selectors.py). Neither is needed to
answer a request correctly, so an outage degrades the service rather than failing every request with a 500:

- the counters fall back to the process's own memory: each limit then holds per process rather than per
  deployment (multiplied by the number of processes) until Redis answers again;
- the authenticated users are not cached at all (`cache_in_outage()`): a copy in one process's memory would outlive
  a deactivation made in another. Each request reads its user from the database instead;
- a key deleted during the outage (a user changed, so its cached copy must go) is deleted again from Redis when it
  answers, so no copy cached before the outage outlives the change.

After a failure the process leaves Redis alone for CACHE_RETRY_SECONDS, then tries it again on the next call; the
outage is logged when it starts and when it ends, and `/health/` reports the cache as "degraded" meanwhile.
"""

import functools
import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class _Outage:
    """One per Redis location and process: since when Redis has been unreachable, and what to delete on its return."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since: float | None = None  # time.time() of the first failure
        self.retry_at = 0.0  # time.monotonic() before which Redis is not tried again
        self.deleted: set[tuple[str, int | None]] = set()


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


class FallbackRedisCache(RedisCache):
    """django-redis that keeps answering from the process's memory while Redis is unreachable (see the module)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        with _outages_lock:
            self._outage = _outages.setdefault(str(server), _Outage())
        self._memory = LocMemCache(
            f"redis-fallback:{server}", {"KEY_PREFIX": params.get("KEY_PREFIX", ""), "OPTIONS": {"MAX_ENTRIES": 10000}}
        )

    # --- the state -------------------------------------------------------------------------------------------------

    def outage_since(self) -> float | None:
        """When this process found Redis unreachable (time.time()), or None while it answers."""
        return self._outage.since

    def ping(self) -> bool:
        """Ask Redis now (unless it failed within CACHE_RETRY_SECONDS): whether it answers."""
        return self._call("_ping")

    def _ping(self) -> bool:
        self.client.get_client(write=False).ping()
        return True

    def _call(self, name, *args, **kwargs):
        outage = self._outage
        if outage.since is not None and time.monotonic() < outage.retry_at:
            return self._fallback(name, *args, **kwargs)
        operation = self._ping if name == "_ping" else functools.partial(getattr(RedisCache, name), self)
        try:
            result = operation(*args, **kwargs)
        except (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError) as error:
            self._failed(error)
            return self._fallback(name, *args, **kwargs)
        if outage.since is not None:
            self._recovered()
        return result

    def _failed(self, error: Exception) -> None:
        outage = self._outage
        with outage.lock:
            outage.retry_at = time.monotonic() + settings.CACHE_RETRY_SECONDS
            if outage.since is None:
                outage.since = time.time()
                logger.error("Cache unreachable, serving from per-process memory: %s", error)

    def _recovered(self) -> None:
        outage = self._outage
        with outage.lock:
            deleted, outage.deleted = outage.deleted, set()
            started, outage.since = outage.since, None
        for key, version in deleted:
            try:
                RedisCache.delete(self, key, version=version)
            except ConnectionInterrupted:  # gone again: delete it on the next return
                with outage.lock:
                    outage.deleted.add((key, version))
        logger.warning(
            "Cache reachable again after %.0f s; %d key(s) deleted meanwhile",
            time.time() - (started or time.time()),
            len(deleted),
        )
        self._memory.clear()

    def _fallback(self, name, *args, **kwargs):
        if name == "_ping":
            return False
        if name in ("delete", "delete_many"):
            keys = [args[0]] if name == "delete" else list(args[0])
            with self._outage.lock:
                self._outage.deleted.update((key, kwargs.get("version")) for key in keys)
        return getattr(self._memory, name)(*args, **kwargs)

    # --- the operations the service uses ---------------------------------------------------------------------------

    def get(self, key, default=None, version=None, client=None):
        return self._call("get", key, default=default, version=version)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def clear(self):
        self._memory.clear()
        return self._call("clear")


def cache_in_outage(cache) -> bool:
    """Whether `cache` is a Redis this process cannot reach now: what is written to it stays in this process."""
    outage_since = getattr(cache, "outage_since", None)
    return bool(outage_since and outage_since() is not None)
