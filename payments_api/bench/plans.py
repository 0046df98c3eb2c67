"""The SQL of every read `make bench` measures, timed by PostgreSQL: for a sample of its requests, each query the API
sends is run again under EXPLAIN ANALYZE, and the report lists the endpoints by their median execution time, with
the plans of the slowest.

    python -m payments_api.bench.plans --scale 10000000 [--sample 20] [--plans 3]

Reads the database `make bench` left for that scale (`<BENCH_DATABASE_URL>_<scale>`); the requests go through the API
in this process (middleware, authentication, the views), so the queries are the ones gunicorn would send.
"""

import argparse
import re
import statistics
import sys
from dataclasses import dataclass

# Statements about the rows (not the user's cache miss or the session): what the lists and the detail read.
ROW_TABLES = re.compile(r'FROM "(payments_payment|payments_anticipation|requestlogs_requestlog)"')


@dataclass
class Timed:
    endpoint: str
    sql: str
    execution_ms: float
    planning_ms: float
    plan: str


def explain(sql: str) -> Timed:
    from django.db import connection

    with connection.cursor() as cursor:
        # The statement the API sent, with its parameters already bound by the driver, run again as it was.
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")  # nosec B608
        plan = "\n".join(line for (line,) in cursor.fetchall())
    planning = float(re.search(r"Planning Time: ([\d.]+) ms", plan).group(1))  # type: ignore[union-attr]
    execution = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))  # type: ignore[union-attr]
    return Timed(endpoint="", sql=sql, execution_ms=execution, planning_ms=planning, plan=plan)


def statements(client, request: tuple[str, str, str, str]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    method, path, token, _ = request
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with CaptureQueriesContext(connection) as captured:
        response = client.generic(method, path)
    if response.status_code != 200:
        raise SystemExit(f"{method} {path} answered {response.status_code}")
    return [query["sql"] for query in captured.captured_queries if ROW_TABLES.search(query["sql"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, required=True, help="The payments of the bench database to read.")
    parser.add_argument("--sample", type=int, default=20, help="Requests per endpoint (different suppliers).")
    parser.add_argument("--plans", type=int, default=3, help="How many of the slowest endpoints' plans to print.")
    args = parser.parse_args()

    from payments_api.bench import run

    run.configure_environment()
    import django

    django.setup()
    from rest_framework.test import APIClient

    run.use_database(args.scale)
    client = APIClient(HTTP_HOST="localhost")
    rows = []
    for endpoint in run.read_endpoints():
        timed: list[Timed] = []
        for request in endpoint.requests[: args.sample]:
            # Sent once before: the pages its statements read are then in memory, as under load.
            statements(client, request)
            timed += [explain(sql) for sql in statements(client, request)]
        slowest = max(timed, key=lambda each: each.execution_ms)
        slowest.endpoint = endpoint.name
        median = statistics.median(each.execution_ms for each in timed)
        rows.append((median, slowest, len(timed)))
        print(f"  {endpoint.name}: median {median:.3f} ms over {len(timed)} queries", file=sys.stderr, flush=True)

    print("\n| endpoint | queries explained | median execution ms | slowest ms | its planning ms |")
    print("|---|---:|---:|---:|---:|")
    rows.sort(key=lambda row: row[0], reverse=True)
    for median, slowest, count in rows:
        print(
            f"| {slowest.endpoint} | {count} | {median:.3f} | {slowest.execution_ms:.3f} | {slowest.planning_ms:.3f} |"
        )
    for median, slowest, _ in rows[: args.plans]:
        print(f"\n**{slowest.endpoint}** (median {median:.3f} ms; its slowest below)")
        print(f"```\n{slowest.sql}\n\n{slowest.plan}\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
