"""The project's own models in the admin (Django's groups left out), in a stable order, for tests of every list."""

from django.contrib import admin

ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if model.__module__.startswith("payments_api.")),
    key=lambda model: (model._meta.app_label, model._meta.model_name),
)
