"""PaymentCount and RequestLogCount: kept exact by the database's triggers in the transaction of every change,
whichever path made it, and under concurrent writers; and the operators' list counts read from them."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from payments_api.common.tests.concurrency import run_together
from payments_api.payments.models import (
    Anticipation,
    AnticipationStatus,
    Decision,
    Payment,
    PaymentCount,
    PaymentStatus,
)
from payments_api.payments.selectors import anticipations_count, payments_count, payments_visible_to
from payments_api.payments.services import (
    anticipation_decide,
    anticipation_request,
    payment_counts_compact,
    payment_create,
)
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction, RequestLogCount
from payments_api.requestlogs.selectors import request_logs_count
from payments_api.requestlogs.services import request_log_counts_compact
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

pytestmark = pytest.mark.postgresql


def counted() -> Counter:
    """The payments per (due date, anticipation status or ""), counted from the rows themselves."""
    return Counter(
        (payment.due_date, getattr(getattr(payment, "anticipation", None), "status", ""))
        for payment in Payment.objects.select_related("anticipation")
    )


def kept() -> Counter:
    """The same, as PaymentCount's rows add up (keys whose sum is 0 left out)."""
    totals = PaymentCount.objects.values_list("due_date", "anticipation_status").annotate(n=Sum("payments"))
    return Counter({(due_date, status): n for due_date, status, n in totals if n})


def logs_kept() -> Counter:
    totals = RequestLogCount.objects.values_list("action").annotate(n=Sum("logs"))
    return Counter({action: n for action, n in totals if n})


def logs_counted() -> Counter:
    return Counter(RequestLog.objects.values_list("action", flat=True))


def every_state(supplier) -> None:
    PaymentFactory(supplier=supplier, due_date=days(30))
    PaymentFactory(supplier=supplier, due_date=days(0))
    PaymentFactory(supplier=supplier, due_date=days(-3))
    for status in AnticipationStatus.values:
        AnticipationFactory(payment__supplier=supplier, payment__due_date=days(20), status=status)
        AnticipationFactory(payment__supplier=supplier, payment__due_date=days(-2), status=status)


# --- every path of change -----------------------------------------------------------------------------------------


def test_the_services_keep_the_counts(supplier, operator):
    payment = payment_create(created_by=supplier.user, supplier=supplier, due_date=days(20), value=Decimal("100.00"))
    other = payment_create(created_by=supplier.user, supplier=supplier, due_date=days(20), value=Decimal("200.00"))
    assert kept() == counted() == Counter({(days(20), ""): 2})

    anticipation = anticipation_request(payment=payment, new_due_date=days(5), requested_by=supplier.user)
    assert kept() == counted() == Counter({(days(20), ""): 1, (days(20), "PC"): 1})

    anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)
    denied = anticipation_request(payment=other, new_due_date=days(5), requested_by=supplier.user)
    anticipation_decide(anticipation=denied, decision=Decision.DENIED, decided_by=operator)
    assert kept() == counted() == Counter({(days(20), "A"): 1, (days(20), "D"): 1})
    assert logs_kept() == logs_counted() == Counter({"R": 2, "A": 1, "D": 1})


def test_direct_changes_keep_the_counts(supplier, other_supplier):
    """The admin, a shell or a bulk statement change rows without the services: the triggers count them too."""
    every_state(supplier)
    assert kept() == counted()

    Payment.objects.filter(due_date=days(30)).update(due_date=days(31))  # a due date moved, without anticipation
    Payment.objects.filter(anticipation__status="PC").update(due_date=days(40))  # ... and with one
    Anticipation.objects.filter(status="D").update(status="PC")
    Payment.objects.filter(due_date=days(0)).update(value=Decimal("1.00"), supplier=other_supplier)  # no count moves
    assert kept() == counted()

    Anticipation.objects.filter(payment__due_date=days(-2)).delete()
    Payment.objects.filter(anticipation__isnull=True, due_date__lt=days(0)).delete()
    Payment.objects.bulk_create(
        Payment(supplier=supplier, creation_date=days(-1), due_date=days(n % 3), value=Decimal("5.00"))
        for n in range(7)
    )
    assert kept() == counted()


def test_a_payment_deleted_before_its_anticipation_is_counted_once(supplier):
    """The foreign keys are checked at commit, so a transaction may remove the payment first."""
    anticipation = AnticipationFactory(payment__supplier=supplier, payment__due_date=days(9))
    with transaction.atomic():
        Payment.objects.filter(pk=anticipation.payment_id)._raw_delete(connection.alias)
        Anticipation.objects.filter(pk=anticipation.pk).delete()

    assert kept() == counted() == Counter()


def test_compacting_leaves_one_row_per_key_and_the_same_sums(supplier, operator):
    every_state(supplier)
    for anticipation in Anticipation.objects.filter(status="PC", payment__due_date__gt=days(0)):
        RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)
        RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.APPROVED)
    before, logs_before = kept(), logs_kept()
    assert PaymentCount.objects.count() > len(before)

    assert payment_counts_compact() == PaymentCount.objects.count() == len(before)
    assert request_log_counts_compact() == RequestLogCount.objects.count() == 2
    assert kept() == before == counted()
    assert logs_kept() == logs_before == logs_counted()


def test_compacting_drops_the_keys_that_add_up_to_nothing(supplier):
    payment = PaymentFactory(supplier=supplier, due_date=days(5))
    payment.delete()

    assert payment_counts_compact() == 0
    assert not PaymentCount.objects.exists()


# --- the counts the lists read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-40, -3, -2, -1, 0, 1, 19, 20, 21, 40])
def test_a_state_count_follows_the_date_it_is_asked_on(supplier, operator, offset):
    """Four of the five states depend on today: the counts' due dates say which rows are in each on any day."""
    every_state(supplier)
    today = days(offset)

    for status in PaymentStatus.values:
        rows = payments_visible_to(user=operator, status=status, today=today).count()
        assert payments_count(user=operator, today=today, status=status).value() == rows, status


@pytest.mark.parametrize("after, before", [(-3, None), (None, 0), (-2, 20), (21, None), (5, 1)])
def test_a_due_date_range_is_counted_from_the_counts(supplier, operator, after, before):
    every_state(supplier)
    filters = {
        "due_date_after": after is not None and days(after),
        "due_date_before": before is not None and days(before),
    }
    rows = Payment.objects.all()
    if filters["due_date_after"]:
        rows = rows.filter(due_date__gte=filters["due_date_after"])
    if filters["due_date_before"]:
        rows = rows.filter(due_date__lte=filters["due_date_before"])

    assert payments_count(user=operator, today=days(0), **filters).value() == rows.count()


def test_lists_one_supplier_or_a_suppliers_own_are_counted_by_their_rows(supplier, operator):
    assert payments_count(user=operator, today=days(0), supplier=supplier.pk) is None
    assert payments_count(user=supplier.user, today=days(0)) is None
    assert anticipations_count(user=supplier.user) is None
    assert request_logs_count(user=supplier.user) is None
    assert request_logs_count(user=operator, anticipation=1) is None


# --- concurrency --------------------------------------------------------------------------------------------------

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_one_due_date_lose_no_count():
    """Eight transactions create, request and decide on payments all due the same day: none waits on a counter row,
    none deadlocks, and every change is counted."""
    suppliers = [SupplierFactory() for _ in range(THREADS)]
    operators = [OperatorFactory() for _ in range(THREADS)]

    def work(index):
        supplier = suppliers[index]
        for round_ in range(3):
            with transaction.atomic():
                payment = payment_create(
                    created_by=supplier.user, supplier=supplier, due_date=days(30), value=Decimal("100.00")
                )
                other = payment_create(
                    created_by=supplier.user, supplier=supplier, due_date=days(30), value=Decimal("50.00")
                )
            anticipation = anticipation_request(payment=payment, new_due_date=days(1), requested_by=supplier.user)
            decision = Decision.APPROVED if round_ % 2 else Decision.DENIED
            anticipation_decide(anticipation=anticipation, decision=decision, decided_by=operators[index])
            anticipation_request(payment=other, new_due_date=days(2), requested_by=supplier.user)
        return "done"

    assert run_together(THREADS, work) == ["done"] * THREADS
    assert kept() == counted() == Counter({(days(30), "A"): 8, (days(30), "D"): 16, (days(30), "PC"): 24})
    assert logs_kept() == logs_counted() == Counter({"R": 48, "A": 8, "D": 16})


@pytest.mark.django_db(transaction=True)
def test_a_due_date_moved_while_its_payment_is_anticipated_is_counted_once(supplier):
    """The anticipation's trigger locks its payment: the move and the request commit one after the other, and the
    second counts with what the first wrote, in either order."""
    payments = [PaymentFactory(supplier=supplier, due_date=days(30)) for _ in range(THREADS)]

    def work(index):
        payment = payments[index // 2]
        if index % 2:
            Payment.objects.filter(pk=payment.pk).update(due_date=days(45))
        else:
            AnticipationFactory(payment=payment, new_due_date=days(3), status="PC")
        return "done"

    assert run_together(THREADS, work) == ["done"] * THREADS
    assert kept() == counted()
    assert counted()[(days(45), "PC")] == THREADS // 2


@pytest.mark.django_db(transaction=True)
def test_compacting_while_others_write_loses_nothing(supplier):
    def work(index):
        if index == 0:
            return [payment_counts_compact() >= 0 for _ in range(5)]
        for n in range(5):
            PaymentFactory(supplier=supplier, due_date=days(n))
        return "done"

    results = run_together(4, work)

    assert results == [[True] * 5, "done", "done", "done"]
    assert kept() == counted() == Counter({(days(n), ""): 3 for n in range(5)})
