"""429 with Retry-After and a problem body; tight rates on the token endpoint per e-mail and per client address.

Each test sets explicit low rates; the autouse cache fixture (conftest.py) gives each test fresh counters.
"""

import pytest
from rest_framework.test import APIClient

from payments_api.common.tests.problems import assert_problem

PASSWORD = "secret-password"


@pytest.fixture
def rates(settings):
    def set_rates(**overrides):
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = rest

    return set_rates


def login(email: str, password: str = PASSWORD, ip: str = "198.51.100.1"):
    return APIClient().post("/api/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def assert_throttled(response) -> None:
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_password_guessing_on_one_email_is_throttled_across_addresses(rates, supplier):
    rates(login_email="3/min", login_ip="100/min")
    email = supplier.user.email
    for attempt in range(3):
        assert_problem(login(email, "wrong", ip=f"203.0.113.{attempt}"), 401)

    # The same account from yet another address, even with the right password (and in another case), waits.
    assert_throttled(login(email.upper(), ip="203.0.113.99"))
    # Other accounts are not affected.
    other = login("someone-else@example.com", "wrong", ip="203.0.113.99")
    assert other.status_code == 401


def test_one_address_trying_many_emails_is_throttled(rates, supplier):
    rates(login_email="100/min", login_ip="3/min")
    for attempt in range(3):
        assert_problem(login(f"guess{attempt}@example.com", ip="192.0.2.7"), 401)

    assert_throttled(login(supplier.user.email, ip="192.0.2.7"))
    assert login(supplier.user.email, ip="192.0.2.8").status_code == 200


def test_login_rates_by_default_are_tight(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["login_email"] == "5/min"
    assert rates["login_ip"] == "20/min"


def test_authenticated_requests_are_throttled_per_user(rates, supplier_client, other_supplier_client):
    rates(user="2/min")
    assert supplier_client.get("/api/payments/").status_code == 200
    assert supplier_client.get("/api/anticipations/").status_code == 200

    assert_throttled(supplier_client.get("/api/logs/"))
    assert other_supplier_client.get("/api/logs/").status_code == 200


def test_anonymous_requests_are_throttled_per_address(rates, db):
    # (A protected endpoint refuses a caller without a token first, with a 401 that costs no query.)
    rates(anon="2/min")
    client = APIClient(REMOTE_ADDR="192.0.2.50")
    for _ in range(2):
        assert_problem(client.post("/api/token/refresh/", {"refresh": "x"}, format="json"), 401)

    assert_throttled(client.post("/api/token/refresh/", {"refresh": "x"}, format="json"))
    assert_throttled(client.post("/api/token/verify/", {"token": "x"}, format="json"))
    assert_throttled(client.get("/api/schema/"))
    other = APIClient(REMOTE_ADDR="192.0.2.51").post("/api/token/refresh/", {"refresh": "x"}, format="json")
    assert other.status_code == 401


def test_a_throttled_post_creates_nothing(rates, supplier_client):
    from payments_api.payments.models import Payment

    rates(user="1/min")
    supplier_client.get("/api/payments/")
    response = supplier_client.post("/api/payments/", {"due_date": "2999-01-01", "value": "1.00"}, format="json")
    assert_throttled(response)
    assert not Payment.objects.exists()
