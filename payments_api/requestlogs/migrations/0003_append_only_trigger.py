from django.db import migrations

from payments_api.common.migrations_sql import vendor_sql

CREATE = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION requestlog_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'requestlogs_requestlog is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER requestlog_append_only
            BEFORE UPDATE OR DELETE ON requestlogs_requestlog
            FOR EACH ROW EXECUTE FUNCTION requestlog_refuse_change()
        """,
    ],
}

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS requestlog_append_only ON requestlogs_requestlog",
        "DROP FUNCTION IF EXISTS requestlog_refuse_change()",
    ],
}


class Migration(migrations.Migration):
    """On PostgreSQL the audit trail refuses UPDATE and DELETE in the database itself, whatever the client.

    (Test-database flushes use TRUNCATE, which row triggers do not see.)
    """

    dependencies = [("requestlogs", "0002_initial")]

    operations = [vendor_sql(CREATE, DROP)]
