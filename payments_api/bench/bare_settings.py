"""The bare ceiling's settings: a separate Django process with nothing between the request and one SQL statement.

No middleware, no installed app (a raw SQL statement needs none), persistent database connections, and the same
database, time zone and gunicorn workers as the API it is compared with (payments_api.bench.run). Not the service:
no authentication, scoping, throttling or anything else the contract asks for; only the rows.
"""

import dj_database_url
from decouple import config

DEBUG = False
SECRET_KEY = config("SECRET_KEY")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "payments_api.bench.bare_urls"
WSGI_APPLICATION = "payments_api.bench.bare_wsgi.application"
DATABASES = {"default": dj_database_url.parse(config("DATABASE_URL"), conn_max_age=None)}  # one connection per process
# "Today" as the API's states see it.
TIME_ZONE = config("TIME_ZONE", default="America/Sao_Paulo")
USE_TZ = True
USE_I18N = False
