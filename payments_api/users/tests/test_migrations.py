"""Migration 0006 carries simplejwt's token_blacklist rows over as IssuedRefreshToken rows and drops its tables."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from payments_api.users.models import IssuedRefreshToken, RefreshTokenState
from payments_api.users.tests.factories import UserFactory

BEFORE = [("users", "0005_issuedrefreshtoken")]
AFTER = [("users", "0006_refresh_tokens_from_token_blacklist")]

# The two tables as simplejwt's token_blacklist migrations left them (its 0013), without their indexes.
TOKEN_BLACKLIST_TABLES = [
    """
    CREATE TABLE token_blacklist_outstandingtoken (
        id bigserial PRIMARY KEY,
        token text NOT NULL,
        created_at timestamp with time zone NULL,
        expires_at timestamp with time zone NOT NULL,
        user_id bigint NULL REFERENCES users_user (id) DEFERRABLE INITIALLY DEFERRED,
        jti varchar(255) NOT NULL UNIQUE
    )
    """,
    """
    CREATE TABLE token_blacklist_blacklistedtoken (
        id bigserial PRIMARY KEY,
        blacklisted_at timestamp with time zone NOT NULL,
        token_id bigint NOT NULL UNIQUE REFERENCES token_blacklist_outstandingtoken (id) DEFERRABLE INITIALLY DEFERRED
    )
    """,
]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture(autouse=True)
def _back_to_the_latest_migrations():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_outstanding_tokens_become_records_without_the_token_and_the_old_tables_go():
    user = UserFactory()  # made with today's columns, kept as the migrations go back and forth
    migrate(BEFORE)
    expires = timezone.now() + datetime.timedelta(hours=5)
    with connection.cursor() as cursor:
        for statement in TOKEN_BLACKLIST_TABLES:
            cursor.execute(statement)
        rows = [("jti-active", user.pk, "header.payload.signature-one"), ("jti-spent", user.pk, "h.p.signature-two")]
        rows.append(("jti-orphan", None, "h.p.signature-three"))  # its user was deleted (SET_NULL)
        for jti, user_id, token in rows:
            cursor.execute(
                "INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti)"
                " VALUES (%s, now(), %s, %s, %s)",
                [token, expires, user_id, jti],
            )
        cursor.execute(
            "INSERT INTO token_blacklist_blacklistedtoken (blacklisted_at, token_id)"
            " SELECT now(), id FROM token_blacklist_outstandingtoken WHERE jti = 'jti-spent'"
        )
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('token_blacklist', '0013_x', now())")

    migrate(AFTER)

    records = {record.jti: record for record in IssuedRefreshToken.objects.all()}
    assert records.keys() == {"jti-active", "jti-spent"}
    assert records["jti-active"].state == RefreshTokenState.ACTIVE
    assert records["jti-spent"].state == RefreshTokenState.REVOKED
    assert {record.user_id for record in records.values()} == {user.pk}
    assert {record.chain for record in records.values()} == {"jti-active", "jti-spent"}
    assert records["jti-active"].expires_at == expires
    tables = connection.introspection.table_names()
    assert not [table for table in tables if table.startswith("token_blacklist")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'token_blacklist'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_on_a_database_that_never_had_the_app_the_migration_changes_nothing():
    migrate(BEFORE)

    migrate(AFTER)

    assert not IssuedRefreshToken.objects.exists()
