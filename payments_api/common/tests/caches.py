"""A cache for tests that exercise concurrent use of the throttling counters."""

import time

from django.core.cache.backends.locmem import LocMemCache

ROUND_TRIP = 0.002  # seconds, about a network hop to Redis on another host


class RoundTripCache(LocMemCache):
    """The per-process memory cache, each call delayed by a round trip as a cache server's would be.

    Threads then interleave between two calls as they do against Redis: a read followed by a write is no longer
    close to atomic by luck, while each single call (add, incr) stays atomic as it is in Redis.
    """

    def get(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().incr(*args, **kwargs)
