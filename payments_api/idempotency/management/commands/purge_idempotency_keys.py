from django.core.management.base import BaseCommand

from payments_api.idempotency.services import idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than IDEMPOTENCY_KEY_TTL_HOURS (run it hourly)."

    def handle(self, *args, **options):
        deleted = idempotency_keys_purge()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
