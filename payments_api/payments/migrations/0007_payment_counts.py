from django.db import migrations, models

from payments_api.common.migrations_sql import vendor_sql

# Statement-level triggers with transition tables: one INSERT of a few rows per statement however many payments it
# touches (a COPY of 100,000 rows included). A payment's count key is its due date and its anticipation's status;
# the status comes from the anticipation as it stands, the due date from the payment as it stands.
CREATE = {
    "postgresql": [
        """
        CREATE FUNCTION payment_count_payments() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
                SELECT n.due_date, COALESCE(a.status, ''), COUNT(*)
                FROM new_rows n LEFT JOIN payments_anticipation a ON a.payment_id = n.id
                GROUP BY 1, 2;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
                SELECT o.due_date, COALESCE(a.status, ''), -COUNT(*)
                FROM old_rows o LEFT JOIN payments_anticipation a ON a.payment_id = o.id
                GROUP BY 1, 2;
            ELSE
                INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
                SELECT moved.due_date, COALESCE(a.status, ''), SUM(moved.sign)
                FROM (
                    SELECT id, due_date, 1 AS sign FROM new_rows
                    UNION ALL SELECT id, due_date, -1 FROM old_rows
                ) moved LEFT JOIN payments_anticipation a ON a.payment_id = moved.id
                GROUP BY 1, 2 HAVING SUM(moved.sign) <> 0;
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER payment_count_insert AFTER INSERT ON payments_payment
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payment_count_payments()
        """,
        """
        CREATE TRIGGER payment_count_update AFTER UPDATE ON payments_payment
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION payment_count_payments()
        """,
        """
        CREATE TRIGGER payment_count_delete AFTER DELETE ON payments_payment
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION payment_count_payments()
        """,
        # An anticipation moves its payment from "" to its status (and between statuses). The payments are locked
        # FOR SHARE first: a concurrent change of their due date then commits wholly before or after this one, and
        # whichever comes second counts with what the first wrote. The payment trigger reads the anticipation
        # without a lock, so the two never wait on each other in a cycle.
        """
        CREATE FUNCTION payment_count_anticipations() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM 1 FROM payments_payment p WHERE p.id IN (SELECT payment_id FROM new_rows)
                    ORDER BY p.id FOR SHARE;
                INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
                SELECT p.due_date, moved.status, SUM(moved.sign)
                FROM (
                    SELECT payment_id, status, 1 AS sign FROM new_rows
                    UNION ALL SELECT payment_id, '', -1 FROM new_rows
                ) moved JOIN payments_payment p ON p.id = moved.payment_id
                GROUP BY 1, 2 HAVING SUM(moved.sign) <> 0;
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM 1 FROM payments_payment p WHERE p.id IN (SELECT payment_id FROM old_rows)
                    ORDER BY p.id FOR SHARE;
                INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
                SELECT p.due_date, moved.status, SUM(moved.sign)
                FROM (
                    SELECT payment_id, status, -1 AS sign FROM old_rows
                    UNION ALL SELECT payment_id, '', 1 FROM old_rows
                ) moved JOIN payments_payment p ON p.id = moved.payment_id
                GROUP BY 1, 2 HAVING SUM(moved.sign) <> 0;
            ELSE
                PERFORM 1 FROM payments_payment p
                    WHERE p.id IN (SELECT payment_id FROM new_rows UNION SELECT payment_id FROM old_rows)
                    ORDER BY p.id FOR SHARE;
                INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
                SELECT p.due_date, moved.status, SUM(moved.sign)
                FROM (
                    SELECT payment_id, status, 1 AS sign FROM new_rows
                    UNION ALL SELECT payment_id, '', -1 FROM new_rows
                    UNION ALL SELECT payment_id, status, -1 FROM old_rows
                    UNION ALL SELECT payment_id, '', 1 FROM old_rows
                ) moved JOIN payments_payment p ON p.id = moved.payment_id
                GROUP BY 1, 2 HAVING SUM(moved.sign) <> 0;
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER payment_count_insert AFTER INSERT ON payments_anticipation
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payment_count_anticipations()
        """,
        """
        CREATE TRIGGER payment_count_update AFTER UPDATE ON payments_anticipation
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION payment_count_anticipations()
        """,
        """
        CREATE TRIGGER payment_count_delete AFTER DELETE ON payments_anticipation
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION payment_count_anticipations()
        """,
        # The payments already there, counted under the triggers' locks (no write can slip between).
        """
        INSERT INTO payments_paymentcount (due_date, anticipation_status, payments)
        SELECT p.due_date, COALESCE(a.status, ''), COUNT(*)
        FROM payments_payment p LEFT JOIN payments_anticipation a ON a.payment_id = p.id
        GROUP BY 1, 2
        """,
    ],
}

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS payment_count_insert ON payments_anticipation",
        "DROP TRIGGER IF EXISTS payment_count_update ON payments_anticipation",
        "DROP TRIGGER IF EXISTS payment_count_delete ON payments_anticipation",
        "DROP FUNCTION IF EXISTS payment_count_anticipations()",
        "DROP TRIGGER IF EXISTS payment_count_insert ON payments_payment",
        "DROP TRIGGER IF EXISTS payment_count_update ON payments_payment",
        "DROP TRIGGER IF EXISTS payment_count_delete ON payments_payment",
        "DROP FUNCTION IF EXISTS payment_count_payments()",
    ],
}


class Migration(migrations.Migration):
    """PaymentCount and, on PostgreSQL, the triggers that keep it in the transaction of every change."""

    dependencies = [("payments", "0006_payment_created_by")]

    operations = [
        migrations.CreateModel(
            name="PaymentCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("due_date", models.DateField()),
                ("anticipation_status", models.CharField(blank=True, max_length=2)),
                ("payments", models.BigIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["anticipation_status", "due_date"], name="paymentcount_status_due_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("anticipation_status__in", ["", "PC", "A", "D"])),
                        name="paymentcount_status_valid",
                    )
                ],
            },
        ),
        vendor_sql(CREATE, DROP),
    ]
