"""A Redis outage degrades the service instead of failing it (common/cache.py): tested against a redis-server of the
test's own, stopped and started again, and against a port where nothing listens."""

import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.tests.factories import PaymentFactory
from payments_api.users.selectors import authentication_cache_key

PASSWORD = "secret-password"

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (apt-get install redis)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server on a free loopback port that keeps its data in a directory of its own across a restart."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # nosec B603: a fixed argument list
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory),
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """Stop it, keeping its data on disk (SHUTDOWN SAVE) for the next start."""
        subprocess.run(  # nosec B603 B607: a fixed argument list
            ["redis-cli", "-p", str(self.port), "shutdown", "save"], capture_output=True, check=False, timeout=10
        )
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.process.kill()
        server.process.wait()


def use_cache_at(settings, url: str) -> None:
    """The production cache settings, pointed at `url`, retried at once after a failure."""
    settings.CACHES = {
        "default": {
            "BACKEND": "payments_api.common.cache.FallbackRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "payments_api",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    settings.CACHE_RETRY_SECONDS = 0


@pytest.fixture
def redis_cache(settings, redis):
    use_cache_at(settings, redis.url)
    return redis


@pytest.fixture
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""


def obtain(user):
    return APIClient().post("/api/token/", {"email": user.email, "password": PASSWORD}, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_with_redis_up_health_is_ok_and_requests_use_it(redis_cache, no_broker, supplier):
    PaymentFactory(supplier=supplier)

    assert APIClient().get("/health/").json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    client = bearer(obtain(supplier.user).json()["access"])
    assert client.get("/api/payments/").json()["count"] == 1
    assert cache.get(authentication_cache_key(supplier.user.pk)) is not None  # the user is cached in Redis


def test_with_redis_stopped_health_is_degraded_and_requests_still_succeed(redis_cache, no_broker, supplier, caplog):
    PaymentFactory(supplier=supplier)
    access = obtain(supplier.user).json()["access"]
    redis_cache.stop()

    with caplog.at_level(logging.ERROR, logger="payments_api.common.cache"):
        health = APIClient().get("/health/")
        listed = bearer(access).get("/api/payments/")
        pair = obtain(supplier.user)

    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "checks": {"database": "ok", "cache": "unavailable"}}
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert pair.status_code == 200 and bearer(pair.json()["access"]).get("/api/payments/").status_code == 200
    assert [record.message for record in caplog.records if "Cache unreachable" in record.message]


def test_with_nothing_listening_at_the_cache_port_requests_still_succeed(settings, no_broker, supplier):
    use_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")
    PaymentFactory(supplier=supplier)

    health = APIClient().get("/health/")
    pair = obtain(supplier.user)

    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["cache"] == "unavailable"
    assert pair.status_code == 200
    assert bearer(pair.json()["access"]).get("/api/payments/").json()["count"] == 1


def test_during_an_outage_the_login_limit_holds_per_process(settings, no_broker, supplier):
    use_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_email": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    statuses = [
        APIClient(REMOTE_ADDR=f"192.0.2.{index}").post(
            "/api/token/", {"email": supplier.user.email, "password": "wrong"}, format="json"
        ).status_code
        for index in range(1, 5)
    ]

    assert statuses == [401, 401, 429, 429]


def test_a_user_deactivated_during_an_outage_is_not_revived_by_the_copy_redis_kept(redis_cache, no_broker, supplier):
    access = obtain(supplier.user).json()["access"]
    assert bearer(access).get("/api/payments/").status_code == 200  # cached in Redis, active
    redis_cache.stop()

    supplier.user.is_active = False
    supplier.user.save()  # the cache's delete cannot reach Redis, which still holds the active copy on disk
    assert_problem(bearer(access).get("/api/payments/"), 401, "user-inactive")

    redis_cache.start()
    assert APIClient().get("/health/").json()["checks"]["cache"] == "ok"  # Redis answers again

    assert cache.get(authentication_cache_key(supplier.user.pk)) is None
    assert_problem(bearer(access).get("/api/payments/"), 401, "user-inactive")


def test_during_an_outage_authenticated_users_are_not_kept_in_the_processs_memory(settings, no_broker, supplier):
    """Another process would not see this one's deletes: each request reads its user from the database."""
    use_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")
    client = bearer(obtain(supplier.user).json()["access"])
    assert client.get("/api/payments/").status_code == 200

    assert cache.get(authentication_cache_key(supplier.user.pk)) is None
    with connection.cursor() as cursor:  # around the models: nothing drops a cached copy
        cursor.execute("UPDATE users_user SET first_name = 'Changed' WHERE id = %s", [supplier.user.pk])
    assert client.get("/api/payments/").wsgi_request.user.first_name == "Changed"
