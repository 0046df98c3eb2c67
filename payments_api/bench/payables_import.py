"""Time a payables import through the API on this machine: a dry run, the import (every row created), the same file
again (every row unchanged), and the file with every value changed (every row updated), each one request to
POST /api/payments/import/, with the queries it ran.

    DATABASE_URL=postgres://... python -m payments_api.bench.payables_import [--rows 100000] [--suppliers 200]

Everything it writes (suppliers, an operator, the payments) is rolled back at the end: it may run against any
database with the migrations applied.
"""

import argparse
import datetime
import os
import time


def payables_file(*, reg_numbers: list[str], rows: int, due: str, cents_offset: int = 0) -> bytes:
    lines = ["supplier_cnpj,external_id,due_date,value"]
    lines += [
        f"{reg_numbers[n % len(reg_numbers)]},NF-{n:07d},{due},{100 + n % 90000 + cents_offset / 100:.2f}"
        for n in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--slowest", type=int, default=0, help="Also print each step's N slowest queries.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payments_api.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from payments_api.users.cnpj import check_digit
    from payments_api.users.models import Supplier, User

    def cnpj(n: int) -> str:
        base = f"{90000000 + n:08d}0001"
        first = check_digit(base)
        return base + first + check_digit(base + first)

    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(email=f"import-bench-{n}@example.com") for n in range(args.suppliers)]
        )
        suppliers = Supplier.objects.bulk_create(
            [
                Supplier(user=user, corporate_name=f"Import bench {n}", reg_number=cnpj(n))
                for n, user in enumerate(users)
            ]
        )
        operator = User.objects.create(email="import-bench-operator@example.com", is_operator=True)
        client = APIClient(HTTP_HOST="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(operator)}")
        reg_numbers = [supplier.reg_number for supplier in suppliers]
        content = payables_file(reg_numbers=reg_numbers, rows=args.rows, due=due)
        changed = payables_file(reg_numbers=reg_numbers, rows=args.rows, due=due, cents_offset=1)
        print(f"{args.rows:,} rows, {len(content) / 1024 / 1024:.1f} MB, {args.suppliers} suppliers")
        for label, body, query_string in [
            ("dry run", content, "?dry_run=true"),
            ("import (created)", content, ""),
            ("again (unchanged)", content, ""),
            ("changed (updated)", changed, ""),
        ]:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.post(f"/api/payments/import/{query_string}", body, content_type="text/csv")
                elapsed = time.perf_counter() - started
            report = response.json()
            counts = {name: report.get(name) for name in ("rows", "created", "updated", "unchanged")}
            errors = len(report.get("errors") or [])
            print(
                f"{label:18} {response.status_code} {elapsed:6.2f} s {len(queries):4} queries {counts} "
                f"errors={errors}, {sum(float(query['time']) for query in queries.captured_queries):.2f} s in SQL"
            )
            for query in sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[: args.slowest]:
                print(f"    {float(query['time']):6.2f} s  {query['sql'][:110]}")
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
