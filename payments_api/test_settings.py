"""Settings for the test suite: the real settings, with fast password hashing and tasks run in-process."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-hs256-signing")
# Playwright's sync API runs an event loop in the test's thread; the ORM calls that set up and check a browser test
# run there too, between page steps, never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from payments_api.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests that need a worker on the broker start one and switch this off (see conftest.celery_worker).
CELERY_TASK_ALWAYS_EAGER = True
