"""The shipped deployment describes a working one. Docker does not run in CI, so its files are read as data."""

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (PROJECT_DIR / "Dockerfile").read_text().replace("\\\n", " ")
APP_SERVICES = ("web", "worker", "beat")
LONG_RUNNING = ("db", "rabbitmq", "redis", "web", "worker", "beat", "mailpit")


def test_the_web_processes_share_their_throttling_counters_in_redis():
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert SERVICES["web"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_migrations_run_once_before_web_worker_and_beat_start():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == "sh contrib/release.sh"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate.get("restart", "no") == "no"  # a one-shot: restarting it would loop
    for name in APP_SERVICES:
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in SERVICES[name]["command"]


def test_the_processes_connect_as_the_application_role_and_only_the_release_step_as_the_owner():
    """Two roles (docs/security.md): the owner migrates and grants, the application role serves."""
    migrate = SERVICES["migrate"]["environment"]
    owner = urlsplit(migrate["DATABASE_OWNER_URL"]).username
    for name in APP_SERVICES:
        # The same settings everywhere but the database's; the worker also serves its metrics.
        environment = dict(SERVICES[name]["environment"])
        for worker_only in ("WORKER_METRICS_PORT", "WORKER_METRICS_ADDR"):
            environment.pop(worker_only, None)
        assert urlsplit(environment["DATABASE_URL"]).username == migrate["DATABASE_APP_ROLE"] != owner
        assert {"DATABASE_OWNER_URL", "DATABASE_APP_PASSWORD"}.isdisjoint(environment)
        assert {key: value for key, value in migrate.items() if not key.startswith("DATABASE_")} == {
            key: value for key, value in environment.items() if not key.startswith("DATABASE_")
        }
    assert owner == SERVICES["db"]["environment"]["POSTGRES_USER"]
    release = (PROJECT_DIR / "contrib" / "release.sh").read_text()
    assert release.index("manage.py migrate --noinput") < release.index("manage.py grant_app_role")
    assert 'DATABASE_URL="${DATABASE_OWNER_URL:-' in release
    procfile = dict(line.split(": ", 1) for line in (PROJECT_DIR / "Procfile").read_text().splitlines() if line)
    assert procfile["release"] == "sh contrib/release.sh"


def test_long_running_services_come_back_after_a_crash_or_a_reboot():
    restart = {name: SERVICES[name].get("restart") for name in LONG_RUNNING}

    assert restart == dict.fromkeys(LONG_RUNNING, "unless-stopped")
    assert {name for name, service in SERVICES.items() if "profiles" not in service} == {*LONG_RUNNING, "migrate"}


def test_the_monitoring_profile_adds_a_prometheus_that_scrapes_web_and_worker_with_their_token():
    prometheus = SERVICES["prometheus"]
    config = yaml.safe_load((PROJECT_DIR / "contrib" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    assert prometheus["profiles"] == ["monitoring"]  # off unless asked for
    assert prometheus["restart"] == "unless-stopped"
    assert "./contrib/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert config["rule_files"] == ["alerts.yml"]
    assert jobs["payments-api-web"]["static_configs"] == [{"targets": ["web:8000"]}]
    port = SERVICES["worker"]["environment"]["WORKER_METRICS_PORT"]
    assert jobs["payments-api-worker"]["static_configs"] == [{"targets": [f"worker:{port}"]}]
    assert SERVICES["worker"]["environment"]["WORKER_METRICS_ADDR"] == "0.0.0.0"  # nosec B104: the compose network
    for job in jobs.values():
        assert job["authorization"]["credentials"] == SERVICES["web"]["environment"]["METRICS_TOKEN"]
    assert "web" in SERVICES["web"]["environment"]["ALLOWED_HOSTS"].split(",")  # the Host Prometheus sends


def test_the_image_pins_the_pipenv_that_make_install_uses():
    pinned = re.search(r"^PIPENV_VERSION=(\S+)$", (PROJECT_DIR / "contrib" / "pipenv").read_text(), re.M).group(1)

    assert f"pip install pipenv=={pinned}\n" in DOCKERFILE


def health_check_argv() -> list[str]:
    argv = json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", DOCKERFILE, re.M).group(1))
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def test_only_the_web_container_runs_the_images_health_check():
    for name in ("migrate", "worker", "beat"):
        assert SERVICES[name]["healthcheck"] == {"disable": True}
    assert "healthcheck" not in SERVICES["web"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("allowed_hosts", "healthy"),
    [("payments.example.com,www.example.com", True), ("elsewhere.example.com", False)],
)
def test_the_images_health_check_asks_health_with_an_allowed_host(live_server, settings, allowed_hosts, healthy):
    settings.ALLOWED_HOSTS = ["payments.example.com", "www.example.com"]
    settings.CELERY_BROKER_URL = ""  # /health/ then checks the database alone
    port = str(urlsplit(live_server.url).port)
    environment = {"PATH": os.environ["PATH"], "PORT": port, "ALLOWED_HOSTS": allowed_hosts}

    result = subprocess.run(health_check_argv(), env=environment, capture_output=True, text=True, timeout=30)

    assert (result.returncode == 0) is healthy, result.stderr
    if not healthy:
        assert "HTTP Error 400" in result.stderr


@pytest.fixture
def unused_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_images_health_check_fails_when_nothing_answers(unused_tcp_port):
    environment = {"PATH": os.environ["PATH"], "PORT": str(unused_tcp_port), "ALLOWED_HOSTS": "payments.example.com"}

    result = subprocess.run(health_check_argv(), env=environment, capture_output=True, text=True, timeout=30)

    assert result.returncode != 0
    assert "Connection refused" in result.stderr
