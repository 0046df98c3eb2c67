import pytest

from payments_api.notifications import services


@pytest.fixture(autouse=True)
def _publishing_not_paused(monkeypatch):
    """Each test starts as a fresh process would: not pausing its publishes after an earlier test's broker failure."""
    monkeypatch.setattr(services, "_publishing_paused_until", 0.0)


@pytest.fixture
def web_broker(worker_queue, monkeypatch):
    """Points the web side's publishing at another broker address; the worker keeps its own connection.

    Call the fixture's value with an address; with none, the broker is back: the real one, and a process that has
    not paused its publishing (as the worker running the relay has not).
    """
    from payments_api.celery import app
    from payments_api.common.tests.celery_worker import reset_broker_pools

    working = app.conf.broker_url

    def point_to(url: str = working):
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads this variable before its own configuration
        app.conf.broker_url = url
        reset_broker_pools()
        if url == working:
            monkeypatch.setattr(services, "_publishing_paused_until", 0.0)

    yield point_to
    point_to()


@pytest.fixture
def broker_down(web_broker):
    """The web side publishes to a broker address where nothing listens. Calling the fixture's value brings it back."""
    web_broker("amqp://guest:guest@127.0.0.1:1//")
    return web_broker
