"""Settings for payments_api, read from the environment (see contrib/env-sample)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from decouple import Csv, config
from django.core.exceptions import ImproperlyConfigured

from payments_api.common.metrics import allowed_networks
from payments_api.common.request_context import sentry_event_tag

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = config("DEBUG", default=False, cast=bool)

# An empty SECRET_KEY (as `cp contrib/env-sample .env` leaves it) counts as unset.
SECRET_KEY = config("SECRET_KEY", default="").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]", cast=Csv())

INSTALLED_APPS = [
    # Django's admin with the cockpit's site (payments_api/cockpit/sites.py) as admin.site.
    "payments_api.cockpit.apps.CockpitAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here rather than a CDN
    "corsheaders",
    "django_filters",
    "django_htmx",
    "payments_api.common",
    "payments_api.idempotency",
    "payments_api.users",
    "payments_api.programme",
    "payments_api.payments",
    "payments_api.requestlogs",
    "payments_api.notifications",
    "payments_api.webhooks",
    "payments_api.portal",
    "payments_api.cockpit",
]

MIDDLEWARE = [
    # Outermost: the request id, the timing, the metrics and the log line cover every response, refusals included.
    "payments_api.common.middleware.RequestObservationMiddleware",
    # Before anything reads the path: /api/payments is served as /api/payments/.
    "payments_api.common.middleware.TrailingSlashMiddleware",
    # Response headers first: a middleware sees only the responses of those below it, including their refusals.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "payments_api.common.middleware.ApiNoStoreMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before anything reads the body: an oversized request is refused on its Content-Length.
    "payments_api.common.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before anything renders: the admin speaks the browser's language (pt-BR or en).
    "payments_api.common.middleware.PageLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sees the user the view authenticated: after a write, that user reads from the primary for a while.
    "payments_api.common.replicas.ReplicaReadYourWritesMiddleware",
    # request.htmx: the portal answers htmx's requests with the part of the page they replace.
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "payments_api.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "payments_api.wsgi.application"

# Read through decouple like every other variable, so a DATABASE_URL in .env counts; empty or unset is SQLite.
# Lower case: not a setting, so the URL and its password never show on a debug page.
_database_url = config("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=config("CONN_MAX_AGE", default=60, cast=int),
        conn_health_checks=True,
    )
}
# PostgreSQL streaming replicas of that database (comma-separated URLs, optional): the API's list and detail reads go
# to them in turn, everything else to the primary (common/replicas.py, docs/performance.md "Scaling out").
DATABASE_REPLICAS = []
for _number, _replica_url in enumerate(config("DATABASE_REPLICA_URLS", default="", cast=Csv()), start=1):
    _replica = dj_database_url.parse(
        _replica_url, conn_max_age=config("CONN_MAX_AGE", default=60, cast=int), conn_health_checks=True
    )
    # A replica that does not answer costs a request this long at most before it is skipped.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    _replica["TEST"] = {"MIRROR": "default"}  # the test suite reads its own database through it
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["payments_api.common.replicas.ReplicaRouter"] if DATABASE_REPLICAS else []
# After a user writes, its reads go to the primary for this long, so it sees its own write on a lagging replica too.
REPLICA_READ_YOUR_WRITES_SECONDS = config("REPLICA_READ_YOUR_WRITES_SECONDS", default=5, cast=float)
# Each process checks a replica every REPLICA_CHECK_SECONDS at most: it must have replayed what the primary held at
# the check before, so it serves nothing older than three intervals, within the window above. One that fails the
# check is left alone for REPLICA_RETRY_SECONDS.
REPLICA_CHECK_SECONDS = config("REPLICA_CHECK_SECONDS", default=1, cast=float)
REPLICA_RETRY_SECONDS = config("REPLICA_RETRY_SECONDS", default=30, cast=float)
if DATABASE_REPLICAS and not 0 < 3 * REPLICA_CHECK_SECONDS <= REPLICA_READ_YOUR_WRITES_SECONDS:
    raise ImproperlyConfigured("REPLICA_READ_YOUR_WRITES_SECONDS must be at least three REPLICA_CHECK_SECONDS.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The PostgreSQL role the web, worker and beat processes connect as, when it is not the owner that migrates: the
# release step (contrib/release.sh) grants it what it needs and no more (manage.py grant_app_role), creating it with
# DATABASE_APP_PASSWORD if it does not exist. Empty: one role does everything (docs/security.md).
DATABASE_APP_ROLE = config("DATABASE_APP_ROLE", default="")
DATABASE_APP_PASSWORD = config("DATABASE_APP_PASSWORD", default="")

# The cache holds the throttling counters: shared in Redis when configured, per process otherwise.
CACHE_URL = config("REDIS_URL", default="") or config("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            # django-redis rather than Django's own backend: it keeps one client per process (Django's builds one
            # per operation) and raises a counter in one atomic round trip (Django's checks existence first).
            # While Redis is unreachable the counters are kept in each process's memory and users are not cached,
            # so requests keep being served (common/cache.py); /health/ says "degraded".
            "BACKEND": "payments_api.common.cache.FallbackRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "payments_api",
            # A cache outage must slow nothing down for long: fail fast, then serve without it.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "payments_api"}}
# After Redis fails, each process leaves it alone this many seconds before trying it again.
CACHE_RETRY_SECONDS = config("CACHE_RETRY_SECONDS", default=5, cast=float)

AUTH_USER_MODEL = "users.User"
# New passwords, and old ones at their user's next login, are hashed with Argon2id (users/hashers.py); the PBKDF2
# hashes made before verify until then. docs/security.md says why these parameters.
PASSWORD_HASHERS = [
    "payments_api.users.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The languages of the pages (the API answers in LANGUAGE_CODE); the project's strings are in payments_api/locale.
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "payments_api" / "locale"]
# One date format throughout the pages: 03/12/2026 in pt-BR, 2026-12-03 in en (payments_api/common/locale_formats).
FORMAT_MODULE_PATH = ["payments_api.common.locale_formats"]
TIME_ZONE = config("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

# Static files: S3 when AWS credentials are configured, WhiteNoise otherwise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
AWS_ACCESS_KEY_ID = config("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = config("AWS_SECRET_ACCESS_KEY", default="")
AWS_STORAGE_BUCKET_NAME = config("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_ACCESS_KEY_ID and AWS_STORAGE_BUCKET_NAME:
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = False
    AWS_LOCATION = "static"
    STATIC_URL = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com/{AWS_LOCATION}/"
    _static_backend = "storages.backends.s3.S3Storage"
else:
    _static_backend = "whitenoise.storage.CompressedStaticFilesStorage"
    # The admin's assets are served even where collectstatic has not run.
    WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_backend},
}

# Security. The service may sit behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = config("SECURE_SSL_REDIRECT", default=False, cast=bool)
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
# The session (the portal's and the admin's sign-in) and CSRF cookies: HTTPS only outside DEBUG, never read by
# scripts, and not sent on requests other sites start (Lax: a link to the portal still arrives signed in).
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A browser session ends after this many seconds (8 hours by default) however active it is.
SESSION_COOKIE_AGE = config("SESSION_COOKIE_AGE", default=8 * 3600, cast=int)
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True  # pages put the token in their forms (and htmx's headers); no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# The language chosen on the portal's switch, kept a year.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
SECURE_HSTS_SECONDS = config("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000, cast=int)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only marks the site as eligible for browsers' preload lists; submitting the domain stays a manual step.
SECURE_HSTS_PRELOAD = config("SECURE_HSTS_PRELOAD", default=not DEBUG, cast=bool)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = config("CSRF_TRUSTED_ORIGINS", default="", cast=Csv())
# The largest request body accepted, in bytes; larger ones are a 413 problem (see common/middleware.py).
REQUEST_BODY_MAX_BYTES = config("REQUEST_BODY_MAX_BYTES", default=64 * 1024, cast=int)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# The largest payables file imported (POST /api/payments/import/, the admin's upload form), in bytes.
CSV_BODY_MAX_BYTES = config("CSV_BODY_MAX_BYTES", default=10 * 1024 * 1024, cast=int)
# Paths taking a larger body than REQUEST_BODY_MAX_BYTES (the path as routed, with its trailing slash); the admin's
# form carries the file with its multipart framing and the form's other fields.
REQUEST_BODY_MAX_BYTES_BY_PATH = {
    "/api/payments/import/": CSV_BODY_MAX_BYTES,
    "/admin/payments/payablesimport/add/": CSV_BODY_MAX_BYTES + REQUEST_BODY_MAX_BYTES,
}

# CORS is closed unless origins are listed: browsers elsewhere cannot call the API.
CORS_ALLOWED_ORIGINS = config("CORS_ALLOWED_ORIGINS", default="", cast=Csv())
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ("Location", "Retry-After", "Idempotent-Replayed", "X-Request-ID")

# E-mail
EMAIL_BACKEND = config("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = config("EMAIL_HOST", default="localhost")
EMAIL_PORT = config("EMAIL_PORT", default=25, cast=int)
EMAIL_HOST_USER = config("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = config("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = config("EMAIL_USE_TLS", default=False, cast=bool)
EMAIL_TIMEOUT = config("EMAIL_TIMEOUT", default=10, cast=int)
DEFAULT_FROM_EMAIL = config("DEFAULT_FROM_EMAIL", default="payments@example.com")

# Celery: without a broker, tasks run in-process right after the transaction commits.
CELERY_BROKER_URL = config("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A message is acknowledged once its task has run, and re-delivered if the worker dies meanwhile.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below (JSON lines with the task id), not through Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Publishing from a request gives up quickly when the broker is unreachable; the outbox row is the record.
CELERY_BROKER_CONNECTION_TIMEOUT = config("CELERY_BROKER_CONNECTION_TIMEOUT", default=2, cast=float)
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# How often the admin dashboard's figures are computed in the background (they read every anticipation).
DASHBOARD_REFRESH_SECONDS = config("DASHBOARD_REFRESH_SECONDS", default=60, cast=int)
if DASHBOARD_REFRESH_SECONDS < 1:
    raise ImproperlyConfigured("DASHBOARD_REFRESH_SECONDS must be at least 1.")
# Run by `celery -A payments_api beat` (exactly one per deployment).
NOTIFICATION_RELAY_EVERY = config("NOTIFICATION_RELAY_EVERY", default=15, cast=float)
CELERY_BEAT_SCHEDULE = {
    "relay-notifications": {
        "task": "payments_api.notifications.tasks.relay_notifications",
        "schedule": NOTIFICATION_RELAY_EVERY,
    },
    "relay-webhook-deliveries": {
        "task": "payments_api.webhooks.tasks.relay_webhook_deliveries",
        "schedule": NOTIFICATION_RELAY_EVERY,
    },
    "purge-idempotency-keys": {"task": "payments_api.idempotency.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "flush-expired-tokens": {"task": "payments_api.users.tasks.flush_expired_tokens", "schedule": 24 * 3600.0},
    # The list counts' tables gain a row per write; adding them up keeps an operator's count a sum of a few
    # thousand rows (docs/performance.md).
    "compact-payment-counts": {"task": "payments_api.payments.tasks.compact_payment_counts", "schedule": 60.0},
    "compact-request-log-counts": {
        "task": "payments_api.requestlogs.tasks.compact_request_log_counts",
        "schedule": 60.0,
    },
    "refresh-dashboard": {
        "task": "payments_api.cockpit.tasks.refresh_dashboard",
        "schedule": float(DASHBOARD_REFRESH_SECONDS),
    },
}

# Supplier e-mails (the outbox in payments_api.notifications).
# Attempts before a notification is marked failed (and again after each re-send from the admin). The wait before
# the next attempt doubles from NOTIFICATION_RETRY_BACKOFF up to NOTIFICATION_RETRY_BACKOFF_MAX seconds, half of it
# fixed and half random: with the defaults, failed between about 2.1 and 4.2 hours after the first attempt.
NOTIFICATION_MAX_ATTEMPTS = config("NOTIFICATION_MAX_ATTEMPTS", default=16, cast=int)
NOTIFICATION_RETRY_BACKOFF = config("NOTIFICATION_RETRY_BACKOFF", default=10, cast=int)
NOTIFICATION_RETRY_BACKOFF_MAX = config("NOTIFICATION_RETRY_BACKOFF_MAX", default=1800, cast=int)
# A pending notification not sent this many seconds after it was due is queued again by the relay.
NOTIFICATION_RELAY_AFTER = config("NOTIFICATION_RELAY_AFTER", default=30, cast=int)
# One relay run queues batch after batch for at most this long, so it ends before beat starts the next.
NOTIFICATION_RELAY_BUDGET = NOTIFICATION_RELAY_EVERY * 2 / 3
# After a publish fails, a process leaves new e-mails and webhook deliveries to the relays for this many seconds
# instead of making every request wait CELERY_BROKER_CONNECTION_TIMEOUT for a broker that does not answer.
NOTIFICATION_PUBLISH_PAUSE = config("NOTIFICATION_PUBLISH_PAUSE", default=5, cast=float)
# The send task's time limits. An SMTP conversation waits up to EMAIL_TIMEOUT for each of about a dozen replies
# (banner, EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA, the message, QUIT): the soft limit leaves room for them
# all, the hard limit time to close the connection and record the outcome. A notification being sent is left
# alone for a minute longer than the hard limit (its lease).
NOTIFICATION_SEND_SOFT_TIME_LIMIT = 12 * EMAIL_TIMEOUT + 30
NOTIFICATION_SEND_TIME_LIMIT = NOTIFICATION_SEND_SOFT_TIME_LIMIT + EMAIL_TIMEOUT + 30
NOTIFICATION_MESSAGE_ID_DOMAIN = config("NOTIFICATION_MESSAGE_ID_DOMAIN", default="payments-api.local")

# Signed webhooks to the buyer's endpoints (the outbox in payments_api.webhooks).
# Development and tests only: lets webhooks go to http:// URLs and to loopback and private addresses. Link-local and
# cloud metadata addresses (169.254.0.0/16, fe80::/10) stay refused even then.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = config("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False, cast=bool)
# Seconds a delivery may take (connecting, sending, the whole answer) and how much of the answer is read.
WEBHOOK_TIMEOUT = config("WEBHOOK_TIMEOUT", default=10, cast=float)
WEBHOOK_RESPONSE_MAX_BYTES = 64 * 1024
# How much of the answer the admin shows with the delivery.
WEBHOOK_RESPONSE_EXCERPT_BYTES = 2000
# Seconds before each retry after a failed attempt (plus up to a tenth at random): 5 s, 5 min, 30 min, 2 h, 5 h,
# then every 10 h; the last attempt comes about 77.6 hours (over three days) after the first.
WEBHOOK_RETRY_SCHEDULE = config(
    "WEBHOOK_RETRY_SCHEDULE",
    default="5,300,1800,7200,18000,36000,36000,36000,36000,36000,36000,36000",
    cast=Csv(cast=int),
)
if not WEBHOOK_RETRY_SCHEDULE or min(WEBHOOK_RETRY_SCHEDULE) <= 0:
    raise ImproperlyConfigured("WEBHOOK_RETRY_SCHEDULE must list positive numbers of seconds.")
# An endpoint whose deliveries have failed for this long without a success is disabled and the operators told.
WEBHOOK_DISABLE_AFTER_HOURS = config("WEBHOOK_DISABLE_AFTER_HOURS", default=72, cast=int)
# After a secret is rotated, the previous one signs too for this long, so receivers can switch without a gap.
WEBHOOK_SECRET_ROTATION_HOURS = config("WEBHOOK_SECRET_ROTATION_HOURS", default=24, cast=int)
# A pending delivery due this many seconds ago and not yet sent is queued by the relay (beat runs it as often as
# the e-mails'). Retries further ahead than WEBHOOK_COUNTDOWN_MAX seconds are left to it rather than held by a worker.
WEBHOOK_RELAY_AFTER = config("WEBHOOK_RELAY_AFTER", default=30, cast=int)
WEBHOOK_RELAY_BUDGET = NOTIFICATION_RELAY_BUDGET
WEBHOOK_COUNTDOWN_MAX = 300
WEBHOOK_SEND_SOFT_TIME_LIMIT = 2 * WEBHOOK_TIMEOUT + 10
WEBHOOK_SEND_TIME_LIMIT = WEBHOOK_SEND_SOFT_TIME_LIMIT + 20

# Seconds an authenticated user is kept in the cache between requests (0: load it from the database each time).
# A save or delete of the user or its supplier, or a queryset's update() of users, drops it at once; only a change
# made in SQL waits for this long to reach authentication.
AUTH_USER_CACHE_SECONDS = config("AUTH_USER_CACHE_SECONDS", default=60, cast=int)

# How long a stored response answers retries with the same Idempotency-Key.
IDEMPOTENCY_KEY_TTL = timedelta(hours=config("IDEMPOTENCY_KEY_TTL_HOURS", default=24, cast=int))
if IDEMPOTENCY_KEY_TTL < timedelta(hours=24):
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_TTL_HOURS must be at least 24.")

# The programme's first monthly rate (the discount per 30 days early, e.g. 0.03 for 3% a month), read once, when
# the first migration creates the programme; from then on superusers change the rate in the admin.
ANTICIPATION_MONTHLY_RATE = config("ANTICIPATION_MONTHLY_RATE", default="0.03", cast=Decimal)
if not (
    Decimal("0") <= ANTICIPATION_MONTHLY_RATE < Decimal("1")
    and ANTICIPATION_MONTHLY_RATE == ANTICIPATION_MONTHLY_RATE.quantize(Decimal("0.000001"))
):
    raise ImproperlyConfigured("ANTICIPATION_MONTHLY_RATE must be at least 0 and below 1, to six decimal places.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["payments_api.users.authentication.UserJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["payments_api.users.permissions.IsSupplierOrOperator"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["payments_api.common.parsers.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "payments_api.common.pagination.ListPagination",
    "PAGE_SIZE": 10,
    "EXCEPTION_HANDLER": "payments_api.common.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": [
        "payments_api.common.throttling.AnonRateThrottle",
        "payments_api.common.throttling.UserRateThrottle",
    ],
    # Requests per second, minute, hour or day ("5/min"). The login rates are tight: they stop password guessing.
    "DEFAULT_THROTTLE_RATES": {
        "anon": config("THROTTLE_ANON_RATE", default="60/min"),
        "user": config("THROTTLE_USER_RATE", default="600/min"),
        "login_ip": config("THROTTLE_LOGIN_IP_RATE", default="20/min"),
        "login_email": config("THROTTLE_LOGIN_EMAIL_RATE", default="5/min"),
    },
    # The proxies in front of the service; with none, X-Forwarded-For is ignored and REMOTE_ADDR identifies the client.
    "NUM_PROXIES": config("NUM_PROXIES", default=0, cast=int),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=config("JWT_ACCESS_MINUTES", default=15, cast=int)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=config("JWT_REFRESH_DAYS", default=1, cast=int)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
    # Tokens carry a hash of the password, so changing it revokes every token issued before.
    "CHECK_REVOKE_TOKEN": True,
    "REVOKE_TOKEN_CLAIM": "hash_password",
    # Each refresh returns a new refresh token and spends the one used; the refresh tokens of one login end
    # JWT_REFRESH_DAYS after it, and reusing a spent one revokes them all (users/services.py). Only their jti, owner
    # and expiry are stored, never the tokens (simplejwt's token_blacklist app, which stored them whole, is gone).
    "ROTATE_REFRESH_TOKENS": True,
    "AUTH_TOKEN_CLASSES": ("payments_api.users.tokens.AccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": "payments_api.users.serializers.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "payments_api.users.serializers.TokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": "payments_api.users.serializers.TokenVerifySerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "payments_api",
    "DESCRIPTION": "Supplier early-payment (anticipation) programme.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ loads Swagger UI from this service's static files (the locked sidecar package): pinned, offline,
    # and no third-party script on the page where users paste their tokens.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Every operation also declares the problem responses it can give (400, 401, 403, 404, 409, 413, 415, 429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "payments_api.common.schema.declare_problem_responses",
        "payments_api.webhooks.schema.declare_signature_headers",
    ],
    # OpenAPI 3.1 for its webhooks: the events sent to the buyer's endpoints (payments_api/payments/events.py).
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        "payments_api.payments.events.ANTICIPATION_REQUESTED_WEBHOOK",
        "payments_api.payments.events.ANTICIPATION_APPROVED_WEBHOOK",
        "payments_api.payments.events.ANTICIPATION_DENIED_WEBHOOK",
        "payments_api.payments.events.PAYMENT_CREATED_WEBHOOK",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AnticipationStatusEnum": "payments_api.payments.models.AnticipationStatus",
        "PaymentStatusEnum": "payments_api.payments.models.PaymentStatus",
        "DecisionEnum": "payments_api.payments.models.Decision",
    },
}

# Metrics at /metrics (docs/operations.md): answered to these addresses or networks (the connection's own address,
# never X-Forwarded-For), or to anyone sending `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_ALLOWED_IPS = config("METRICS_ALLOWED_IPS", default="127.0.0.1,::1", cast=Csv())
METRICS_TOKEN = config("METRICS_TOKEN", default="")
try:
    allowed_networks(tuple(METRICS_ALLOWED_IPS))
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from exc

# json: one JSON object per line (production, under gunicorn and Celery); text: lines for a terminal (make run).
LOG_FORMAT = config("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "payments_api.common.request_context.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "payments_api.common.logs.JsonFormatter"},
        "text": {"()": "payments_api.common.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": config("LOG_LEVEL", default="INFO")},
}

SENTRY_DSN = config("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN, send_default_pii=False, traces_sample_rate=0.0, before_send=sentry_event_tag  # the request id
    )
