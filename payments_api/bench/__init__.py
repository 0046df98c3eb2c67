"""The benchmark behind `make bench`: a bench-only settings module and URLs, and the driver (run.py).

Nothing here is imported by the production settings; the bare-Django baseline views are reachable only when
DJANGO_SETTINGS_MODULE is payments_api.bench.settings.
"""
