"""Fill a PostgreSQL database with a load-test population: suppliers, payments in every state, and their history.

Rows are generated in Python from a seeded random source (the same arguments give the same data) and streamed
to PostgreSQL with COPY, a chunk at a time; a million payments take well under a minute.
"""

import datetime
import io
import itertools
import random
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from payments_api.payments.models import Anticipation, AnticipationStatus, Payment, PaymentCount
from payments_api.payments.pricing import anticipation_new_value
from payments_api.payments.services import payment_counts_compact
from payments_api.programme.selectors import programme_current
from payments_api.requestlogs.models import RequestLog, RequestLogAction, RequestLogCount
from payments_api.requestlogs.services import request_log_counts_compact
from payments_api.users.cnpj import check_digit
from payments_api.users.models import Supplier, User

EMAIL_DOMAIN = "seed.example"
CHUNK_ROWS = 100_000
# How the payments are spread: issued over the past year in the order of their ids, as a running programme issues
# them, each due up to 180 days after its issue (so the older ones are past due); the share of payments with an
# anticipation, split between pending, approved and denied.
HISTORY_DAYS, TERM_DAYS = 365, 180
ANTICIPATED_SHARE = 0.4
ANTICIPATION_STATUS_WEIGHTS = {
    AnticipationStatus.PENDING_CONFIRMATION: 0.4,
    AnticipationStatus.APPROVED: 0.4,
    AnticipationStatus.DENIED: 0.2,
}
DECISION_ACTIONS = {
    AnticipationStatus.APPROVED: RequestLogAction.APPROVED,
    AnticipationStatus.DENIED: RequestLogAction.DENIED,
}


def seed_email(role: str, number: int) -> str:
    return f"{role}{number}@{EMAIL_DOMAIN}"


def seed_cnpj(number: int) -> str:
    """A valid numeric CNPJ for the number-th seeded supplier, in a range no real registry uses (9xxxxxxx)."""
    base = f"9{number:07d}0001"
    first = check_digit(base)
    return base + first + check_digit(base + first)


def _copy(table: str, columns: Iterable[str], rows: Iterable[tuple]) -> int:
    """COPY rows (tuples of str/int/Decimal/date/None) into table, CHUNK_ROWS at a time; returns the count."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)"
    total = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while True:
            buffer = io.StringIO()
            count = 0
            for row in rows:
                buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
                buffer.write("\n")
                count += 1
                if count == CHUNK_ROWS:
                    break
            if not count:
                return total
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            total += count


class Command(BaseCommand):
    help = (
        "Load suppliers, payments in every state, anticipations and request logs into PostgreSQL for benchmarks. "
        f"Users get e-mails like supplier1@{EMAIL_DOMAIN} and operator1@{EMAIL_DOMAIN}, all with one password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--suppliers", type=int, required=True, help="Number of suppliers (and their users).")
        parser.add_argument("--payments", type=int, required=True, help="Number of payments, spread over them.")
        parser.add_argument("--operators", type=int, default=20, help="Number of operators deciding (default 20).")
        parser.add_argument("--password", default="seed-password", help="The password of every seeded user.")
        parser.add_argument("--random-seed", type=int, default=2026, help="Seed of the random source.")

    def handle(self, *args, suppliers, payments, operators, password, random_seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_load needs PostgreSQL (set DATABASE_URL).")
        if suppliers < 1 or payments < 0 or operators < 1:
            raise CommandError("Give at least one supplier and one operator, and no negative count.")
        # Its users share one known password, operators included: never let them into a database in use.
        if User.objects.exists():
            raise CommandError("seed_load fills an empty database, and this one already holds users.")

        self.started = started = timezone.now()
        self.today = timezone.localdate(started)
        self.programme = programme_current()  # the terms every seeded anticipation is priced with
        self.random = random.Random(random_seed)
        with transaction.atomic():
            operator_ids = self._users("operator", operators, password, is_operator=True)
            supplier_user_ids = self._users("supplier", suppliers, password, is_operator=False)
            supplier_ids = self._suppliers(supplier_user_ids)
            counts = self._payments(payments, supplier_ids, dict(zip(supplier_ids, supplier_user_ids)), operator_ids)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(
                    no_style(), [User, Supplier, Payment, Anticipation, RequestLog]
                ):
                    cursor.execute(statement)
        # COPY left the list counts a row per chunk and key: add them up, as beat would within a minute.
        payment_counts_compact()
        request_log_counts_compact()
        # Fresh statistics and visibility maps, so the planner and index-only scans see the data as it is. The count
        # tables are rewritten: COPY left them a row per chunk and key, whose space a running programme's never held
        # (at ten million payments, 600 pages for 2,177 rows, read by every operator's count).
        with connection.cursor() as cursor:
            for model in (User, Supplier, Payment, Anticipation, RequestLog):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            for count_model in (PaymentCount, RequestLogCount):
                cursor.execute(f"VACUUM FULL ANALYZE {count_model._meta.db_table}")

        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Seeded {suppliers} suppliers, {operators} operators, {payments} payments, {counts['anticipations']} "
            f"anticipations and {counts['logs']} request logs in {seconds:.1f} s."
        )

    def _users(self, role: str, count: int, password: str, *, is_operator: bool) -> list[int]:
        first_id = User.objects.count() + 1  # operators first, then suppliers, into a database without users
        password_hash = make_password(password)  # hashed once: hashing per user would take minutes
        joined = timezone.now().isoformat()
        columns: tuple[str, ...] = ("id", "password", "is_superuser", "email", "first_name", "last_name", "is_staff")
        columns += ("is_active", "date_joined", "is_operator")
        operator = "t" if is_operator else "f"
        rows = (
            (first_id + n, password_hash, "f", seed_email(role, n + 1), "", "", "f", "t", joined, operator)
            for n in range(count)
        )
        _copy(User._meta.db_table, columns, rows)
        return list(range(first_id, first_id + count))

    def _suppliers(self, user_ids: list[int]) -> list[int]:
        rows = (
            (n, user_id, f"Seeded Supplier {n} Ltda", seed_cnpj(n), "pt-br") for n, user_id in enumerate(user_ids, 1)
        )
        _copy(Supplier._meta.db_table, ("id", "user_id", "corporate_name", "reg_number", "language"), rows)
        return list(range(1, len(user_ids) + 1))

    def _payments(self, count: int, supplier_ids: list[int], user_of: dict[int, int], operator_ids: list[int]):
        # The database held no users, hence no suppliers and nothing of theirs: every table's ids start at 1.
        payment_ids, anticipation_ids, log_ids = itertools.count(1), itertools.count(1), itertools.count(1)
        payments: list[tuple] = []
        anticipations: list[tuple] = []
        logs: list[tuple] = []
        counts = {"anticipations": 0, "logs": 0}

        def flush():
            _copy(Payment._meta.db_table, ("id", "supplier_id", "creation_date", "due_date", "value"), payments)
            _copy(
                Anticipation._meta.db_table,
                (
                    "id",
                    "payment_id",
                    "creation_date",
                    "new_due_date",
                    "new_value",
                    "update_date",
                    "status",
                    "monthly_rate",
                    "programme_version_id",
                ),
                anticipations,
            )
            _copy(RequestLog._meta.db_table, ("id", "anticipation_id", "user_id", "action", "created_at"), logs)
            counts["anticipations"] += len(anticipations)
            counts["logs"] += len(logs)
            for rows in (payments, anticipations, logs):
                rows.clear()

        for n in range(count):
            supplier_id = supplier_ids[n % len(supplier_ids)]
            issued = self.today - datetime.timedelta(days=HISTORY_DAYS - n * HISTORY_DAYS // max(count, 1))
            payment = self._payment(next(payment_ids), supplier_id, issued)
            payments.append(payment)
            anticipation = self._anticipation(anticipation_ids, payment)
            if anticipation:
                anticipations.append(anticipation)
                logs.extend(self._logs(log_ids, anticipation, user_of[supplier_id], operator_ids))
            if len(payments) == CHUNK_ROWS:
                flush()
        flush()
        return counts

    def _payment(self, payment_id: int, supplier_id: int, creation_date: datetime.date) -> tuple:
        due_date = creation_date + datetime.timedelta(days=self.random.randint(0, TERM_DAYS))
        value = Decimal(self.random.randint(10_000, 10_000_000)) / 100
        return (payment_id, supplier_id, creation_date, due_date, value)

    def _anticipation(self, ids: Iterator[int], payment: tuple) -> tuple | None:
        payment_id, _, creation_date, due_date, value = payment
        days = datetime.timedelta
        latest_request = min(self.today, due_date - days(1))
        if latest_request < creation_date or self.random.random() >= ANTICIPATED_SHARE:
            return None
        status = self.random.choices(
            list(ANTICIPATION_STATUS_WEIGHTS), weights=list(ANTICIPATION_STATUS_WEIGHTS.values())
        )[0]
        requested = creation_date + days(self.random.randint(0, (latest_request - creation_date).days))
        new_due_date = requested + days(self.random.randint(0, (due_date - requested).days - 1))
        decided = requested if status == AnticipationStatus.PENDING_CONFIRMATION else min(new_due_date, self.today)
        new_value = anticipation_new_value(
            value=value, days_early=(due_date - new_due_date).days, monthly_rate=self.programme.monthly_rate
        )
        return (
            next(ids),
            payment_id,
            requested,
            new_due_date,
            new_value,
            decided,
            status,
            self.programme.monthly_rate,
            self.programme.version_id,
        )

    def _logs(self, ids: Iterator[int], anticipation: tuple, supplier_user_id: int, operator_ids: list[int]):
        anticipation_id, _, requested, _, _, decided, status, *_ = anticipation
        yield (next(ids), anticipation_id, supplier_user_id, RequestLogAction.REQUESTED.value, self._at(requested, 12))
        if status != AnticipationStatus.PENDING_CONFIRMATION:
            action = DECISION_ACTIONS[status]
            operator_id = operator_ids[anticipation_id % len(operator_ids)]
            yield (next(ids), anticipation_id, operator_id, action.value, self._at(decided, 15))

    def _at(self, day: datetime.date, hour: int) -> str:
        """`hour` o'clock on `day` in the service's time zone, or the seeding's start if that is still to come."""
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())
        return min(moment, self.started).isoformat()
