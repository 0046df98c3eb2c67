import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from payments_api.payments.models import Decision, Payment
from payments_api.payments.services import anticipation_decide, anticipation_request, payment_create
from payments_api.users.models import Supplier, User


class Command(BaseCommand):
    help = "Give each supplier without payments a few, dated from today, so that every status can be tried."

    @transaction.atomic
    def handle(self, *args, **options):
        operator = User.objects.filter(is_operator=True, is_active=True).order_by("id").first()
        if operator is None:
            raise CommandError("Load the demo users first: manage.py loaddata initial_data.json")
        today = timezone.localdate()
        days = datetime.timedelta

        for supplier in Supplier.objects.filter(payments__isnull=True).select_related("user"):
            user = supplier.user
            for offset, value in ((30, "1000.00"), (45, "2500.50"), (60, "10000.00")):
                payment_create(
                    created_by=user, supplier=supplier, due_date=today + days(offset), value=Decimal(value)
                )
            pending = payment_create(
                created_by=user, supplier=supplier, due_date=today + days(40), value=Decimal("3000.00")
            )
            anticipation_request(payment=pending, new_due_date=today + days(10), requested_by=user)
            for decision in Decision:
                payment = payment_create(
                    created_by=user, supplier=supplier, due_date=today + days(20), value=Decimal("1500.00")
                )
                anticipation = anticipation_request(payment=payment, new_due_date=today + days(5), requested_by=user)
                anticipation_decide(anticipation=anticipation, decision=decision, decided_by=operator)
            # Past its due date: unavailable, kept as history.
            Payment.objects.create(
                supplier=supplier, creation_date=today - days(40), due_date=today - days(1), value=Decimal("800.00")
            )
            self.stdout.write(f"Created demo payments for {supplier}.")
