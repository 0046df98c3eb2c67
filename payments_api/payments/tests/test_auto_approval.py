"""Auto-approval: a request whose APR meets the programme's hurdle, under its ceiling and within the month's budget is
approved in the transaction that creates it, by the programme; the quote says beforehand whether it would be.

The issue's example throughout: 1000.00 due in 16 days, paid today at 3% a month, is 984.00 at an APR of 36.50%.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments_api.notifications.models import Notification
from payments_api.payments.models import Anticipation, AnticipationStatus
from payments_api.payments.selectors import month_budget
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.programme.selectors import business_calendar, programme_current
from payments_api.programme.services import programme_update
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory
from payments_api.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType

pytestmark = pytest.mark.django_db

APR = Decimal("36.50")
NEW_VALUE = Decimal("984.00")


@pytest.fixture
def payment(supplier):
    return PaymentFactory(supplier=supplier, due_date=days(16), value=Decimal("1000.00"))


def request_anticipation(client, payment, offset: int = 0):
    return client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(offset).isoformat()}, format="json"
    )


def quote(client, payment, offset: int = 0):
    return client.get(f"/api/payments/{payment.pk}/quote/", {"new_due_date": days(offset).isoformat()})


def test_a_request_at_exactly_the_hurdle_is_approved_at_once_by_the_programme(
    supplier_client, supplier, payment, programme_terms, django_capture_on_commit_callbacks, mailoutbox
):
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE)

    with django_capture_on_commit_callbacks(execute=True):
        response = request_anticipation(supplier_client, payment)

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "A"
    anticipation = Anticipation.objects.get()
    assert (anticipation.status, anticipation.new_value) == (AnticipationStatus.APPROVED, NEW_VALUE)
    logs = list(RequestLog.objects.order_by("pk").values_list("action", "user_id"))
    assert logs == [(RequestLogAction.REQUESTED, supplier.user.pk), (RequestLogAction.APPROVED, None)]
    # One e-mail, on the approval, saying both.
    notification = Notification.objects.get()
    assert notification.request_log.action == RequestLogAction.APPROVED
    assert notification.context["automatic"] is True
    assert len(mailoutbox) == 1
    assert "solicitada e aprovada" in mailoutbox[0].subject.lower()
    assert "aprovada na hora" in mailoutbox[0].body.lower()


def test_the_log_shows_the_approval_as_automatic_with_no_user(supplier_client, supplier, payment, programme_terms):
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE)
    anticipation_id = request_anticipation(supplier_client, payment).json()["id"]

    logs = supplier_client.get("/api/logs/", {"anticipation": anticipation_id}).json()["results"]

    by_action = {log["action"]: log for log in logs}
    assert (by_action["R"]["user"], by_action["R"]["automatic"]) == (supplier.user.pk, False)
    assert (by_action["A"]["user"], by_action["A"]["automatic"]) == (None, True)


def test_an_english_speaking_supplier_reads_requested_and_approved(
    supplier, payment, programme_terms, django_capture_on_commit_callbacks, mailoutbox
):
    supplier.language = "en"
    supplier.save()
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE)

    with django_capture_on_commit_callbacks(execute=True):
        anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Anticipation requested and approved")
    assert "APPROVED at once" in mailoutbox[0].body


def test_an_automatic_approval_owes_the_requested_and_the_approved_webhooks(supplier, payment, programme_terms):
    WebhookEndpoint.objects.create(
        url="https://erp.example.com/hooks",
        events=[WebhookEventType.ANTICIPATION_REQUESTED, WebhookEventType.ANTICIPATION_APPROVED],
        secret="whsec_" + "A" * 32,
    )
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE)

    anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert sorted(WebhookDelivery.objects.values_list("event_type", flat=True)) == sorted(
        [WebhookEventType.ANTICIPATION_REQUESTED, WebhookEventType.ANTICIPATION_APPROVED]
    )


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param({"auto_approve_min_apr": Decimal("36.51"), "auto_approve_max_value": NEW_VALUE}, id="apr-below"),
        pytest.param({"auto_approve_min_apr": APR, "auto_approve_max_value": Decimal("983.99")}, id="over-ceiling"),
        pytest.param(
            {"auto_approve_min_apr": APR, "auto_approve_max_value": NEW_VALUE, "dual_approval_min_value": NEW_VALUE},
            id="needs-two-approvals",
        ),
        pytest.param(
            {"auto_approve_min_apr": APR, "auto_approve_max_value": NEW_VALUE, "monthly_budget": Decimal("983.99")},
            id="over-budget",
        ),
        pytest.param({}, id="off"),
    ],
)
def test_a_request_that_does_not_qualify_waits_for_an_operator_as_before(
    supplier_client, supplier, payment, programme_terms, terms, django_capture_on_commit_callbacks, mailoutbox
):
    if terms:
        programme_terms(**terms)
    assert quote(supplier_client, payment).json()["auto_approves"] is False

    with django_capture_on_commit_callbacks(execute=True):
        response = request_anticipation(supplier_client, payment)

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "PC"
    assert list(RequestLog.objects.values_list("action", "user_id")) == [("R", supplier.user.pk)]
    assert len(mailoutbox) == 1 and "solicitada" in mailoutbox[0].subject.lower()
    assert "aprovada" not in mailoutbox[0].subject.lower()


def test_the_budget_already_committed_by_other_approvals_stops_an_automatic_approval(
    supplier_client, payment, programme_terms
):
    # 984.00 committed in the same month leaves 16.00 of 1000.00: not enough for another 984.00.
    AnticipationFactory(new_due_date=days(0), new_value=NEW_VALUE, status=AnticipationStatus.APPROVED)
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE, monthly_budget=Decimal("1000.00"))

    assert quote(supplier_client, payment).json()["auto_approves"] is False
    response = request_anticipation(supplier_client, payment)

    assert response.json()["status"] == "PC"


def test_the_quote_says_whether_the_request_auto_approves(supplier_client, payment, programme_terms):
    assert quote(supplier_client, payment).json()["auto_approves"] is False
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE, monthly_budget=NEW_VALUE)

    quoted = quote(supplier_client, payment)

    assert quoted.status_code == 200
    assert quoted.json()["auto_approves"] is True
    assert request_anticipation(supplier_client, payment).json()["status"] == "A"


def test_each_option_says_whether_it_auto_approves_reading_each_months_budget_once(
    supplier_client, payment, programme_terms
):
    # At 3% a month the discount of 1000.00 is 1.00 a day early, so every date's APR is 36.50%; the ceiling of
    # 990.00 lets the dates 10 or more days early through, and the budget of 985.00 those paying 985.00 at most.
    programme_terms(
        auto_approve_min_apr=APR, auto_approve_max_value=Decimal("990.00"), monthly_budget=Decimal("985.00")
    )

    with CaptureQueriesContext(connection) as queries:
        response = supplier_client.get(f"/api/payments/{payment.pk}/quote/", {"page_size": 100})

    options = response.json()["results"]
    assert [option["auto_approves"] for option in options] == [option["days_early"] >= 15 for option in options]
    months = {days(offset).replace(day=1) for offset in range(16)}
    sums = [query for query in queries if 'SUM("payments_anticipation"."new_value")' in query["sql"]]
    assert len(sums) <= len(months)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.decimals(min_value=Decimal("1.00"), max_value=Decimal("50000.00"), places=2),
    offset=st.integers(min_value=0, max_value=29),
    hurdle=st.decimals(min_value=Decimal("30.00"), max_value=Decimal("40.00"), places=2),
    ceiling=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000.00"), places=2),
    budget=st.none() | st.decimals(min_value=Decimal("0.00"), max_value=Decimal("60000.00"), places=2),
)
def test_the_quote_and_the_request_agree_on_auto_approval(
    supplier, supplier_client, superuser, value, offset, hurdle, ceiling, budget
):
    programme_update(
        changed_by=superuser, auto_approve_min_apr=hurdle, auto_approve_max_value=ceiling, monthly_budget=budget
    )
    payment = PaymentFactory(supplier=supplier, due_date=days(30), value=value)
    # The examples share the test's transaction: approvals of earlier ones count in their month.
    remaining = month_budget(day=days(offset)).remaining

    quoted = quote(supplier_client, payment, offset)
    requested = request_anticipation(supplier_client, payment, offset)

    if quoted.status_code != 200:  # a date that leaves nothing to pay is refused by both alike
        assert requested.status_code == quoted.status_code
        return
    body = quoted.json()
    expected = Decimal(body["apr"]) >= hurdle and Decimal(body["new_value"]) <= ceiling
    expected = expected and (remaining is None or Decimal(body["new_value"]) <= remaining)
    assert body["auto_approves"] is expected
    assert requested.status_code == 201
    assert requested.json()["status"] == ("A" if expected else "PC")


@pytest.fixture
def warm_calendar():
    """The calendar is read once per process (programme.selectors.business_calendar): read it before counting."""
    business_calendar(programme=programme_current())


# A pending request's queries: its savepoint, the payment's lock, the programme, the anticipation (in a savepoint of
# its own), the log, the webhook endpoints, the e-mail, the release.
PENDING_REQUEST_QUERIES = 10


@pytest.mark.parametrize("terms", [{}, {"auto_approve_min_apr": Decimal("36.51"), "monthly_budget": NEW_VALUE}])
def test_a_request_that_does_not_qualify_costs_no_query_more_and_locks_no_month(
    supplier, payment, programme_terms, terms, warm_calendar
):
    if terms:
        programme_terms(**terms, auto_approve_max_value=NEW_VALUE)

    with CaptureQueriesContext(connection) as queries:
        anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert len(queries) == PENDING_REQUEST_QUERIES, [query["sql"] for query in queries]
    assert not [query for query in queries if "programme_budgetmonth" in query["sql"]]


@pytest.mark.postgresql  # the month's row lock is a SELECT ... FOR UPDATE, which SQLite does not have
def test_an_automatic_approval_adds_the_months_lock_and_sum_and_its_own_log(
    supplier, payment, programme_terms, warm_calendar
):
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE, monthly_budget=NEW_VALUE)

    with CaptureQueriesContext(connection) as queries:
        anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert anticipation.status == AnticipationStatus.APPROVED
    # The month's row (created if need be, then locked), the committed sum, the approval's log row and the approved
    # webhook's endpoints; the one e-mail is written for the approval instead of the request.
    assert len(queries) == PENDING_REQUEST_QUERIES + 5, [query["sql"] for query in queries]
    sql = [query["sql"] for query in queries]
    assert len([query for query in sql if "programme_budgetmonth" in query and "FOR UPDATE" in query]) == 1


def test_the_admin_names_the_programme_as_who_acted_on_the_e_mail(supplier, payment, programme_terms, client):
    programme_terms(auto_approve_min_apr=APR, auto_approve_max_value=NEW_VALUE)
    anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
    client.force_login(OperatorFactory(is_staff=True))

    page = client.get("/admin/notifications/notification/")

    assert page.status_code == 200
    assert "the programme (automatic approval)" in page.content.decode()
