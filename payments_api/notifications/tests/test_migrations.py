"""Outbox rows written before the caller told the outbox what to say keep every fact their e-mail needs."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payments_api.notifications.models import Notification
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction

BEFORE = [("notifications", "0003_language_valid")]
AFTER = [("notifications", "0004_context_from_the_caller")]


def latest():
    """The app's last migration, where the suite's database must be left."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes("notifications")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_pending_row_from_before_gets_its_context_from_the_action_it_is_about(operator):
    anticipation = AnticipationFactory(
        payment__value=Decimal("12345.67"),
        payment__due_date=datetime.date(2027, 3, 15),
        new_due_date=datetime.date(2027, 3, 1),
        new_value=Decimal("12100.00"),
    )
    log = RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.APPROVED)
    old_apps = migrate(BEFORE)
    try:
        old = old_apps.get_model("notifications", "Notification").objects.create(
            request_log_id=log.pk, recipient="supplier@example.com", language="en"
        )
    finally:
        migrate(AFTER)
        migrate(latest())

    assert Notification.objects.get(pk=old.pk).context == {
        "corporate_name": anticipation.payment.supplier.corporate_name,
        "action": "A",
        "payment_id": anticipation.payment_id,
        "value": "12345.67",
        "due_date": "2027-03-15",
        "new_value": "12100.00",
        "new_due_date": "2027-03-01",
    }
