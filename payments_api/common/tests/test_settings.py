"""Settings read from the environment, checked in a fresh interpreter with the production settings module."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
PRINT_EMAIL_USE_TLS = "from django.conf import settings; print(repr(settings.EMAIL_USE_TLS))"
PRINT_DEBUG = "from django.conf import settings; print(repr(settings.DEBUG))"


def run_settings(code: str, *, project_dir: Path = PROJECT_DIR, **environment: str) -> subprocess.CompletedProcess:
    """Run `code` with DJANGO_SETTINGS_MODULE=payments_api.settings and only the given project variables."""
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    env.update({"DJANGO_SETTINGS_MODULE": "payments_api.settings", "PYTHONPATH": str(project_dir), **environment})
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=project_dir, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("False", "False"), ("True", "True"), ("0", "False"), ("1", "True"), ("false", "False"), ("off", "False")],
)
def test_email_use_tls_is_read_as_a_real_boolean(raw, parsed):
    result = run_settings(PRINT_EMAIL_USE_TLS, DEBUG="True", EMAIL_USE_TLS=raw)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == parsed


def test_email_use_tls_defaults_to_false():
    result = run_settings(PRINT_EMAIL_USE_TLS, DEBUG="True")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("debug", ["False", "0", None])
def test_secret_key_is_required_when_debug_is_off(debug):
    environment = {} if debug is None else {"DEBUG": debug}

    result = run_settings(PRINT_DEBUG, **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_with_a_secret_key_debug_off_settings_load():
    result = run_settings(PRINT_DEBUG, DEBUG="False", SECRET_KEY="a-production-secret-key-of-enough-length-for-hs256")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_on_runs_without_a_secret_key():
    result = run_settings(PRINT_DEBUG, DEBUG="True")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def run_settings_with_dotenv(tmp_path: Path, dotenv: str, code: str, **environment: str) -> subprocess.CompletedProcess:
    """Like run_settings, with `dotenv` as the .env file that python-decouple finds above the settings module."""
    (tmp_path / "payments_api").symlink_to(PROJECT_DIR / "payments_api", target_is_directory=True)
    (tmp_path / ".env").write_text(dotenv)
    return run_settings(code, project_dir=tmp_path, **environment)


PRINT_DATABASE = "from django.conf import settings; db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'])"


def test_database_url_is_read_from_the_dotenv_file(tmp_path):
    dotenv = "DEBUG=True\nDATABASE_URL=postgres://payments@db.example:5432/from_dotenv\n"

    result = run_settings_with_dotenv(tmp_path, dotenv, PRINT_DATABASE)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "from_dotenv"]


def test_database_url_from_the_environment_wins_over_the_dotenv_file(tmp_path):
    dotenv = "DEBUG=True\nDATABASE_URL=postgres://payments@db.example:5432/from_dotenv\n"

    result = run_settings_with_dotenv(
        tmp_path, dotenv, PRINT_DATABASE, DATABASE_URL="postgres://payments@db.example:5432/from_environment"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "from_environment"]


@pytest.mark.parametrize("database_url", [None, ""], ids=["unset", "empty"])
def test_without_a_database_url_the_database_is_sqlite(database_url):
    environment = {"DEBUG": "True"} | ({} if database_url is None else {"DATABASE_URL": database_url})

    result = run_settings(PRINT_DATABASE, **environment)

    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert (engine, name) == ("django.db.backends.sqlite3", str(PROJECT_DIR / "db.sqlite3"))


PRINT_REPLICAS = (
    "from django.conf import settings; "
    "print(settings.DATABASE_REPLICAS, settings.DATABASE_ROUTERS, "
    "[(settings.DATABASES[a]['HOST'], settings.DATABASES[a]['PORT'], settings.DATABASES[a]['TEST']['MIRROR'], "
    "settings.DATABASES[a]['OPTIONS']['connect_timeout']) for a in settings.DATABASE_REPLICAS])"
)
PRIMARY_URL = "postgres://app@primary.internal:5432/payments_api"


def test_each_replica_url_is_a_database_alias_read_through_the_router():
    replicas = "postgres://app@replica-a.internal:5432/payments_api,postgres://app@replica-b.internal:5433/payments_api"

    result = run_settings(PRINT_REPLICAS, DEBUG="True", DATABASE_URL=PRIMARY_URL, DATABASE_REPLICA_URLS=replicas)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['replica1', 'replica2'] ['payments_api.common.replicas.ReplicaRouter'] "
        "[('replica-a.internal', 5432, 'default', 2), ('replica-b.internal', 5433, 'default', 2)]"
    )


def test_without_replicas_there_is_no_router():
    result = run_settings(PRINT_REPLICAS, DEBUG="True", DATABASE_URL=PRIMARY_URL)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] [] []"


def test_the_read_your_writes_window_must_cover_three_replica_checks():
    result = run_settings(
        PRINT_REPLICAS,
        DEBUG="True",
        DATABASE_URL=PRIMARY_URL,
        DATABASE_REPLICA_URLS="postgres://app@replica-a.internal:5432/payments_api",
        REPLICA_READ_YOUR_WRITES_SECONDS="2",
        REPLICA_CHECK_SECONDS="1",
    )

    assert "ImproperlyConfigured: REPLICA_READ_YOUR_WRITES_SECONDS must be at least three" in result.stderr


PRINT_SECRET_KEY = (
    "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY.startswith('django-insecure'))"
)
RUN_CHECK = "import django; django.setup(); from django.core.management import call_command; call_command('check')"
ENV_SAMPLE = PROJECT_DIR / "contrib" / "env-sample"


@pytest.mark.parametrize("secret_key", ["", "   "], ids=["empty", "blank"])
def test_an_empty_secret_key_counts_as_unset_when_debug_is_on(secret_key):
    result = run_settings(PRINT_SECRET_KEY, DEBUG="True", SECRET_KEY=secret_key)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


@pytest.mark.parametrize("secret_key", ["", "   "], ids=["empty", "blank"])
def test_an_empty_secret_key_is_refused_when_debug_is_off(secret_key):
    result = run_settings(PRINT_SECRET_KEY, DEBUG="False", SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is False." in result.stderr


def test_the_env_sample_copied_to_dotenv_works_with_debug_on_as_make_run_sets_it(tmp_path):
    code = f"{RUN_CHECK}; {PRINT_SECRET_KEY}"

    result = run_settings_with_dotenv(tmp_path, ENV_SAMPLE.read_text(), code, DEBUG="True")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["System check identified no issues (0 silenced).", "True True"]


def test_the_env_sample_copied_to_dotenv_asks_for_a_secret_key_when_debug_is_off(tmp_path):
    result = run_settings_with_dotenv(tmp_path, ENV_SAMPLE.read_text(), PRINT_SECRET_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is False." in result.stderr


def environment_variables_read_by(path: Path) -> set[str]:
    """The names passed to decouple's config() and read from os.environ in a Python file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in {"config", "os.environ.get", "os.getenv"}:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return names


def env_sample_variables() -> dict[str, bool]:
    """Each variable of contrib/env-sample, set or commented out, and whether a comment above it explains it."""
    lines = ENV_SAMPLE.read_text().splitlines()
    variables = {}
    for index, line in enumerate(lines):
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=", line)
        if match:
            block = []
            for above in reversed(lines[:index]):
                if not above.strip():
                    break
                block.append(above)
            variables[match.group(1)] = any(re.match(r"^# \S", above) for above in block)
    return variables


def test_the_env_sample_lists_every_variable_the_settings_gunicorn_and_the_worker_read_with_a_comment():
    read = environment_variables_read_by(PROJECT_DIR / "payments_api" / "settings.py")
    read |= environment_variables_read_by(PROJECT_DIR / "gunicorn.conf.py")
    read |= environment_variables_read_by(PROJECT_DIR / "payments_api" / "celery.py")
    read |= environment_variables_read_by(PROJECT_DIR / "payments_api" / "common" / "task_observation.py")
    sample = env_sample_variables()

    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY"} <= read  # the parsing finds them
    assert sorted(read - set(sample)) == []
    assert sorted(name for name, commented in sample.items() if not commented) == []
    assert sorted(set(sample) - read) == []


def test_the_make_commands_leave_dotenv_to_decouple_so_the_environment_wins(tmp_path):
    """pipenv would load .env over the environment: make run's DEBUG=True would lose to env-sample's DEBUG=False."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("DEBUG=False\nONLY_IN_DOTENV=loaded\n")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PIPENV_")}
    environment.update({"DEBUG": "True", "PIPENV_DOTENV_LOCATION": str(dotenv)})

    code = "import os; print(os.environ['DEBUG'], 'ONLY_IN_DOTENV' in os.environ)"

    result = subprocess.run(
        ["sh", "contrib/pipenv", "run", "python", "-c", code],
        env=environment,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
