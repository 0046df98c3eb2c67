"""Exact counts of a list, either by counting its rows or by adding up counts the database keeps.

A list's count is embedded in the statement that fetches its page (a scalar subquery, computed once), so a page and
its count are one query and one snapshot; `value()` runs it alone when there is no page to carry it.

Counting rows costs what the list holds: right for a supplier's lists, far too slow for an operator's at a million
rows. Tables of counts (payments.PaymentCount, requestlogs.RequestLogCount) are kept by PostgreSQL triggers in the
transaction of every change: each statement appends one row per key with what it added or removed, so writers
never wait on one another's counter row and cannot deadlock on it, and `counts_compact` adds the rows up into one
per key now and then. See docs/performance.md.
"""

from django.db import connection, transaction
from django.db.models import IntegerField, Model, QuerySet, Subquery, Sum


def counts_maintained() -> bool:
    """Whether the count tables are kept: their triggers exist on PostgreSQL only (SQLite lists count their rows)."""
    return connection.vendor == "postgresql"


class RowCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery: PostgreSQL computes it once for the whole statement."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, **extra):
        self.counted = queryset.order_by()
        super().__init__(self.counted.values("pk"), **extra)

    def value(self) -> int:
        return self.counted.count()


class CountSum(Subquery):
    """The sum of a count table's column over the rows of `queryset`, as a scalar subquery (0 when none)."""

    template = "(SELECT COALESCE(SUM(counted.n), 0) FROM (%(subquery)s) AS counted(n))"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, column: str, **extra):
        self.counted, self.column = queryset.order_by(), column
        super().__init__(self.counted.values(column), **extra)

    def value(self) -> int:
        return self.counted.aggregate(n=Sum(self.column, default=0))["n"]


ListCount = RowCount | CountSum


def counts_compact(*, model: type[Model], keys: tuple[str, ...], column: str) -> int:
    """Replace the rows of a count table by one per key holding their sum (none where it is 0); returns the rows left.

    Exact under concurrent writes: the DELETE takes only the rows committed when it starts, and a statement's
    snapshot sees either all of them or their sum. Writers append rows and are never blocked; two compactions
    take turns on an advisory lock.
    """
    if not counts_maintained():
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    fields = {field.name: str(field.column) for field in model._meta.concrete_fields}
    key_list = ", ".join(connection.ops.quote_name(fields[key]) for key in keys)
    amount = connection.ops.quote_name(fields[column])
    # Names from the model's own metadata, quoted; no value comes from outside.
    statement = (
        f"WITH added AS (DELETE FROM {table} RETURNING {key_list}, {amount}) "  # nosec B608
        f"INSERT INTO {table} ({key_list}, {amount}) "
        f"SELECT {key_list}, SUM({amount}) FROM added GROUP BY {key_list} HAVING SUM({amount}) <> 0"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [model._meta.db_table])
        cursor.execute(statement)
        return cursor.rowcount
