"""The two-role deployment: connected as the application role after `grant_app_role`, the service can do its work,
and cannot empty, change, delete or unprotect the audit trail. The suite's own connection plays the owner."""

import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory
from payments_api.requestlogs.models import RequestLog
from payments_api.users.tests.factories import OperatorFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PASSWORD = uuid.uuid4().hex


@pytest.fixture
def app_role(settings):
    """A role of its own for this run, created by the command (DATABASE_APP_PASSWORD), dropped afterwards."""
    role = f"pa_app_{uuid.uuid4().hex[:12]}"
    settings.DATABASE_APP_PASSWORD = PASSWORD
    yield role
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {role}")  # its privileges
            cursor.execute(f"DROP ROLE {role}")


def connect_as(role: str):
    params = connection.get_connection_params()
    return psycopg2.connect(
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        dbname=params["dbname"] if "dbname" in params else params["database"],
        user=role,
        password=PASSWORD,
    )


def refusal(app, statement: str) -> psycopg2.Error:
    """Run `statement` as the application role and return PostgreSQL's refusal (failing if it succeeded)."""
    try:
        with app.cursor() as cursor:
            cursor.execute(statement)
    except psycopg2.Error as error:
        app.rollback()
        return error
    raise AssertionError(f"{statement} succeeded")


def test_the_application_role_inserts_and_reads_the_log_and_can_do_nothing_else_to_it(app_role, capsys):
    anticipation = AnticipationFactory()
    operator = OperatorFactory()

    call_command("grant_app_role", role=app_role)

    assert "append-only: requestlogs_requestlog" in capsys.readouterr().out
    app = connect_as(app_role)
    try:
        with app.cursor() as cursor:
            cursor.execute(
                "INSERT INTO requestlogs_requestlog (anticipation_id, user_id, action, created_at)"
                " VALUES (%s, %s, 'A', now()) RETURNING id",
                [anticipation.pk, operator.pk],
            )
            log_id = cursor.fetchone()[0]
            cursor.execute("SELECT action FROM requestlogs_requestlog WHERE id = %s", [log_id])
            assert cursor.fetchone() == ("A",)
        app.commit()

        insufficient_privilege = "42501"  # "permission denied", and ALTER's "must be owner"
        for statement in [
            "UPDATE requestlogs_requestlog SET action = 'D'",
            "DELETE FROM requestlogs_requestlog",
            "TRUNCATE requestlogs_requestlog CASCADE",
            "ALTER TABLE requestlogs_requestlog DISABLE TRIGGER requestlogs_requestlog_no_truncate",
            "ALTER TABLE requestlogs_requestlog DISABLE TRIGGER USER",
            "DROP TRIGGER requestlog_append_only ON requestlogs_requestlog",
            "CREATE TABLE pa_app_scratch (id int)",
        ]:
            error = refusal(app, statement)
            assert error.pgcode == insufficient_privilege, statement
            # The privileges refuse it, before any trigger could: "permission denied" or "must be owner".
            assert "append-only" not in str(error), statement

        # Elsewhere it does the service's work: a payment is created, changed and deleted.
        payment = PaymentFactory.build(supplier=anticipation.payment.supplier)
        with app.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_payment (supplier_id, creation_date, due_date, value)"
                " VALUES (%s, %s, %s, %s) RETURNING id",
                [payment.supplier_id, payment.creation_date, payment.due_date, payment.value],
            )
            payment_id = cursor.fetchone()[0]
            cursor.execute("UPDATE payments_payment SET value = 1 WHERE id = %s", [payment_id])
            cursor.execute("DELETE FROM payments_payment WHERE id = %s", [payment_id])
            assert cursor.rowcount == 1
        app.commit()
        assert refusal(app, "TRUNCATE payments_payment CASCADE").pgcode == insufficient_privilege
    finally:
        app.close()

    assert RequestLog.objects.filter(pk=log_id, action="A").exists()
    assert RequestLog.objects.count() == 1


def test_a_role_that_owns_a_table_or_is_a_superuser_is_refused(app_role):
    from django.core.management.base import CommandError

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {app_role} LOGIN")
        cursor.execute(f"CREATE TABLE {app_role}_owned (id int)")
        cursor.execute(f"ALTER TABLE {app_role}_owned OWNER TO {app_role}")
    try:
        with pytest.raises(CommandError, match="owns"):
            call_command("grant_app_role", role=app_role)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {app_role}_owned")

    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", role=connection.get_connection_params()["user"])


def test_without_a_role_the_command_says_so_and_grants_nothing(settings, capsys):
    settings.DATABASE_APP_ROLE = ""

    call_command("grant_app_role")

    assert "DATABASE_APP_ROLE is not set" in capsys.readouterr().out
