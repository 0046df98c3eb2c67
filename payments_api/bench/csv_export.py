"""Stream an operator's CSV export of every payment (GET /api/payments/?format=csv) and watch the process's memory:
rows, seconds, and the resident set size before, at its highest while streaming, and after.

    DATABASE_URL=postgres://... python -m payments_api.bench.csv_export [--payments 1000000]

A database without users is first filled with `seed_load` (100 payments a supplier); one that has them is read as
it is. The export goes through the API in this process (middleware, authentication, the CSV renderer), read a
chunk at a time as a client would.
"""

import argparse
import os
import time
from collections.abc import Iterator
from typing import cast


def resident_mib() -> float:
    """This process's resident set size (Linux), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=1_000_000, help="Payments to seed an empty database with.")
    parser.add_argument("--every", type=int, default=100_000, help="Rows between two memory samples.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payments_api.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import StreamingHttpResponse
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from payments_api.payments.models import Payment
    from payments_api.users.models import User

    if not User.objects.exists():
        started = time.perf_counter()
        call_command("seed_load", suppliers=max(1, args.payments // 100), payments=args.payments)
        print(f"seeded {args.payments:,} payments in {time.perf_counter() - started:.0f} s")
    operator = User.objects.filter(is_operator=True).first()
    if operator is None:
        operator = User.objects.create(email="csv-bench-operator@example.com", is_operator=True)
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(operator)}")

    total = Payment.objects.count()
    before = peak = resident_mib()
    started = time.perf_counter()
    response = cast(StreamingHttpResponse, client.get("/api/payments/", {"format": "csv"}))
    lines = 0
    next_sample = args.every
    for chunk in cast(Iterator[bytes], response.streaming_content):  # a WSGI response: synchronous
        lines += chunk.count(b"\n")
        if lines >= next_sample:
            peak = max(peak, resident_mib())
            print(f"  {lines - 1:>9,} rows  {time.perf_counter() - started:6.1f} s  {resident_mib():7.1f} MiB")
            next_sample += args.every
    elapsed = time.perf_counter() - started
    peak = max(peak, resident_mib())
    print(
        f"{lines - 1:,} rows of {total:,} payments in {elapsed:.1f} s; resident memory {before:.1f} MiB before, "
        f"{peak:.1f} MiB at most while streaming, {resident_mib():.1f} MiB after"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
