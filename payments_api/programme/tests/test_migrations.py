"""The first migrate seeds the programme from ANTICIPATION_MONTHLY_RATE, and anticipations already stored get that
rate, the one they were priced at."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payments_api.payments.models import Anticipation
from payments_api.programme.models import Programme
from payments_api.users.tests.factories import SupplierFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

BEFORE = [("payments", "0004_payment_external_id"), ("programme", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1]]).apps


def test_existing_anticipations_get_the_rate_the_setting_held_when_the_migration_ran(settings):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = migrate(BEFORE)
    supplier = SupplierFactory()
    payment = old_apps.get_model("payments", "Payment").objects.create(
        supplier_id=supplier.pk, due_date=datetime.date(2027, 1, 31), value=Decimal("1000.00")
    )
    old_apps.get_model("payments", "Anticipation").objects.create(
        payment_id=payment.pk, new_due_date=datetime.date(2027, 1, 15), new_value=Decimal("988.80")
    )
    settings.ANTICIPATION_MONTHLY_RATE = Decimal("0.021")

    migrate(leaves)

    programme = Programme.objects.select_related("version").get()
    assert (programme.monthly_rate, programme.version_id, programme.version.monthly_rate) == (
        Decimal("0.021"),
        1,
        Decimal("0.021"),
    )
    anticipation = Anticipation.objects.get()
    assert (anticipation.monthly_rate, anticipation.programme_version_id) == (Decimal("0.021"), 1)
    assert anticipation.new_value == Decimal("988.80")
