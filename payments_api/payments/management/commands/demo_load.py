from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from payments_api.users.models import User


class Command(BaseCommand):
    help = (
        "Load the demo accounts (initial_data.json) and their payments in every state into an empty database; a "
        "database that holds users is left as it is, so what was edited since stays edited."
    )

    def handle(self, *args, **options):
        if User.objects.exists():
            self.stdout.write("The database already holds users: the demo data was not loaded again.")
            return
        # The demo's addresses are not real: their e-mails are announced one line each, never sent to a server.
        with override_settings(EMAIL_BACKEND="payments_api.notifications.backends.OneLineConsoleBackend"):
            with transaction.atomic():
                call_command("loaddata", "initial_data.json", verbosity=0)
                call_command("demo_payments", stdout=self.stdout, verbosity=options["verbosity"])
        self.stdout.write("Loaded the demo accounts and their payments (README: demo accounts).")
