"""The metrics of a real gunicorn with two workers: one scrape, answered by one worker, counts both workers' requests;
each request writes one JSON line with its id. gunicorn.conf.py sets the metrics directory up and empties it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from payments_api.common.tests.metrics import parse_samples, value

PROJECT_DIR = Path(__file__).resolve().parents[3]
REQUESTS_TO_THE_FREE_WORKER = 6

pytestmark = pytest.mark.postgresql


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_of_the_tests() -> str:
    """DATABASE_URL with the test database's name, which the gunicorn workers are to use."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def gunicorn(db, tmp_path):
    """gunicorn with two sync workers on a free loopback port, its stdout (the service's logs) in a file."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    stale = metrics_dir / "counter_999999.db"
    stale.write_bytes(b"left by an earlier run")
    runtime_dir = tmp_path / "runtime"  # where gunicorn's control socket would go by default
    runtime_dir.mkdir()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_tests(),
        "DJANGO_SETTINGS_MODULE": "payments_api.settings",
        "SECRET_KEY": "gunicorn-test-secret-key-long-enough-for-hs256-signing",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "XDG_RUNTIME_DIR": str(runtime_dir),
    }
    for unset in ("CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL", "SENTRY_DSN"):
        environment.pop(unset, None)
    stdout, stderr = (tmp_path / "stdout.log").open("w+"), (tmp_path / "stderr.log").open("w+")
    server = subprocess.Popen(
        # The configuration as deployed; only the address differs (loopback, a free port).
        [sys.executable, "-m", "gunicorn", "payments_api.wsgi", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}"],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=stdout,
        stderr=stderr,
    )
    try:
        deadline = time.monotonic() + 30
        while (tmp_path / "stderr.log").read_text().count("Booting worker") < 2:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "stderr.log").read_text()
            time.sleep(0.1)
        yield {
            "port": port,
            "metrics_dir": metrics_dir,
            "stale": stale,
            "stdout": tmp_path / "stdout.log",
            "runtime_dir": runtime_dir,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        stdout.close()
        stderr.close()


def get(port: int, path: str, **headers: str):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310: the test's own loopback server
        return response.status, dict(response.headers), response.read()


def test_one_scrape_counts_the_requests_of_both_workers_and_each_request_logs_one_json_line(gunicorn):
    port = gunicorn["port"]
    # A request whose headers have not all arrived holds one sync worker: the next requests go to the other.
    held = socket.create_connection(("127.0.0.1", port), timeout=10)
    held.sendall(b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: held-request\r\n")
    time.sleep(0.5)
    ids = [f"free-worker-{index}" for index in range(REQUESTS_TO_THE_FREE_WORKER)]
    for request_id in ids:
        status, headers, _ = get(port, "/health/", **{"X-Request-ID": request_id})
        assert status == 200 and headers["X-Request-ID"] == request_id
    held.sendall(b"Connection: close\r\n\r\n")
    answer = b""
    while chunk := held.recv(65536):
        answer += chunk
    held.close()
    assert answer.startswith(b"HTTP/1.1 200") and b"X-Request-ID: held-request" in answer

    status, _, body = get(port, "/metrics")

    assert status == 200
    samples = parse_samples(body.decode())
    count = "payments_api_http_request_duration_seconds_count"
    assert value(samples, count, route="/health/", method="GET", status="200") == REQUESTS_TO_THE_FREE_WORKER + 1
    assert not gunicorn["stale"].exists()  # emptied at start: an earlier run's counts are not added
    lines = [json.loads(line) for line in gunicorn["stdout"].read_text().splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["logger"] == "payments_api.requests"]
    assert [line["route"] for line in request_lines].count("/metrics") == 1  # the scrape's own, written before it
    request_lines = [line for line in request_lines if line["route"] == "/health/"]
    assert sorted(line["request_id"] for line in request_lines) == sorted([*ids, "held-request"])
    held_line = next(line for line in request_lines if line["request_id"] == "held-request")
    free_pids = {line["pid"] for line in request_lines if line["request_id"] != "held-request"}
    assert len(free_pids) == 1 and held_line["pid"] not in free_pids  # two workers served them
    assert all(line["status"] == 200 and line["method"] == "GET" and line["db_queries"] == 1 for line in request_lines)


def test_no_control_socket_is_opened_unless_a_path_is_given(gunicorn):
    # gunicorn's default, $XDG_RUNTIME_DIR/gunicorn.ctl, is one path for every gunicorn the user runs on the machine.
    assert get(gunicorn["port"], "/health/")[0] == 200
    assert list(gunicorn["runtime_dir"].iterdir()) == []
