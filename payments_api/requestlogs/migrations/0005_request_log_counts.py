from django.db import migrations, models

from payments_api.common.migrations_sql import vendor_sql

# One INSERT per statement and action, whatever the number of logs it adds (a COPY of 100,000 rows included). Logs
# are never updated or deleted (0003's trigger refuses it), so inserts are all there is to count.
CREATE = {
    "postgresql": [
        """
        CREATE FUNCTION requestlog_count_logs() RETURNS trigger AS $$
        BEGIN
            INSERT INTO requestlogs_requestlogcount (action, logs)
            SELECT action, COUNT(*) FROM new_rows GROUP BY action;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER requestlog_count_insert AFTER INSERT ON requestlogs_requestlog
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requestlog_count_logs()
        """,
        # The logs already there, counted under the trigger's lock (no insert can slip between).
        """
        INSERT INTO requestlogs_requestlogcount (action, logs)
        SELECT action, COUNT(*) FROM requestlogs_requestlog GROUP BY action
        """,
    ],
}

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS requestlog_count_insert ON requestlogs_requestlog",
        "DROP FUNCTION IF EXISTS requestlog_count_logs()",
    ],
}


class Migration(migrations.Migration):
    """RequestLogCount and, on PostgreSQL, the trigger that keeps it in the transaction of every insert."""

    dependencies = [("requestlogs", "0004_refuse_truncate")]

    operations = [
        migrations.CreateModel(
            name="RequestLogCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "action",
                    models.CharField(
                        choices=[("R", "Requested"), ("A", "Approved"), ("D", "Denied")], max_length=1
                    ),
                ),
                ("logs", models.BigIntegerField()),
            ],
        ),
        vendor_sql(CREATE, DROP),
    ]
