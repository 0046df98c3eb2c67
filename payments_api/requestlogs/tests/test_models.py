"""The audit trail is append-only, protects what it refers to, and its one-row rules hold in the database."""

import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from payments_api.common.append_only import TRUNCATE_SETTING
from payments_api.payments.models import Anticipation
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import AppendOnlyError, RequestLog, RequestLogAction
from payments_api.users.models import Supplier, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def anticipation(supplier):
    return AnticipationFactory(payment__supplier=supplier)


@pytest.fixture
def log(anticipation, supplier):
    return RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)


def stored(log) -> tuple:
    row = RequestLog.objects.get(pk=log.pk)
    return row.anticipation_id, row.user_id, row.action, row.created_at


# --- append-only in the model ----------------------------------------------------------------------------------------


def test_saving_an_existing_log_row_raises_append_only_error(log, operator):
    before = stored(log)
    log.action = RequestLogAction.APPROVED
    log.user = operator

    with pytest.raises(AppendOnlyError):
        log.save()

    assert stored(log) == before


def test_saving_a_freshly_loaded_log_row_raises_append_only_error(log):
    loaded = RequestLog.objects.get(pk=log.pk)

    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["action"])


def test_deleting_a_log_row_raises_append_only_error(log):
    with pytest.raises(AppendOnlyError):
        log.delete()

    assert RequestLog.objects.filter(pk=log.pk).exists()


def test_a_new_log_row_is_saved(anticipation, operator):
    row = RequestLog(anticipation=anticipation, user=operator, action=RequestLogAction.APPROVED)
    row.save()

    assert RequestLog.objects.get(pk=row.pk).action == RequestLogAction.APPROVED


# --- append-only in the database (PostgreSQL trigger) ----------------------------------------------------------------


@pytest.mark.postgresql  # the append-only trigger is created on PostgreSQL only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE requestlogs_requestlog SET action = 'A' WHERE id = %s",
        "UPDATE requestlogs_requestlog SET created_at = now() WHERE id = %s",
        "DELETE FROM requestlogs_requestlog WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql_updates_and_deletes(log, statement):
    before = stored(log)

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [log.pk])

    assert stored(log) == before


@pytest.mark.postgresql  # the append-only trigger is created on PostgreSQL only
def test_the_database_refuses_a_queryset_update(log):
    before = stored(log)

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            RequestLog.objects.filter(pk=log.pk).update(action=RequestLogAction.DENIED)

    assert stored(log) == before


@pytest.mark.postgresql  # the append-only trigger is created on PostgreSQL only
def test_the_database_refuses_a_queryset_delete(log):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            RequestLog.objects.filter(pk=log.pk).delete()

    assert RequestLog.objects.filter(pk=log.pk).exists()


@pytest.mark.postgresql  # the append-only trigger is created on PostgreSQL only
def test_the_database_still_accepts_inserts(anticipation, operator):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO requestlogs_requestlog (anticipation_id, user_id, action, created_at)"
            " VALUES (%s, %s, 'D', now())",
            [anticipation.pk, operator.pk],
        )

    assert RequestLog.objects.get().action == RequestLogAction.DENIED


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)  # committed rows: TRUNCATE refuses a table with pending deferred FK checks
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE requestlogs_requestlog CASCADE",
        "TRUNCATE payments_anticipation CASCADE",
        "TRUNCATE users_user CASCADE",
    ],
)
def test_the_database_refuses_truncate_even_through_a_cascade(log, statement):
    before = stored(log)

    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert stored(log) == before


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_truncate_setting_alone_allows_nothing_to_a_role_that_is_not_a_superuser(log):
    role = f"pa_truncate_{uuid.uuid4().hex[:12]}"
    before = stored(log)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")
        try:
            # The table's privileges allow the TRUNCATE: only the trigger stands in the way.
            cursor.execute(f"GRANT TRUNCATE ON requestlogs_requestlog, notifications_notification TO {role}")
            with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
                with transaction.atomic():
                    cursor.execute(f"SET LOCAL ROLE {role}")
                    cursor.execute(f"SET LOCAL {TRUNCATE_SETTING} = 'on'")
                    cursor.execute("TRUNCATE requestlogs_requestlog CASCADE")
        finally:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")

    assert stored(log) == before


# --- history protects what it refers to ------------------------------------------------------------------------------


def test_a_payment_with_an_anticipation_cannot_be_deleted(log, anticipation):
    with pytest.raises(ProtectedError):
        with transaction.atomic():
            anticipation.payment.delete()

    assert Anticipation.objects.filter(pk=anticipation.pk).exists()


def test_an_anticipation_with_log_rows_cannot_be_deleted(log, anticipation):
    with pytest.raises(ProtectedError):
        with transaction.atomic():
            anticipation.delete()

    assert Anticipation.objects.filter(pk=anticipation.pk).exists()


def test_a_supplier_with_payments_cannot_be_deleted(log, supplier):
    with pytest.raises(ProtectedError):
        with transaction.atomic():
            supplier.delete()

    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_a_suppliers_user_cannot_be_deleted(log, supplier):
    with pytest.raises(ProtectedError):
        with transaction.atomic():
            supplier.user.delete()

    assert User.objects.filter(pk=supplier.user_id).exists()


def test_an_operator_named_in_the_log_cannot_be_deleted(anticipation, operator):
    RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.APPROVED)

    with pytest.raises(ProtectedError):
        with transaction.atomic():
            operator.delete()

    assert User.objects.filter(pk=operator.pk).exists()


def test_an_operator_never_named_in_the_log_can_be_deleted(operator):
    operator.delete()

    assert not User.objects.filter(pk=operator.pk).exists()


# --- one-row rules as database constraints ---------------------------------------------------------------------------


def test_an_anticipation_is_requested_once(log, anticipation, operator):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.REQUESTED)

    assert RequestLog.objects.filter(anticipation=anticipation).count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (RequestLogAction.APPROVED, RequestLogAction.DENIED),
        (RequestLogAction.DENIED, RequestLogAction.APPROVED),
        (RequestLogAction.APPROVED, RequestLogAction.APPROVED),
    ],
)
def test_an_anticipation_is_decided_once(log, anticipation, operator, first, second):
    RequestLog.objects.create(anticipation=anticipation, user=operator, action=first)

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            RequestLog.objects.create(anticipation=anticipation, user=operator, action=second)

    assert list(RequestLog.objects.filter(anticipation=anticipation).values_list("action", flat=True)) == [
        RequestLogAction.REQUESTED,
        first,
    ]


def test_one_request_and_one_decision_may_coexist(log, anticipation, operator):
    RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.DENIED)

    assert RequestLog.objects.filter(anticipation=anticipation).count() == 2


def test_a_request_and_a_decision_on_another_anticipation_are_independent(log, supplier, operator):
    other = AnticipationFactory(payment__supplier=supplier)

    RequestLog.objects.create(anticipation=other, user=supplier.user, action=RequestLogAction.REQUESTED)
    RequestLog.objects.create(anticipation=other, user=operator, action=RequestLogAction.APPROVED)

    assert RequestLog.objects.count() == 3


def test_an_unknown_action_is_refused_by_the_database(anticipation, operator):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            RequestLog.objects.create(anticipation=anticipation, user=operator, action="X")
