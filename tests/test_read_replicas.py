"""Reads from a real streaming replica (payments_api/common/tests/replica.py): the API's lists and details are answered
by it, with the same bodies as the primary's; a user who has just written reads the primary and sees its write;
transactions read the primary; a replica that is down or lagging is skipped and /health/ says so."""

import datetime
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections, transaction
from django.utils import timezone

from payments_api.common import replicas
from payments_api.common.tests.replica import (
    REPLICA_ALIAS,
    REPLICA_DOWN_ALIAS,
    REPLICA_TWIN_ALIAS,
    replica_catch_up,
)
from payments_api.payments.models import Anticipation, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(
        transaction=True,
        serialized_rollback=True,
        databases=["default", REPLICA_ALIAS, REPLICA_TWIN_ALIAS, REPLICA_DOWN_ALIAS],
    ),
]

WINDOW = 2  # REPLICA_READ_YOUR_WRITES_SECONDS in these tests
CHECK = 0.5  # REPLICA_CHECK_SECONDS


@pytest.fixture
def replica_reads(settings, streaming_replica):
    """The service configured with the replica, checked often; each test starts with no replica checked yet."""
    settings.DATABASE_REPLICAS = [streaming_replica]
    settings.DATABASE_ROUTERS = ["payments_api.common.replicas.ReplicaRouter"]
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = WINDOW
    settings.REPLICA_CHECK_SECONDS = CHECK
    replicas._states.clear()
    yield streaming_replica
    replicas._states.clear()


@pytest.fixture
def down_replica(settings, replica_reads):
    """A second replica whose server does not answer (a port nothing listens on)."""
    settings.DATABASE_REPLICAS = [replica_reads, REPLICA_DOWN_ALIAS]
    return REPLICA_DOWN_ALIAS


@contextmanager
def statements_by_alias():
    """The SQL each database connection ran meanwhile, by alias (the replicas' checks left out)."""
    statements: dict[str, list[str]] = defaultdict(list)

    def recorder(alias):
        def record(execute, sql, params, many, context):
            if "pg_current_wal_lsn" not in sql and "pg_is_in_recovery" not in sql:
                statements[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in connections.settings:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield statements


def ready(alias: str) -> None:
    """Wait until the replica has replayed the test's rows and passes its check."""
    replica_catch_up(alias)
    deadline = time.monotonic() + 15
    while not replicas.replica_fit(alias=alias):
        assert time.monotonic() < deadline, "the replica never passed its check"
        time.sleep(0.1)


def reading(statements: dict[str, list[str]], table: str) -> set[str]:
    """The aliases that read `table`."""
    return {alias for alias, sqls in statements.items() if any(table in sql for sql in sqls)}


@pytest.fixture
def rows(supplier, other_supplier):
    for owner in (supplier, other_supplier):
        PaymentFactory.create_batch(12, supplier=owner)
        for _ in range(3):
            anticipation = AnticipationFactory(payment__supplier=owner)
            RequestLog.objects.create(anticipation=anticipation, user=owner.user, action=RequestLogAction.REQUESTED)


def test_the_replica_is_a_streaming_standby_of_the_test_database(replica_reads, supplier):
    replica_catch_up(replica_reads)

    with connections[replica_reads].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        in_recovery, database = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM users_supplier WHERE id = %s", [supplier.pk])
        assert cursor.fetchone()[0] == 1
    assert in_recovery and database == connections["default"].settings_dict["NAME"]


@pytest.mark.parametrize(
    "path, table",
    [
        ("/api/payments/", "payments_payment"),
        ("/api/payments/?status=PC", "payments_payment"),
        ("/api/anticipations/", "payments_anticipation"),
        ("/api/logs/", "requestlogs_requestlog"),
        ("detail", "payments_payment"),
    ],
)
def test_lists_and_details_are_answered_by_the_replica_with_the_primarys_body(
    settings, replica_reads, rows, supplier, supplier_client, path, table
):
    if path == "detail":
        path = f"/api/payments/{supplier.payments.order_by('pk').first().pk}/"
    ready(replica_reads)
    supplier_client.get("/api/anticipations/?page_size=1")  # the user is authenticated and cached, as between requests

    with statements_by_alias() as statements:
        from_replica = supplier_client.get(path)
    settings.DATABASE_REPLICAS = []
    from_primary = supplier_client.get(path)

    assert from_replica.status_code == 200
    assert from_replica.json() == from_primary.json()
    assert reading(statements, table) == {replica_reads}


def test_an_operators_list_is_answered_by_the_replica(replica_reads, rows, operator_client):
    ready(replica_reads)

    with statements_by_alias() as statements:
        response = operator_client.get("/api/payments/")

    assert response.json()["count"] == Payment.objects.count() == 30
    assert reading(statements, "payments_payment") == {replica_reads}


def test_right_after_a_write_the_writer_reads_the_primary_and_sees_it(
    replica_reads, rows, supplier, supplier_client, other_supplier_client
):
    payment = PaymentFactory(supplier=supplier, due_date=timezone.localdate() + datetime.timedelta(days=40))
    ready(replica_reads)

    requested = supplier_client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": str(timezone.localdate())}, format="json"
    )
    with statements_by_alias() as own_reads:
        own = supplier_client.get("/api/anticipations/")
        own_detail = supplier_client.get(f"/api/payments/{payment.pk}/")
    with statements_by_alias() as others_reads:
        other_supplier_client.get("/api/anticipations/")

    assert requested.status_code == 201, requested.content
    assert requested.json()["id"] in [row["id"] for row in own.json()["results"]]
    assert own.json()["count"] == Anticipation.objects.filter(payment__supplier=supplier).count() == 4
    assert own_detail.json()["status"] == "PC"
    assert reading(own_reads, "payments_") == {"default"}
    assert reading(others_reads, "payments_anticipation") == {replica_reads}  # another user has not written


def test_the_writer_reads_the_replica_again_once_the_window_has_passed(replica_reads, rows, supplier, supplier_client):
    payment = PaymentFactory(supplier=supplier, due_date=timezone.localdate() + datetime.timedelta(days=40))
    requested = supplier_client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": str(timezone.localdate())}, format="json"
    )
    assert requested.status_code == 201
    with statements_by_alias() as within:
        supplier_client.get("/api/payments/")

    time.sleep(WINDOW + 0.2)
    ready(replica_reads)
    with statements_by_alias() as after:
        response = supplier_client.get("/api/anticipations/")

    assert reading(within, "payments_payment") == {"default"}
    assert reading(after, "payments_anticipation") == {replica_reads}
    assert requested.json()["id"] in [row["id"] for row in response.json()["results"]]


def test_reads_inside_a_transaction_go_to_the_primary(replica_reads, rows, supplier):
    replica_catch_up(replica_reads)
    mine = Payment.objects.filter(supplier=supplier)

    with replicas.replica_reads_from(alias=replica_reads), statements_by_alias() as statements:
        assert mine.count() == 15
        with transaction.atomic():
            assert len(mine.select_for_update()) == 15
            assert mine.count() == 15
        assert replicas.ReplicaRouter().db_for_write(Payment) == "default"

    assert len(statements[replica_reads]) == 1
    assert len(statements["default"]) == 2 and "FOR UPDATE" in statements["default"][0]
    assert replicas.ReplicaRouter().db_for_read(Payment) == "default"  # outside any request that chose a replica


def test_reads_take_the_fit_replicas_in_turn(settings, replica_reads, rows, supplier_client):
    """Two aliases of the one replica server: each answers every other request."""
    settings.DATABASE_REPLICAS = [replica_reads, REPLICA_TWIN_ALIAS]
    ready(replica_reads)
    ready(REPLICA_TWIN_ALIAS)

    with statements_by_alias() as statements:
        for _ in range(4):
            supplier_client.get("/api/payments/")

    assert len(statements[replica_reads]) == len(statements[REPLICA_TWIN_ALIAS]) == 2


def test_a_lagging_replica_is_skipped_until_it_catches_up(replica_reads, rows, supplier_client):
    ready(replica_reads)
    with connections[replica_reads].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        PaymentFactory()  # a write the replica does not replay
        time.sleep(CHECK + 0.05)
        replicas.replica_fit(alias=replica_reads)  # a check: notes how far the primary has written
        time.sleep(CHECK + 0.05)

        with statements_by_alias() as statements:
            supplier_client.get("/api/payments/")  # the next check: the replica has not replayed that far

        assert not replicas.replica_fit(alias=replica_reads)
        assert reading(statements, "payments_payment") == {"default"}
    finally:
        with connections[replica_reads].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    ready(replica_reads)  # caught up: read from again, without waiting REPLICA_RETRY_SECONDS
    with statements_by_alias() as statements:
        supplier_client.get("/api/payments/")
    assert reading(statements, "payments_payment") == {replica_reads}


def test_an_unreachable_replica_is_skipped_for_a_while_and_health_reports_it(
    replica_reads, down_replica, rows, supplier_client, anonymous_client
):
    ready(replica_reads)

    health = anonymous_client.get("/health/")
    checked_at = replicas._states[down_replica].checked_at
    with statements_by_alias() as statements:
        for _ in range(4):  # round robin over the fit replicas: the one that answers
            assert supplier_client.get("/api/payments/").status_code == 200

    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"][replica_reads] == "ok"
    assert health.json()["checks"][down_replica] == "unavailable"
    assert reading(statements, "payments_payment") == {replica_reads}
    assert replicas._states[down_replica].checked_at == checked_at  # not asked again within REPLICA_RETRY_SECONDS


def test_health_reports_a_replica_that_answers(replica_reads, anonymous_client):
    ready(replica_reads)
    body = anonymous_client.get("/health/").json()

    assert body["checks"][replica_reads] == "ok"
    assert body["status"] in ("ok", "degraded")  # the broker or cache of this machine may be down; not the replica
