"""The shipped deployment describes a working one. Docker does not run in CI, so its files are read as data."""

from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")


def test_the_web_processes_share_their_throttling_counters_in_redis():
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert SERVICES["web"]["depends_on"]["redis"] == {"condition": "service_healthy"}
