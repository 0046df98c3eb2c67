"""A real streaming replica of the test database's PostgreSQL server, for the tests of reads from replicas.

`pg_basebackup -R` copies the server into a temporary folder as a standby of it, and the copy is started with pg_ctl
on a free port, both as the `postgres` system user; it is stopped and removed when the test session ends. What the
server needs for it (a replication entry in pg_hba.conf, for the test's own role from 127.0.0.1) is added when
missing and the configuration reloaded; what would need a restart of the server (wal_level, max_wal_senders) is only
checked, and the tests are skipped saying why.
"""

import copy
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA_ALIAS = "replica1"
# Two more aliases, for tests with more than one replica: the same server under another name, and a server that does
# not answer (a port nothing listens on). Registered with the first, so that a test may name them in its databases.
REPLICA_TWIN_ALIAS = "replica-twin"
REPLICA_DOWN_ALIAS = "replica-down"
ALIASES = (REPLICA_ALIAS, REPLICA_TWIN_ALIAS, REPLICA_DOWN_ALIAS)
HBA_LINE = "host replication {user} 127.0.0.1/32 trust  # payments_api tests: streaming replicas (pg_basebackup)"
# A standby needs at least the primary's value of each of these.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
START_TIMEOUT = 120


def _primary_query(sql: str, params=()):
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _show(name: str) -> str:
    return _primary_query(f"SHOW {name}")[0][0]


def _binaries(major: str) -> Path:
    found = sorted(glob.glob(f"/usr/lib/postgresql/{major}/bin/pg_basebackup"))
    if not found:
        pytest.skip(f"no pg_basebackup of PostgreSQL {major} under /usr/lib/postgresql/{major}/bin")
    return Path(found[0]).parent


def _as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _allow_replication(user: str) -> None:
    """Add a pg_hba.conf entry letting `user` open replication connections from 127.0.0.1, if none does yet."""
    try:
        rules = _primary_query(
            "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND error IS NULL"
        )
    except DatabaseError:
        pytest.skip("the test database's role may not read pg_hba_file_rules (a superuser's view)")
    if rules[0][0]:
        return
    hba_file = Path(_show("hba_file"))
    if not os.access(hba_file, os.W_OK):
        pytest.skip(f"{hba_file} has no replication entry and cannot be changed by this user")
    with hba_file.open("a") as hba:
        hba.write("\n" + HBA_LINE.format(user=user) + "\n")
    _primary_query("SELECT pg_reload_conf()")
    time.sleep(1)  # the postmaster reloads asynchronously


def _start_replica(folder: Path, settings_dict: dict) -> tuple[Path, Path, int]:
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("streaming replicas need PostgreSQL")
    if settings_dict.get("HOST") not in ("127.0.0.1", "localhost", ""):
        pytest.skip("the test database's server is not on this machine")
    if os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("starting a replica as the postgres system user needs root and runuser")
    if _show("wal_level") == "minimal" or int(_show("max_wal_senders")) < 2:
        pytest.skip("the server needs wal_level=replica and max_wal_senders >= 2 (a restart), which a test won't do")
    if not _primary_query("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]:
        pytest.skip("the test database's role may not replicate")
    binaries = _binaries(_show("server_version_num")[:-4])
    user = settings_dict.get("USER") or "postgres"
    _allow_replication(user)

    data = folder / "data"
    port = free_port()
    primary_port = str(settings_dict.get("PORT") or 5432)
    backup = _as_postgres(
        str(binaries / "pg_basebackup"),
        *("-h", "127.0.0.1", "-p", primary_port, "-U", user, "-D", str(data)),
        *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
        timeout=600,
    )
    if backup.returncode != 0:
        pytest.fail(f"pg_basebackup failed: {backup.stderr}")
    minimums = "\n".join(f"{name} = {_show(name)}" for name in STANDBY_MINIMUMS)
    # Debian keeps the configuration outside the data folder, which pg_basebackup copies alone: the standby gets its
    # own (its primary_conninfo is in postgresql.auto.conf, written by -R).
    (data / "postgresql.conf").write_text(
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
        f"hot_standby = on\nshared_buffers = 32MB\nfsync = off\n{minimums}\n"
    )
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    shutil.chown(data / "postgresql.conf", "postgres")
    shutil.chown(data / "pg_hba.conf", "postgres")
    shutil.chown(data / "pg_ident.conf", "postgres")
    started = _as_postgres(
        str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "replica.log"), "-w", "-t", str(START_TIMEOUT),
        "start", timeout=START_TIMEOUT + 30,
    )
    if started.returncode != 0:
        log = (folder / "replica.log").read_text() if (folder / "replica.log").exists() else ""
        pytest.fail(f"the replica did not start: {started.stdout}{started.stderr}\n{log[-3000:]}")
    return binaries, data, port


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    """The alias of a running streaming replica of the test database (REPLICA_ALIAS), stopped and removed after the
    session. Tests that use it commit what it should see (transactional tests) and wait for it (replica_catch_up)."""
    folder = Path(tempfile.mkdtemp(prefix="payments-api-replica-"))
    os.chmod(folder, 0o700)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = None
    try:
        with django_db_blocker.unblock():
            primary = connections[DEFAULT_DB_ALIAS].settings_dict
            binaries, data, port = _start_replica(folder, primary)
            replica = copy.deepcopy(primary)
            replica.update(HOST="127.0.0.1", PORT=str(port), CONN_MAX_AGE=0)
            replica["TEST"] = {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS}  # never created, flushed or dropped
            connections.settings[REPLICA_ALIAS] = replica
            connections.settings[REPLICA_TWIN_ALIAS] = copy.deepcopy(replica)
            connections.settings[REPLICA_DOWN_ALIAS] = {**copy.deepcopy(replica), "PORT": str(free_port())}
            with connections[REPLICA_ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                assert cursor.fetchone()[0], "the copy is not a standby"
        yield REPLICA_ALIAS
    finally:
        for alias in ALIASES:
            if alias in connections.settings:
                connections[alias].close()
                del connections[alias]
                del connections.settings[alias]
        if data is not None:
            _as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def replica_catch_up(alias: str, timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = _primary_query("SELECT pg_current_wal_lsn()")[0][0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")
