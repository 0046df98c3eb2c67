"""Running test work in several threads at once, each thread with its own database connection."""

import threading

from django.db import connection

TIMEOUT = 30


def run_together(count: int, work) -> list:
    """Run work(index) in `count` threads released at once by a barrier; return results (or exceptions) in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = work(index)
        except BaseException as exc:  # noqa: B036 - reported to the test, which asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    return results
