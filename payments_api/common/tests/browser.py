"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live_server.

A pytest plugin (conftest's pytest_plugins), for every app's page tests. Mark a test `@pytest.mark.browser` (with
`django_db(transaction=True, serialized_rollback=True)`: the migrations' rows are there) and use pytest-playwright's
`page` with `live_server`; browser tests run last; `screenshot(page, name)` keeps a full-page PNG in
browser-screenshots/ (CI keeps the folder as an artefact).

Without chromium the browser tests are skipped with one line saying why (`make test` installs it where it can); with
BROWSER_TESTS_REQUIRED=1 (as .ci/run sets it) a missing browser or any skipped browser test fails the run.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BROWSER_EXECUTABLE", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "browser-screenshots"
# No first-run work, no calls home, no sandbox (CI runs as root in a container), no GPU.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = f"browser tests skipped: no chromium at {CHROMIUM} (apt-get install -y chromium, or set BROWSER_EXECUTABLE)"


def browser_available() -> bool:
    return os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM) is not None


def browser_required() -> bool:
    return os.environ.get("BROWSER_TESTS_REQUIRED", "") not in ("", "0")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (Playwright and chromium) against live_server")


def pytest_report_header(config):
    return f"browser: {CHROMIUM}" if browser_available() else MISSING


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "browser" in item.keywords]
    # Last of all: pytest regroups tests by pytest-playwright's session-wide browser parameter after pytest-django has
    # put the transactional tests last, which would run these (their live_server flushes the database) among the
    # tests that expect the data the migrations wrote.
    items[:] = [item for item in items if "browser" not in item.keywords] + browser_items
    if not browser_items or browser_available():
        return
    if browser_required():
        raise pytest.UsageError(f"BROWSER_TESTS_REQUIRED is set but {MISSING}")
    skip = pytest.mark.skip(reason=MISSING)
    for item in browser_items:
        item.add_marker(skip)


_skipped: list[str] = []  # the browser tests this run skipped, for whatever reason


def pytest_runtest_logreport(report):
    if report.skipped and "browser" in report.keywords:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if browser_required() and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _skipped and browser_required():
        terminalreporter.write_line(f"BROWSER_TESTS_REQUIRED: {len(_skipped)} browser test(s) were skipped; failing.")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English unless a test asks for another language (browser.new_context(locale="pt-BR")).
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1400, "height": 900}}


@pytest.fixture
def screenshot():
    """Keep a full-page screenshot of `page` as browser-screenshots/<name>.png."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # Transitions finished at once: a page just switched to the dark scheme would be caught half-way otherwise.
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take


@pytest.fixture
def log_in_browser(live_server):
    """Give a browser context the session of `user` (as a login would), for pages behind Django's session login."""
    from django.conf import settings
    from django.test import Client

    def log_in(context, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    return log_in
