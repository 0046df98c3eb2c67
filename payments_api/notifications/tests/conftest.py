import pytest

from payments_api.notifications import services


@pytest.fixture(autouse=True)
def _publishing_not_paused(monkeypatch):
    """Each test starts as a fresh process would: not pausing its publishes after an earlier test's broker failure."""
    monkeypatch.setattr(services, "_publishing_paused_until", 0.0)
