"""Two approvals at or above the programme's dual_approval_min_value: the first operator's approval answers 202 and
leaves the anticipation pending; another operator's approves it; the same operator twice is refused; one denial
denies. Through the API and the admin alike, with four eyes and the budget as for any approval."""

from decimal import Decimal

import pytest
from django.contrib.messages import ERROR, SUCCESS, WARNING
from django.test import Client
from django.utils import timezone

from payments_api.common.tests.problems import assert_problem
from payments_api.notifications.models import Notification
from payments_api.payments.errors import AlreadyApprovedByYou, OwnAnticipationDecision
from payments_api.payments.models import Anticipation, AnticipationStatus, Decision
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

THRESHOLD = Decimal("5000.00")
PENDING, APPROVED, DENIED = (
    AnticipationStatus.PENDING_CONFIRMATION,
    AnticipationStatus.APPROVED,
    AnticipationStatus.DENIED,
)
ANTICIPATIONS = "/admin/payments/anticipation/"


@pytest.fixture
def dual(programme_terms):
    programme_terms(dual_approval_min_value=THRESHOLD)


@pytest.fixture
def large(supplier):
    return AnticipationFactory(payment__supplier=supplier, payment__value=Decimal("6000.00"), new_value=THRESHOLD)


@pytest.fixture
def second_operator(db):
    return OperatorFactory()


def approve(client, anticipation, status="A"):
    return client.patch(f"/api/anticipations/{anticipation.pk}/", {"status": status}, format="json")


def logged(anticipation) -> list[tuple[str, int | None]]:
    return list(RequestLog.objects.filter(anticipation=anticipation).order_by("pk").values_list("action", "user_id"))


def test_two_operators_approve_at_the_threshold_first_202_then_200(
    dual, large, operator, second_operator, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        first = approve(client_for(operator), large)

    assert first.status_code == 202, first.content
    body = first.json()
    stored = Anticipation.objects.get(pk=large.pk)
    assert body["status"] == "PC"
    assert body["approvals"] == [{"user": operator.pk, "at": timezone.localtime(stored.first_approved_at).isoformat()}]
    assert logged(large) == [(RequestLogAction.FIRST_APPROVAL, operator.pk)]
    assert mailoutbox == [] and not Notification.objects.exists()  # the supplier hears of the decision only

    with django_capture_on_commit_callbacks(execute=True):
        second = approve(client_for(second_operator), large)

    assert second.status_code == 200, second.content
    assert second.json()["status"] == "A"
    assert second.json()["approvals"] == body["approvals"]
    assert Anticipation.objects.get(pk=large.pk).status == APPROVED
    assert logged(large) == [
        (RequestLogAction.FIRST_APPROVAL, operator.pk),
        (RequestLogAction.APPROVED, second_operator.pk),
    ]
    assert len(mailoutbox) == 1 and "aprovada" in mailoutbox[0].subject.lower()


def test_the_same_operator_twice_is_refused_and_changes_nothing(dual, large, operator, client_for):
    assert approve(client_for(operator), large).status_code == 202

    response = approve(client_for(operator), large)

    assert_problem(response, 409, "already-approved-by-you")
    assert Anticipation.objects.get(pk=large.pk).status == PENDING
    assert logged(large) == [(RequestLogAction.FIRST_APPROVAL, operator.pk)]


@pytest.mark.parametrize("who", ["first", "second"])
def test_a_denial_after_one_approval_denies(
    dual, large, operator, second_operator, client_for, who, django_capture_on_commit_callbacks, mailoutbox
):
    assert approve(client_for(operator), large).status_code == 202
    denier = operator if who == "first" else second_operator

    with django_capture_on_commit_callbacks(execute=True):
        response = approve(client_for(denier), large, "D")

    assert response.status_code == 200
    assert response.json()["status"] == "D"
    assert logged(large) == [(RequestLogAction.FIRST_APPROVAL, operator.pk), (RequestLogAction.DENIED, denier.pk)]
    assert len(mailoutbox) == 1 and "negada" in mailoutbox[0].subject.lower()


def test_below_the_threshold_one_approval_suffices_as_before(dual, supplier, operator, client_for):
    small = AnticipationFactory(payment__supplier=supplier, new_value=THRESHOLD - Decimal("0.01"))

    response = approve(client_for(operator), small)

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approvals"]) == ("A", [])
    assert logged(small) == [(RequestLogAction.APPROVED, operator.pk)]


def test_without_the_term_a_large_anticipation_takes_one_approval(large, operator, client_for):
    response = approve(client_for(operator), large)

    assert response.status_code == 200 and response.json()["status"] == "A"


def test_four_eyes_hold_for_the_first_and_the_second_approval(dual, supplier, client_for):
    filer, first, second = OperatorFactory(), OperatorFactory(), OperatorFactory()
    payment = PaymentFactory(supplier=supplier, value=Decimal("6000.00"), due_date=days(30))
    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=filer)
    assert anticipation.new_value >= THRESHOLD

    assert_problem(approve(client_for(filer), anticipation), 403, "own-anticipation")
    assert approve(client_for(first), anticipation).status_code == 202
    assert_problem(approve(client_for(filer), anticipation), 403, "own-anticipation")
    assert approve(client_for(second), anticipation).status_code == 200


def test_the_budget_is_consumed_at_the_second_approval_only(dual, large, operator, second_operator, programme_terms):
    programme_terms(monthly_budget=THRESHOLD - Decimal("0.01"))

    first = anticipation_decide(anticipation=large, decision=Decision.APPROVED, decided_by=operator)
    assert first.status == PENDING  # the first approval pays nothing and is not refused for the budget

    from payments_api.payments.errors import BudgetExceeded

    with pytest.raises(BudgetExceeded):
        anticipation_decide(anticipation=large, decision=Decision.APPROVED, decided_by=second_operator)
    programme_terms(monthly_budget=THRESHOLD)
    assert anticipation_decide(
        anticipation=large, decision=Decision.APPROVED, decided_by=second_operator
    ).status == APPROVED


def test_the_service_refuses_the_same_operator_whatever_the_order_of_checks(dual, large, operator):
    anticipation_decide(anticipation=large, decision=Decision.APPROVED, decided_by=operator)

    with pytest.raises(AlreadyApprovedByYou):
        anticipation_decide(anticipation=large, decision=Decision.APPROVED, decided_by=operator)


def test_the_log_filter_finds_first_approvals(dual, large, operator, client_for):
    approve(client_for(operator), large)

    results = client_for(operator).get("/api/logs/", {"action": "f"}).json()["results"]

    assert [(log["action"], log["user"], log["automatic"]) for log in results] == [("F", operator.pk, False)]


def test_a_first_approval_is_one_of_a_kind_in_the_database(large, operator, second_operator):
    from django.db import IntegrityError, transaction

    RequestLog.objects.create(anticipation=large, user=operator, action=RequestLogAction.FIRST_APPROVAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestLog.objects.create(anticipation=large, user=second_operator, action=RequestLogAction.FIRST_APPROVAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestLog.objects.create(anticipation=large, user=None, action=RequestLogAction.DENIED)


# --- the admin --------------------------------------------------------------------------------------------------------


def admin_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in response.context["messages"]]


def run_approve(user, anticipations):
    data = {"action": "approve", "_selected_action": [a.pk for a in anticipations], "post": "yes"}
    return admin_session(user).post(f"{ANTICIPATIONS}?status=all", data, follow=True)


def test_the_admin_action_gives_a_first_approval_then_a_second_operator_approves(dual, supplier):
    first, second = OperatorFactory(is_staff=True), OperatorFactory(is_staff=True)
    large = AnticipationFactory(payment__supplier=supplier, payment__value=Decimal("6000.00"), new_value=THRESHOLD)
    small = AnticipationFactory(payment__supplier=supplier, new_value=Decimal("100.00"))

    confirmation = admin_session(first).post(
        f"{ANTICIPATIONS}?status=all", {"action": "approve", "_selected_action": [large.pk, small.pk]}
    )
    assert b'id="dual-approval-note"' in confirmation.content
    response = run_approve(first, [large, small])

    assert (SUCCESS, "1 anticipation approved.") in messages_of(response)
    assert (WARNING, "1 anticipation has its first approval; another operator must approve it.") in messages_of(
        response
    )
    assert Anticipation.objects.get(pk=large.pk).first_approved_by == first
    queue = admin_session(second).get(ANTICIPATIONS).content.decode()
    assert "waiting 10 days, first of two approvals given" in queue

    again = run_approve(first, [large])
    assert any(level == ERROR and "another operator must give the second" in text for level, text in messages_of(again))

    page = admin_session(second).get(f"{ANTICIPATIONS}{large.pk}/change/").content.decode()
    assert first.email in page and 'id="decide-A"' in page
    response = admin_session(second).post(f"{ANTICIPATIONS}{large.pk}/decide/", {"decision": "A"}, follow=True)

    assert (SUCCESS, f"Anticipation #{large.pk} approved.") in messages_of(response)
    assert Anticipation.objects.get(pk=large.pk).status == APPROVED
    assert logged(large) == [(RequestLogAction.FIRST_APPROVAL, first.pk), (RequestLogAction.APPROVED, second.pk)]


def test_the_admin_refuses_what_the_budget_cannot_pay(supplier, programme_terms):
    programme_terms(monthly_budget=Decimal("99.99"))
    operator = OperatorFactory(is_staff=True)
    anticipation = AnticipationFactory(payment__supplier=supplier, new_value=Decimal("100.00"))

    response = admin_session(operator).post(f"{ANTICIPATIONS}{anticipation.pk}/decide/", {"decision": "A"}, follow=True)

    assert any(level == ERROR and "99.99 is left" in text for level, text in messages_of(response))
    assert Anticipation.objects.get(pk=anticipation.pk).status == PENDING


def test_the_admin_shows_an_automatic_approval_as_the_programmes(supplier, programme_terms):
    programme_terms(auto_approve_min_apr=Decimal("36.50"), auto_approve_max_value=Decimal("984.00"))
    payment = PaymentFactory(supplier=supplier, due_date=days(16), value=Decimal("1000.00"))
    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    page = admin_session(OperatorFactory(is_staff=True)).get(f"{ANTICIPATIONS}{anticipation.pk}/change/")

    assert "the programme (automatic approval)" in page.content.decode()


def test_an_operator_who_filed_cannot_give_the_first_approval_in_the_admin(dual, supplier):
    filer = OperatorFactory(is_staff=True)
    payment = PaymentFactory(supplier=supplier, value=Decimal("6000.00"), due_date=days(30))
    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=filer)

    response = run_approve(filer, [anticipation])

    assert any(level == ERROR and "cannot decide" in text for level, text in messages_of(response))
    assert Anticipation.objects.get(pk=anticipation.pk).first_approved_by is None
    with pytest.raises(OwnAnticipationDecision):
        anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=filer)


def test_the_schema_declares_the_202_and_the_codes_of_a_decision(anonymous_client):
    operation = anonymous_client.get("/api/schema/?format=json").json()["paths"]["/api/anticipations/{id}/"]["patch"]

    assert {"200", "202"} <= operation["responses"].keys()
    conflicts = operation["responses"]["409"]["description"]
    for code in ("anticipation-already-decided", "anticipation-expired", "budget-exceeded", "already-approved-by-you"):
        assert f"`{code}`" in conflicts
    assert "budget-exceeded" in operation["x-problem-codes"]["409"]
