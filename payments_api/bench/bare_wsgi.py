"""The bare ceiling's WSGI application (bare_settings.py), served by gunicorn beside the API's in `make bench`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "payments_api.bench.bare_settings"

application = get_wsgi_application()
