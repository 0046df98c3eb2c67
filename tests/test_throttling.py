"""429 with Retry-After and a problem body; tight rates on the token endpoint per e-mail and per client address.

Each test sets explicit low rates; the autouse cache fixture (conftest.py) gives each test fresh counters.
"""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework import throttling
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from payments_api.common.tests.concurrency import run_together
from payments_api.common.tests.problems import assert_problem
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

PASSWORD = "secret-password"


@pytest.fixture
def rates(settings):
    def set_rates(**overrides):
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = rest

    return set_rates


class Clock:
    """The throttles' time source, held still (a whole minute, then 15 seconds in) until a test moves it."""

    def __init__(self):
        self.now = 1_800_000_000.0 + 15

    def __call__(self):
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttling.SimpleRateThrottle, "timer", staticmethod(clock))
    return clock


def login(email: str, password: str = PASSWORD, ip: str = "198.51.100.1"):
    return APIClient().post("/api/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def assert_throttled(response) -> None:
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def assert_admin_login_throttled(response) -> None:
    """The admin's login answers a page in words, with the wait, rather than the API's problem document."""
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    seconds = int(response["Retry-After"])
    assert seconds > 0
    assert f"Wait {seconds} second".encode() in response.content
    assert b'class="errornote"' in response.content


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


@pytest.mark.postgresql  # the lookup's LOWER() is the database's
def test_look_alike_spellings_log_into_no_one_and_every_spelling_that_does_shares_one_budget(rates, db):
    rates(login_email="3/min", login_ip="100/min")
    user = SupplierFactory(user__email="user01@email.com").user
    # The long s and the dotless i upper-case to S and I, but the lookup compares LOWER(), the expression of the
    # case-insensitive unique index: these are other addresses, of no account, and cannot guess user01's password.
    for attempt, spelling in enumerate(["u\u017fer01@email.com", "user01@ema\u0131l.com"]):
        assert_problem(login(spelling, ip=f"203.0.113.{attempt}"), 401)

    # The spellings that do log into user01 (any case, surrounding spaces) count against one budget.
    for attempt, spelling in enumerate([" USER01@Email.com ", "User01@email.COM", "user01@email.com"]):
        response = login(spelling, ip=f"203.0.113.{10 + attempt}")
        assert response.status_code == 200, response.content
        assert AccessToken(response.json()["access"])["user_id"] == str(user.pk)
    assert_throttled(login("USER01@EMAIL.COM", ip="203.0.113.50"))


def test_spellings_of_an_email_of_no_account_share_a_budget(rates, db):
    rates(login_email="2/min", login_ip="100/min")
    assert_problem(login("\u017fomeone@example.com", ip="203.0.113.1"), 401)
    assert_problem(login("Someone@Example.com", ip="203.0.113.2"), 401)

    assert_throttled(login("SOMEONE@EXAMPLE.COM", ip="203.0.113.3"))


@pytest.mark.parametrize("email", ["\\ud800@example.com", "some\\u0000one@example.com"])
def test_an_email_that_cannot_be_stored_as_text_is_a_validation_problem(db, email):
    body = f'{{"email": "{email}", "password": "{PASSWORD}"}}'

    response = APIClient().post("/api/token/", data=body, content_type="application/json")

    assert_problem(response, 400, "validation-error", fields={"email"})


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
    due_date = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = supplier_client.post("/api/payments/", {"due_date": due_date, "value": "1.00"}, format="json")
    assert_throttled(response)
    assert not Payment.objects.exists()


# --- counting under concurrency ---------------------------------------------------------------------------------------

THREADS = 24
REQUESTS_PER_THREAD = 5


def concurrent_statuses(request) -> list[int]:
    """THREADS threads, each with its own client, each sending REQUESTS_PER_THREAD requests at once."""

    def work(index):
        return [request(index, attempt).status_code for attempt in range(REQUESTS_PER_THREAD)]

    results = run_together(THREADS, work)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [status for statuses in results for status in statuses]


@pytest.fixture
def round_trip_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "payments_api.common.tests.caches.RoundTripCache", "LOCATION": "rt"}}
    cache.clear()
    yield
    cache.clear()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scope", ["user", "anon", "login_ip", "login_email"])
def test_concurrent_requests_never_exceed_the_rate_in_one_window(rates, frozen_clock, round_trip_cache, scope):
    rate = 40
    rates(**{scope: f"{rate}/min"})
    user = SupplierFactory().user
    token = str(AccessToken.for_user(user))

    def request(index, attempt):
        if scope == "user":
            return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/logs/")
        if scope == "anon":
            return APIClient(REMOTE_ADDR="192.0.2.80").post("/api/token/verify/", {"token": "x"}, format="json")
        if scope == "login_ip":
            return login(f"guess{index}-{attempt}@example.com", "wrong", ip="192.0.2.81")
        return login(user.email, "wrong", ip=f"10.0.{index}.{attempt}")

    statuses = concurrent_statuses(request)

    assert len(statuses) == THREADS * REQUESTS_PER_THREAD
    assert statuses.count(429) == len(statuses) - rate
    assert set(statuses) == {429, 200 if scope == "user" else 401}


def test_retry_after_is_the_time_left_in_the_window(rates, frozen_clock, supplier_client):
    rates(user="2/min")
    for _ in range(2):
        assert supplier_client.get("/api/payments/").status_code == 200

    frozen_clock.now += 20  # 35 seconds into the minute
    response = supplier_client.get("/api/payments/")
    assert_throttled(response)
    assert response["Retry-After"] == "25"

    frozen_clock.now += 24.5
    assert supplier_client.get("/api/payments/")["Retry-After"] == "1"

    frozen_clock.now += 0.5  # the next window
    assert supplier_client.get("/api/payments/").status_code == 200
    assert supplier_client.get("/api/payments/").status_code == 200
    assert_throttled(supplier_client.get("/api/payments/"))


def test_the_count_is_one_number_per_user_and_window(rates, frozen_clock, supplier, supplier_client):
    for _ in range(3):
        supplier_client.get("/api/logs/")

    window = int(frozen_clock.now // 60)
    assert cache.get(f"throttle_user_{supplier.user.pk}_{window}") == 3


# --- the admin's login form -------------------------------------------------------------------------------------------


@pytest.fixture
def staff_operator(db):
    """An operator who works in the admin."""
    return OperatorFactory(is_staff=True)


def admin_login(email: str, password: str = PASSWORD, ip: str = "198.51.100.1", client: Client | None = None):
    return (client or Client()).post("/admin/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_password_guessing_in_the_admin_is_throttled_per_email_across_addresses(rates, staff_operator):
    rates(login_email="3/min", login_ip="100/min")
    for attempt in range(3):
        response = admin_login(staff_operator.email, "wrong", ip=f"203.0.113.{attempt}")
        assert response.status_code == 200  # the form again, with its error
        assert b"Please enter the correct" in response.content

    client = Client()
    response = admin_login(f" {staff_operator.email.upper()} ", ip="203.0.113.99", client=client)
    assert_admin_login_throttled(response)
    assert "_auth_user_id" not in client.session  # not logged in, even with the right password
    assert admin_login("someone-else@example.com", "wrong", ip="203.0.113.99").status_code == 200


def test_one_address_trying_many_emails_in_the_admin_is_throttled(rates, staff_operator):
    rates(login_email="100/min", login_ip="3/min")
    for attempt in range(3):
        assert admin_login(f"guess{attempt}@example.com", ip="192.0.2.7").status_code == 200

    assert_admin_login_throttled(admin_login(staff_operator.email, ip="192.0.2.7"))
    assert Client().get("/admin/login/", REMOTE_ADDR="192.0.2.7").status_code == 200  # the page itself still loads
    assert admin_login(staff_operator.email, ip="192.0.2.8").status_code == 302  # logged in elsewhere


def test_the_admin_and_the_api_share_the_login_budget(rates, staff_operator):
    rates(login_email="3/min", login_ip="100/min")
    for attempt in range(2):
        assert_problem(login(staff_operator.email, "wrong", ip=f"203.0.113.{attempt}"), 401)
    assert admin_login(staff_operator.email, "wrong", ip="203.0.113.2").status_code == 200

    assert_admin_login_throttled(admin_login(staff_operator.email, ip="203.0.113.3"))
    assert_throttled(login(staff_operator.email, ip="203.0.113.4"))


def test_the_admin_login_counts_the_email_as_its_form_reads_it(rates, staff_operator):
    rates(login_email="1/min", login_ip="100/min")
    full_width = staff_operator.email.replace("o", "\uff4f")  # NFKC-normalised to the same address by the form
    assert admin_login(full_width, ip="203.0.113.1").status_code == 302

    assert_admin_login_throttled(admin_login(staff_operator.email, ip="203.0.113.2"))
