"""`make bench`: seed PostgreSQL at each scale, serve the API with gunicorn as in production, drive every endpoint
with wrk over loopback, and print requests/s, latency percentiles, SQL queries per request and the ratios to two
references serving the same rows: the baseline (a plain view in the API's own process) and the bare ceiling (a
separate minimal Django process: no middleware, one raw SQL statement).

    python -m payments_api.bench.run [--scales 10000,1000000] [--duration 5] [--connections 8]

Needs PostgreSQL, RabbitMQ and Redis (BENCH_DATABASE_URL, CELERY_BROKER_URL and REDIS_URL, local defaults) and
wrk on the PATH. The bench database is dropped and created again for each scale.
"""

import argparse
import contextlib
import datetime
import itertools
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
WRK_SCRIPT = Path(__file__).with_name("wrk") / "requests.lua"
STATES = ("A", "U", "PC", "AN", "D")
PASSWORD = "seed-password"
SAMPLE = 2000  # distinct suppliers, payments ... a read benchmark cycles through
WRITE_POOL = 20000  # distinct payments or anticipations a write benchmark may consume
# A write consumes its list, and wrk would start it over (sending duplicates, refused as such): a write's run lasts
# at most as long as its list at this rate, above any write measured on the bench machine (about 340/s). It binds at
# the small scale only, whose few open payments and pending anticipations make short lists.
WRITE_RATE_BOUND = 500
# The superuser that sets the programme's terms for the auto-approval measurement.
BENCH_TERMS_EMAIL = "bench-terms@example.com"


@dataclass
class Endpoint:
    name: str
    # (method, path, token, body) for each request, cycled through by wrk; the first is also the query-count sample.
    requests: list[tuple[str, str, str, str]]
    baseline: list[tuple[str, str, str, str]] | None = None
    bare: list[tuple[str, str, str, str]] | None = None  # served by the bare ceiling's process
    is_list: bool = False


@dataclass
class Result:
    scale: int
    endpoint: str
    rps: float
    p50: float
    p95: float
    p99: float
    queries: int | None
    non_2xx: int
    socket_errors: int
    baseline_rps: float | None = None
    bare_rps: float | None = None
    is_list: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.rps / self.baseline_rps if self.baseline_rps else None

    @property
    def bare_ratio(self) -> float | None:
        return self.rps / self.bare_rps if self.bare_rps else None


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="10000,1000000", help="Payments per scale, comma-separated.")
    parser.add_argument("--payments-per-supplier", type=int, default=100)
    parser.add_argument("--duration", type=float, default=2, help="Seconds each wrk run lasts.")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per endpoint (each with its baseline's).")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections wrk keeps open.")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py).")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (default: gunicorn.conf.py).")
    parser.add_argument("--port", type=int, default=8765, help="The API's port; the bare ceiling's is the next one.")
    parser.add_argument("--only", help="Run only the endpoints whose name matches this regular expression.")
    parser.add_argument(
        "--reuse-data", action="store_true", help="Measure the databases a previous run left instead of seeding."
    )
    parser.add_argument("--output", default=str(ROOT / "bench-results"), help="Folder for the reports.")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="After each read's rounds, one more wrk run of the API and one of its bare ceiling while py-spy samples "
        "every worker holding the interpreter lock: flame graphs of where their CPU goes "
        "(flame-<scale>-<endpoint>[-bare].svg beside the reports).",
    )
    return parser.parse_args()


def database_url(scale: int) -> str:
    """A database of its own for each scale: <BENCH_DATABASE_URL>_<scale>."""
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/payments_api_bench")
    return f"{base}_{scale}"


def configure_environment() -> None:
    """The environment shared by this process (which mints the tokens) and gunicorn: production settings with the
    bench URLs, throttling raised out of the way (the bench measures the service, not the rate limits)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="payments_api.bench.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url(0),  # replaced per scale (use_database)
        SECURE_SSL_REDIRECT="False",
        JWT_ACCESS_MINUTES="180",
        THROTTLE_USER_RATE="10000000/min",
        THROTTLE_ANON_RATE="10000000/min",
        THROTTLE_LOGIN_IP_RATE="10000000/min",
        THROTTLE_LOGIN_EMAIL_RATE="10000000/min",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")


def use_database(scale: int) -> None:
    """Point this process (and the gunicorn it starts next) at the scale's database."""
    from django.db import connections

    connections.close_all()
    os.environ["DATABASE_URL"] = database_url(scale)
    connections["default"].settings_dict["NAME"] = urlsplit(database_url(scale)).path.lstrip("/")


def forget_cached_users() -> None:
    """Drop the cached copies of the scale's users: every scale's users have the same ids, and a copy another scale's
    database left in the cache (AUTH_USER_CACHE_SECONDS) holds another password hash, so it refuses their tokens."""
    from django.core.cache import cache

    from payments_api.users.models import User
    from payments_api.users.selectors import authentication_cache_key

    user_ids = User.objects.values_list("pk", flat=True).iterator(chunk_size=10_000)
    while keys := [authentication_cache_key(pk) for pk in itertools.islice(user_ids, 10_000)]:
        cache.delete_many(keys)


def seed(scale: int, payments_per_supplier: int) -> None:
    import psycopg2
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    parts = urlsplit(database_url(scale))
    name = parts.path.lstrip("/")
    server = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()
    call_command("migrate", verbosity=0)
    suppliers = max(1, scale // payments_per_supplier)
    call_command("seed_load", suppliers=suppliers, payments=scale, password=PASSWORD)


def delete_bench_queue() -> None:
    from payments_api.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete("bench")  # type: ignore[attr-defined]  # kombu's typing lacks it


class Server:
    """gunicorn with the project's gunicorn.conf.py, as the Procfile starts it: the API, or (`bare`) the bare ceiling's
    process on the next port, with the same workers and threads."""

    def __init__(self, args, log_path: Path, *, bare: bool = False):
        port = args.port + 1 if bare else args.port
        self.url = f"http://127.0.0.1:{port}"
        application = "payments_api.bench.bare_wsgi" if bare else "payments_api.wsgi"
        command = [sys.executable, "-m", "gunicorn", application, "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{port}"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        if args.threads:
            command += ["--threads", str(args.threads)]
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "payments_api.bench.bare_settings"} if bare else None
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=environment
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                # The gunicorn this process started, on loopback over http.
                with urllib.request.urlopen(f"{self.url}/health/", timeout=5) as response:  # nosec B310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # a loaded machine boots slowly
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not become healthy; see {log_path}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def token_for(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def seeded_users():
    from payments_api.payments.management.commands.seed_load import EMAIL_DOMAIN
    from payments_api.users.models import User

    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def read_endpoints() -> list[Endpoint]:
    """The read benchmarks, each cycling over many suppliers (or operators), with its bare-Django baseline."""
    from payments_api.payments.models import Payment

    suppliers = list(seeded_users().filter(supplier__isnull=False).select_related("supplier").order_by("?")[:SAMPLE])
    supplier_tokens = [(user.supplier.pk, token_for(user)) for user in suppliers]
    operator_tokens = [token_for(user) for user in seeded_users().filter(is_operator=True)]

    def supplier_list(name: str, path: str, baseline: str, query: str = "") -> Endpoint:
        also = query.replace("?", "&")
        bare = baseline.replace("/bench/", "/bare/")
        return Endpoint(
            name=name,
            requests=[("GET", f"{path}{query}", token, "") for _, token in supplier_tokens],
            baseline=[("GET", f"{baseline}?supplier={pk}{also}", "", "") for pk, _ in supplier_tokens],
            bare=[("GET", f"{bare}?supplier={pk}{also}", "", "") for pk, _ in supplier_tokens],
            is_list=True,
        )

    def operator_list(name: str, path: str, baseline: str, query: str = "") -> Endpoint:
        return Endpoint(
            name=name,
            requests=[("GET", f"{path}{query}", token, "") for token in operator_tokens],
            baseline=[("GET", f"{baseline}{query}", "", "")],
            bare=[("GET", f"{baseline.replace('/bench/', '/bare/')}{query}", "", "")],
            is_list=True,
        )

    endpoints = []
    for reader, endpoint in (("supplier", supplier_list), ("operator", operator_list)):
        for query in ("", *(f"?status={state}" for state in STATES)):
            name = f"{reader}: list payments {query}".strip()
            endpoints.append(endpoint(name, "/api/payments/", "/bench/payments/", query))

    payments = list(Payment.objects.order_by("?").values_list("pk", "supplier__user_id")[:SAMPLE])
    owners = seeded_users().in_bulk({user_id for _, user_id in payments})
    token_of_user = {pk: token_for(user) for pk, user in owners.items()}
    endpoints += [
        Endpoint(
            name="supplier: payment detail",
            requests=[("GET", f"/api/payments/{pk}/", token_of_user[user_id], "") for pk, user_id in payments],
            baseline=[("GET", f"/bench/payments/{pk}/", "", "") for pk, _ in payments],
            bare=[("GET", f"/bare/payments/{pk}/", "", "") for pk, _ in payments],
        ),
        supplier_list("supplier: list logs", "/api/logs/", "/bench/logs/"),
        operator_list("operator: list logs", "/api/logs/", "/bench/logs/"),
    ]
    return endpoints


def available_payments() -> list[tuple[int, int]]:
    """(payment, its supplier's user) for up to two write pools of payments that can be anticipated, in random order."""
    from django.utils import timezone

    from payments_api.payments.models import Payment

    available = Payment.objects.filter(anticipation__isnull=True, due_date__gt=timezone.localdate())
    return list(available.order_by("?").values_list("pk", "supplier__user_id")[: 2 * WRITE_POOL])


def anticipation_request_endpoint(payments: list[tuple[int, int]], name: str) -> Endpoint:
    """Each request asks for a different one of `payments`, as its own supplier, to be paid today."""
    from django.utils import timezone

    from payments_api.users.models import User

    today = timezone.localdate()
    users = User.objects.in_bulk({user_id for _, user_id in payments})
    tokens = {pk: token_for(user) for pk, user in users.items()}
    body = '{{"payment": {}, "new_due_date": "{}"}}'
    requests = [("POST", "/api/anticipations/", tokens[user_id], body.format(pk, today)) for pk, user_id in payments]
    return Endpoint(name=name, requests=requests)


@contextlib.contextmanager
def auto_approval_on():
    """The programme approves every request at once while the block runs (an APR hurdle of 0.00%, the largest payment
    as the ceiling, no budget), and its terms are put back after: a request that auto-approves, measured beside the
    one that waits for an operator."""
    from payments_api.payments.models import MAX_PAYMENT_VALUE
    from payments_api.programme.selectors import programme_current
    from payments_api.programme.services import programme_update
    from payments_api.users.models import User

    manager = User.objects.filter(email=BENCH_TERMS_EMAIL).first() or User.objects.create_superuser(
        email=BENCH_TERMS_EMAIL, password=None
    )
    before = programme_current().terms()
    programme_update(
        changed_by=manager,
        auto_approve_min_apr=Decimal("0.00"),
        auto_approve_max_value=MAX_PAYMENT_VALUE,
        dual_approval_min_value=None,
        monthly_budget=None,
    )
    try:
        yield
    finally:
        programme_update(changed_by=manager, **before)


def decision_endpoint() -> Endpoint:
    """Each request approves or denies a different pending anticipation, as one of the operators."""
    from django.utils import timezone

    from payments_api.payments.models import Anticipation, AnticipationStatus

    pending = list(
        Anticipation.objects.filter(
            status=AnticipationStatus.PENDING_CONFIRMATION, new_due_date__gte=timezone.localdate()
        )
        .order_by("?")
        .values_list("pk", flat=True)[:WRITE_POOL]
    )
    tokens = [token_for(user) for user in seeded_users().filter(is_operator=True)]
    requests = [
        ("PATCH", f"/api/anticipations/{pk}/", tokens[n % len(tokens)], f'{{"status": "{"AD"[n % 2]}"}}')
        for n, pk in enumerate(pending)
    ]
    return Endpoint(name="operator: decide anticipation", requests=requests)


def admin_dashboard_endpoint() -> Endpoint:
    """The admin's index, where the dashboard is, as an operator with a session (the page reads the figures' snapshot,
    which the first request computes; make bench reports that computation's time on its own line)."""
    from django.conf import settings
    from django.test import Client

    operator = seeded_users().filter(is_operator=True).order_by("pk").first()
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(operator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Endpoint(name="operator: admin dashboard", requests=[("GET", "/admin/", f"session:{session}", "")])


def dashboard_refresh_seconds() -> float:
    """How long computing the dashboard's figures takes (the background refresh), measured in this process."""
    from payments_api.cockpit.services import dashboard_refresh

    started = time.perf_counter()
    dashboard_refresh()
    return time.perf_counter() - started


def token_endpoint() -> Endpoint:
    emails = seeded_users().filter(supplier__isnull=False).values_list("email", flat=True)[:SAMPLE]
    body = '{{"email": "{}", "password": "%s"}}' % PASSWORD
    return Endpoint(name="token obtain", requests=[("POST", "/api/token/", "", body.format(email)) for email in emails])


def send(server: Server, method: str, path: str, token: str = "", body: str = "", **headers) -> tuple[int, dict]:
    if token.startswith("session:"):
        headers["Cookie"] = f"sessionid={token.removeprefix('session:')}"
    elif token:
        headers["Authorization"] = f"Bearer {token}"
    if body:
        headers["Content-Type"] = "application/json"
    call = urllib.request.Request(f"{server.url}{path}", data=body.encode() or None, headers=headers, method=method)
    try:
        # The URL is the bench's own gunicorn on loopback.
        with urllib.request.urlopen(call, timeout=30) as response:  # nosec B310
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def count_queries(server: Server, request: tuple[str, str, str, str]) -> tuple[int, int]:
    """(HTTP status, SQL queries) of one request, counted by the bench middleware, its user already authenticated
    (and so cached) as between a client's requests."""
    method, path, token, body = request
    if token and not token.startswith("session:"):
        send(server, "GET", "/api/anticipations/?page_size=1", token)
    elif token:
        send(server, method, path, token)  # a page's first request computes what it caches
    status, headers = send(server, method, path, token, body, **{"X-Bench-Queries": "1"})
    return status, int(headers.get("X-Query-Count") or -1)


def wrk(server: Server, requests: list, args, folder: Path, name: str, duration: float | None = None) -> dict:
    plan = folder / f"{name}.tsv"
    plan.write_text("".join("\t".join(request) + "\n" for request in requests))
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{duration or args.duration:g}s"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPT), server.url, "--", str(plan), str(args.wrk_threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    report = json.loads(output.strip().splitlines()[-1])
    plan.unlink()
    return report


def measure(server: Server, bare_server: Server, endpoint: Endpoint, args, scale: int, folder: Path) -> Result:
    sample, *load = endpoint.requests
    if endpoint.requests[0][0] == "GET":
        load = endpoint.requests  # reads can repeat the sample
    status, queries = count_queries(server, sample)
    if status >= 300:  # a redirect too: a page answering its login page measures nothing
        print(f"  ! {endpoint.name}: the sample request answered {status}", file=sys.stderr)
    # Rounds alternate the endpoint, its baseline and its bare ceiling, so a slow spell of the machine weighs on all
    # alike. A write has neither and runs once, as long: each of its requests acts on something a round would reuse.
    reports, baselines, bares = [], [], []
    if endpoint.baseline:
        for _ in range(args.rounds):
            reports.append(wrk(server, load, args, folder, "load"))
            baselines.append(wrk(server, endpoint.baseline, args, folder, "baseline"))
            if endpoint.bare:
                bares.append(wrk(bare_server, endpoint.bare, args, folder, "bare"))
    else:
        seconds = max(1, int(min(args.duration * args.rounds, len(load) / WRITE_RATE_BOUND)))  # whole seconds for wrk
        reports.append(wrk(server, load, args, folder, "load", duration=seconds))
    if args.profile and endpoint.baseline:
        flame_graph(server, load, args, folder / f"flame-{scale}-{slug(endpoint.name)}.svg")
        if endpoint.bare:
            flame_graph(bare_server, endpoint.bare, args, folder / f"flame-{scale}-{slug(endpoint.name)}-bare.svg")
    result = Result(
        scale=scale,
        endpoint=endpoint.name,
        rps=throughput(reports),
        p50=statistics.median(report["p50_us"] for report in reports) / 1000,
        p95=statistics.median(report["p95_us"] for report in reports) / 1000,
        p99=statistics.median(report["p99_us"] for report in reports) / 1000,
        queries=queries,
        # The bare ceiling's errors count too: a ceiling that answered errors would measure nothing.
        non_2xx=sum(report["non_2xx"] for report in reports + bares),
        socket_errors=sum(report["socket_errors"] for report in reports + bares),
        baseline_rps=throughput(baselines) if baselines else None,
        bare_rps=throughput(bares) if bares else None,
        is_list=endpoint.is_list,
    )
    print(f"  {row(result)}", flush=True)
    return result


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def py_spy() -> str | None:
    """py-spy's executable: on the PATH, or beside this interpreter (the virtualenv's bin/ when run without it)."""
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


def flame_graph(server: Server, requests: list, args, path: Path) -> None:
    """A flame graph of the server's workers under the endpoint's load, from py-spy: only the samples of a worker
    holding the interpreter lock (--gil), so it shows CPU, not time spent waiting for PostgreSQL or Redis. py-spy
    reads the processes from outside (--nonblocking: it never pauses them), in a wrk run that is not measured."""
    seconds = max(1, round(args.duration))
    command = [str(py_spy()), "record", "--pid", str(server.process.pid), "--subprocesses", "--gil", "--nonblocking"]
    command += ["--rate", "200", "--duration", str(seconds), "--format", "flamegraph", "--output", str(path)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wrk(server, requests, args, path.parent, "profile", duration=seconds + 1)
    _, errors = spy.communicate(timeout=60)
    if spy.returncode:
        print(f"  ! py-spy failed ({spy.returncode}): {errors.strip()[-300:]}", file=sys.stderr)
    else:
        print(f"  flame graph: {path}", flush=True)


def throughput(reports: list[dict]) -> float:
    return sum(report["requests"] for report in reports) / sum(report["duration_us"] / 1e6 for report in reports)


def selected(args, name: str) -> bool:
    """Whether --only (a regular expression) lets the endpoint called `name` run."""
    return not args.only or bool(re.search(args.only, name))


def bench_scale(scale: int, args, folder: Path) -> list[Result]:
    from django.db import connections

    use_database(scale)
    if args.reuse_data:
        print(f"\n== {scale:,} payments: reusing {database_url(scale)}", flush=True)
    else:
        print(f"\n== {scale:,} payments: seeding", flush=True)
        seed(scale, args.payments_per_supplier)
    forget_cached_users()
    endpoints = read_endpoints()
    # The two requests' pools are disjoint: at a small scale the payments that can be anticipated are few, and each
    # wrk run cycles over its list, so a shared pool would send the second one payments the first had taken.
    writes = ("supplier: request anticipation", "supplier: request anticipation, auto-approved")
    available = available_payments() if any(selected(args, name) for name in writes) else []
    requests = anticipation_request_endpoint(available[::2], writes[0])
    auto_approved = anticipation_request_endpoint(available[1::2], writes[1])
    connections.close_all()
    server = Server(args, folder / f"gunicorn-{scale}.log")
    try:
        bare_server = Server(args, folder / f"gunicorn-bare-{scale}.log", bare=True)
    except BaseException:
        server.stop()
        raise
    results = []
    try:
        # Warm every worker's connections and caches before measuring.
        lists = [endpoint for endpoint in endpoints if endpoint.name.endswith("list payments")]
        wrk(server, [request for endpoint in lists for request in endpoint.requests], args, folder, "warmup", 3)
        wrk(bare_server, [request for endpoint in lists for request in endpoint.bare or []], args, folder, "warmup", 3)
        print(f"== {scale:,} payments: measuring", flush=True)
        if selected(args, "operator: admin dashboard"):
            refresh = dashboard_refresh_seconds()
            print(f"  dashboard figures computed in {refresh * 1000:.0f} ms (the background refresh)", flush=True)
            results.append(measure(server, bare_server, admin_dashboard_endpoint(), args, scale, folder))
            results[-1].extra["refresh_ms"] = refresh * 1000
            connections.close_all()
        for build in (lambda: endpoints, lambda: [requests], lambda: [decision_endpoint()]):
            for endpoint in build():
                if not selected(args, endpoint.name):
                    continue
                results.append(measure(server, bare_server, endpoint, args, scale, folder))
                connections.close_all()
        if selected(args, auto_approved.name):
            with auto_approval_on():
                results.append(measure(server, bare_server, auto_approved, args, scale, folder))
            connections.close_all()
        if selected(args, "token obtain"):
            results.append(measure(server, bare_server, token_endpoint(), args, scale, folder))
    finally:
        server.stop()
        bare_server.stop()
        connections.close_all()
    return results


HEADER = (
    "| endpoint | req/s | p50 ms | p95 ms | p99 ms | queries | baseline req/s | ratio | bare req/s | bare ratio "
    "| errors |"
)
HEADER_RULE = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"


def row(result: Result) -> str:
    baseline = f"{result.baseline_rps:.0f}" if result.baseline_rps else "-"
    ratio = f"{result.ratio:.0%}" if result.ratio else "-"
    bare = f"{result.bare_rps:.0f}" if result.bare_rps else "-"
    bare_ratio = f"{result.bare_ratio:.0%}" if result.bare_ratio else "-"
    errors = result.non_2xx + result.socket_errors
    return (
        f"| {result.endpoint} | {result.rps:.0f} | {result.p50:.1f} | {result.p95:.1f} | {result.p99:.1f} | "
        f"{result.queries} | {baseline} | {ratio} | {bare} | {bare_ratio} | {errors or ''} |"
    )


def report(results: list[Result], args) -> str:
    lines = []
    scales = sorted({result.scale for result in results})
    for scale in scales:
        lines += [f"\n### {scale:,} payments\n", HEADER, HEADER_RULE]
        lines += [row(result) for result in results if result.scale == scale]
    if len(scales) > 1:
        small, large = scales[0], scales[-1]
        at = {(result.scale, result.endpoint): result for result in results}
        lines += [
            f"\n### From {small:,} to {large:,} payments\n",
            "| endpoint | p99 ms | p99 ms | p99 growth | queries | queries |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for result in results:
            if result.scale != large or (small, result.endpoint) not in at:
                continue
            before = at[(small, result.endpoint)]
            lines.append(
                f"| {result.endpoint} | {before.p99:.1f} | {result.p99:.1f} | {result.p99 / before.p99:.2f}x | "
                f"{before.queries} | {result.queries} |"
            )
        lines += ["", *targets(at, small, large, results)]
    for result in results:
        if refresh := result.extra.get("refresh_ms"):
            payments = f"{result.scale:,}"
            lines.append(f"\nDashboard figures at {payments} payments computed in {refresh:.0f} ms (background).")
    lines.append(
        f"\nwrk {args.wrk_threads} threads, {args.connections} connections, {args.rounds} runs of {args.duration:g} s "
        "per endpoint alternating with its baseline and its bare ceiling (req/s over all runs, latency the runs' "
        "median); "
        f"gunicorn workers={args.workers or 'conf'} threads={args.threads or 'conf'}; {os.cpu_count()} CPUs."
    )
    return "\n".join(lines)


# The reads held to half the bare ceiling's requests/s: the supplier's lists (each state too), the detail, the logs.
BARE_TARGETS = re.compile(r"^supplier: (list payments( \?status=\w+)?|payment detail|list logs)$")


def targets(at: dict, small: int, large: int, results: list[Result]) -> list[str]:
    checks = []
    for result in results:
        if result.scale == large and result.bare_ratio and BARE_TARGETS.match(result.endpoint):
            text = f"{result.endpoint} at {large:,}: {result.bare_ratio:.0%} of the bare ceiling's req/s (at least 50%)"
            checks.append((text, result.bare_ratio >= 0.5))
    supplier = at.get((large, "supplier: list payments"))
    supplier_small = at.get((small, "supplier: list payments"))
    if supplier and supplier_small:
        growth = supplier.p99 / supplier_small.p99
        checks.append((f"supplier list p99 {large:,} / {small:,}: {growth:.2f}x (at most 2x)", growth <= 2))
    # Every operator list (each ?status= and the logs), count included.
    operator_lists = [r for r in results if r.scale == large and r.endpoint.startswith("operator: list")]
    if operator_lists:
        slowest = max(operator_lists, key=lambda result: result.p99)
        text = f"operator lists p99 at {large:,}: at most {slowest.p99:.1f} ms, {slowest.endpoint} (below 100 ms)"
        checks.append((text, slowest.p99 < 100))
    token = at.get((large, "token obtain"))
    if token:
        text = f"token obtain at {large:,}: {token.rps:.0f} req/s, p99 {token.p99:.0f} ms (at least 40, below 500 ms)"
        checks.append((text, token.rps >= 40 and token.p99 < 500))
    dashboard = at.get((large, "operator: admin dashboard"))
    if dashboard:
        checks.append((f"admin dashboard p99 at {large:,}: {dashboard.p99:.1f} ms (below 300 ms)", dashboard.p99 < 300))
    lists = [r for r in results if r.is_list and r.scale == large and (small, r.endpoint) in at]
    if lists:
        fastest_growing = max(lists, key=lambda result: result.p99 / at[(small, result.endpoint)].p99)
        growth = fastest_growing.p99 / at[(small, fastest_growing.endpoint)].p99
        text = f"every list's p99 {large:,} / {small:,}: at most {growth:.2f}x, {fastest_growing.endpoint} (at most 2x)"
        checks.append((text, growth <= 2))
    unchanged = [result.endpoint for result in lists if at[(small, result.endpoint)].queries != result.queries]
    checks.append((f"list endpoints with the same queries at both scales: {len(lists) - len(unchanged)}/{len(lists)}",
                   not unchanged))
    return [f"- {'PASS' if passed else 'FAIL'}: {text}" for text, passed in checks]


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk).")
    if args.profile and not py_spy():
        raise SystemExit("--profile needs py-spy (make install puts it in .venv).")
    configure_environment()
    import django

    django.setup()
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    delete_bench_queue()
    results = []
    try:
        for scale in (int(value) for value in args.scales.split(",")):
            results += bench_scale(scale, args, folder)
    finally:
        delete_bench_queue()
    text = report(results, args)
    print(text)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (folder / f"bench-{stamp}.md").write_text(text + "\n")
    rows = [result.__dict__ | {"ratio": result.ratio, "bare_ratio": result.bare_ratio} for result in results]
    (folder / f"bench-{stamp}.json").write_text(json.dumps(rows, indent=1))
    print(f"\n{time.monotonic() - started:.0f} s; reports in {folder}/bench-{stamp}.md and .json")
    failed = [result.endpoint for result in results if result.non_2xx or result.socket_errors]
    if failed:
        print(f"Requests failed in: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
