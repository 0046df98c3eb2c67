"""manage.py seed_load: a load-test population on PostgreSQL, in every state, that the database's own rules accept."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from payments_api.payments.management.commands.seed_load import EMAIL_DOMAIN
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment, PaymentStatus
from payments_api.payments.pricing import anticipation_new_value
from payments_api.programme.models import Programme
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.cnpj import is_valid_cnpj
from payments_api.users.models import Supplier, User

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded():
    call_command("seed_load", suppliers=7, payments=700, operators=3, stdout=None)


def test_it_creates_what_it_is_asked_for(seeded):
    assert User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", is_operator=True).count() == 3
    assert Supplier.objects.count() == 7
    assert Payment.objects.count() == 700
    assert set(Payment.objects.values("supplier").annotate(n=Count("id")).values_list("n", flat=True)) == {100}
    assert all(is_valid_cnpj(cnpj) for cnpj in Supplier.objects.values_list("reg_number", flat=True))


def test_every_payment_state_and_anticipation_status_is_present(seeded):
    today = timezone.localdate()
    for state, condition in PaymentStatus.conditions(today=today).items():
        assert Payment.objects.filter(condition).exists(), state
    assert set(Anticipation.objects.values_list("status", flat=True)) == set(AnticipationStatus.values)


def test_anticipations_follow_the_rules_of_the_service(seeded):
    for anticipation in Anticipation.objects.select_related("payment"):
        payment = anticipation.payment
        assert payment.creation_date <= anticipation.creation_date <= anticipation.new_due_date < payment.due_date
        assert anticipation.new_value == anticipation_new_value(
            value=payment.value,
            days_early=(payment.due_date - anticipation.new_due_date).days,
            monthly_rate=anticipation.monthly_rate,
        )
        assert anticipation.monthly_rate == Programme.objects.get().monthly_rate


def test_every_anticipation_is_logged_once_requested_and_once_per_decision(seeded):
    actions = {}
    for anticipation_id, action in RequestLog.objects.values_list("anticipation_id", "action"):
        actions.setdefault(anticipation_id, []).append(action)
    for anticipation in Anticipation.objects.all():
        expected = [RequestLogAction.REQUESTED]
        if anticipation.status != AnticipationStatus.PENDING_CONFIRMATION:
            expected.append(anticipation.status)
        assert actions[anticipation.pk] == expected


def test_new_rows_get_fresh_ids_after_seeding(seeded, supplier):
    payment = Payment.objects.create(supplier=supplier, due_date=timezone.localdate(), value=1)

    assert payment.pk > 700


@pytest.mark.parametrize("hour_utc", [3, 10, 23])
def test_no_action_is_logged_after_the_seeding_started(hour_utc, monkeypatch):
    started = datetime.datetime(2026, 11, 23, hour_utc, 0, tzinfo=datetime.timezone.utc)
    monkeypatch.setattr(timezone, "now", lambda: started)

    call_command("seed_load", suppliers=5, payments=2000, operators=2, stdout=None)

    assert RequestLog.objects.filter(created_at__date=timezone.localdate(started)).exists()  # today's are there
    assert not RequestLog.objects.filter(created_at__gt=started).exists()


def test_a_seeded_database_is_not_seeded_twice(seeded):
    with pytest.raises(CommandError, match="already holds users"):
        call_command("seed_load", suppliers=1, payments=1)


def test_a_database_in_use_is_refused_and_left_as_it_was(supplier):
    with pytest.raises(CommandError, match="already holds users"):
        call_command("seed_load", suppliers=1, payments=1)

    assert list(User.objects.all()) == [supplier.user]
