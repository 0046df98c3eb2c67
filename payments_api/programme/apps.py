from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "payments_api.programme"
    verbose_name = "Programme"
