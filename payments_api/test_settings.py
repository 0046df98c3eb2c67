"""Settings for the test suite: the real settings, with fast password hashing and tasks run in-process."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-hs256-signing")

from payments_api.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests that need a worker on the broker start one and switch this off (see conftest.celery_worker).
CELERY_TASK_ALWAYS_EAGER = True
