import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments_api.common.models import MoneyField, money_total_field
from payments_api.programme.models import MAX_MONTHLY_RATE, RATE, ProgrammeVersion
from payments_api.users.models import Supplier

MAX_PAYMENT_VALUE = Decimal("999999999.99")
# Anticipations asked for in one batch request (batches.py), at most.
MAX_BATCH_ITEMS = 100
# The buyer's invoice number, as its ERP writes it.
EXTERNAL_ID_MAX_LENGTH = 64


class AnticipationStatus(models.TextChoices):
    PENDING_CONFIRMATION = "PC", _("Pending confirmation")
    APPROVED = "A", _("Approved")
    DENIED = "D", _("Denied")


class Decision(models.TextChoices):
    """What an operator may turn a pending anticipation into."""

    APPROVED = AnticipationStatus.APPROVED.value, _("Approved")
    DENIED = AnticipationStatus.DENIED.value, _("Denied")


class PaymentStatus(models.TextChoices):
    """The five states that partition all payments on a given day (derived, never stored)."""

    AVAILABLE = "A", _("Available")
    UNAVAILABLE = "U", _("Unavailable")
    PENDING_CONFIRMATION = "PC", _("Pending confirmation")
    ANTICIPATED = "AN", _("Anticipated")
    DENIED = "D", _("Denied")

    @classmethod
    def conditions(cls, *, today) -> dict[str, Q]:
        """One condition per state; on any day they are mutually exclusive and cover every payment."""
        # Tested on the join key (not the anticipation's id), so PostgreSQL plans "no anticipation" as an anti-join.
        no_anticipation = Q(anticipation__payment_id__isnull=True)
        pending = Q(anticipation__status=AnticipationStatus.PENDING_CONFIRMATION)
        return {
            cls.AVAILABLE: no_anticipation & Q(due_date__gt=today),
            cls.UNAVAILABLE: (no_anticipation | pending) & Q(due_date__lte=today),
            cls.PENDING_CONFIRMATION: pending & Q(due_date__gt=today),
            cls.ANTICIPATED: Q(anticipation__status=AnticipationStatus.APPROVED),
            cls.DENIED: Q(anticipation__status=AnticipationStatus.DENIED),
        }

    @classmethod
    def count_conditions(cls, *, today) -> dict[str, Q]:
        """The same five conditions on PaymentCount's rows (due date, anticipation status or "" for none)."""
        none, pending = Q(anticipation_status=""), Q(anticipation_status=AnticipationStatus.PENDING_CONFIRMATION)
        return {
            cls.AVAILABLE: none & Q(due_date__gt=today),
            cls.UNAVAILABLE: (none | pending) & Q(due_date__lte=today),
            cls.PENDING_CONFIRMATION: pending & Q(due_date__gt=today),
            cls.ANTICIPATED: Q(anticipation_status=AnticipationStatus.APPROVED),
            cls.DENIED: Q(anticipation_status=AnticipationStatus.DENIED),
        }

    @classmethod
    def of(cls, *, due_date: datetime.date, anticipation_status: str | None, today: datetime.date) -> "PaymentStatus":
        """The state of one payment: the same rule as `conditions`, in Python (tests hold the two together)."""
        if anticipation_status == AnticipationStatus.APPROVED:
            return cls.ANTICIPATED
        if anticipation_status == AnticipationStatus.DENIED:
            return cls.DENIED
        if due_date <= today:
            return cls.UNAVAILABLE
        if anticipation_status == AnticipationStatus.PENDING_CONFIRMATION:
            return cls.PENDING_CONFIRMATION
        return cls.AVAILABLE


class Payment(models.Model):
    # Indexed by payment_supplier_id_idx (supplier, id), which also serves every lookup by supplier alone.
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="payments", db_index=False, verbose_name=_("supplier")
    )
    creation_date = models.DateField(_("creation date"), default=timezone.localdate, editable=False)
    due_date = models.DateField(_("due date"))
    value = MoneyField(_("value"))
    # Null when the payment was filed without one; never blank, so "no invoice number" has one spelling.
    external_id = models.CharField(
        _("external id"),
        max_length=EXTERNAL_ID_MAX_LENGTH,
        null=True,
        blank=True,
        help_text=_("The buyer's invoice number, unique per supplier."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_("created by"),
        help_text=_("The supplier's user or the operator who created it (empty for payments made before it was kept)."),
    )
    # Annotated by the selectors (not a column): the status of the payment's anticipation, if any.
    anticipation_status: str | None

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["supplier", "id"], name="payment_supplier_id_idx"),
            # ?external_id= across every supplier (an operator's search); per supplier, the unique index serves.
            models.Index(
                fields=["external_id"], name="payment_external_id_idx", condition=Q(external_id__isnull=False)
            ),
        ]
        constraints = [
            # The key a payables import is matched on.
            models.UniqueConstraint(fields=["supplier", "external_id"], name="payment_supplier_external_id_unique"),
            models.CheckConstraint(
                condition=Q(external_id__isnull=True) | ~Q(external_id=""), name="payment_external_id_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0) & Q(value__lte=MAX_PAYMENT_VALUE), name="payment_value_range"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("creation_date")), name="payment_due_after_creation"
            ),
        ]

    def __str__(self):
        return f"Payment #{self.pk} of {self.value} due {self.due_date}"

    def status_on(self, today: datetime.date) -> PaymentStatus:
        """Its state on `today`, from the `anticipation_status` the selectors annotate, or else its anticipation."""
        try:
            anticipation_status = self.anticipation_status
        except AttributeError:
            anticipation = getattr(self, "anticipation", None)  # the reverse one-to-one raises when there is none
            anticipation_status = anticipation.status if anticipation else None
        return PaymentStatus.of(due_date=self.due_date, anticipation_status=anticipation_status, today=today)


def anticipation_discount() -> ExpressionWrapper:
    """An anticipation's discount in a query: its payment's value less its new value."""
    return ExpressionWrapper(F("payment__value") - F("new_value"), output_field=money_total_field())


class Anticipation(models.Model):
    # One anticipation per payment, ever: the one-to-one is a unique constraint in the database.
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="anticipation", verbose_name=_("payment")
    )
    creation_date = models.DateField(_("creation date"), default=timezone.localdate, editable=False)
    new_due_date = models.DateField(_("new due date"))
    new_value = MoneyField(_("new value"))
    update_date = models.DateField(_("update date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=2, choices=AnticipationStatus.choices, default=AnticipationStatus.PENDING_CONFIRMATION
    )
    # The terms it was priced with: a later change of the programme never reprices it.
    monthly_rate = models.DecimalField(_("monthly rate"), **RATE)
    programme_version = models.ForeignKey(
        # Not indexed: versions are never deleted, and nothing looks anticipations up by version.
        ProgrammeVersion,
        on_delete=models.PROTECT,
        related_name="anticipations",
        db_index=False,
        verbose_name=_("programme version"),
    )
    # The first of the two approvals an anticipation at or above the programme's dual_approval_min_value needs
    # (logged as FIRST_APPROVAL); the second operator's approval decides it. Not indexed: read with the row.
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
        verbose_name=_("first approved by"),
    )
    first_approved_at = models.DateTimeField(_("first approved at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("anticipation")
        verbose_name_plural = _("anticipations")
        ordering = ["id"]
        indexes = [
            # What a month's budget has committed: the approved new values by new due date, read from the index.
            models.Index(
                fields=["new_due_date"],
                include=["new_value"],
                condition=Q(status=AnticipationStatus.APPROVED),
                name="anticipation_approved_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_approved_by__isnull=True, first_approved_at__isnull=True)
                | Q(first_approved_by__isnull=False, first_approved_at__isnull=False),
                name="anticipation_first_approval_whole",
            ),
            models.CheckConstraint(condition=Q(status__in=AnticipationStatus.values), name="anticipation_status_valid"),
            models.CheckConstraint(
                condition=Q(monthly_rate__gte=0) & Q(monthly_rate__lte=MAX_MONTHLY_RATE),
                name="anticipation_monthly_rate_range",
            ),
            models.CheckConstraint(condition=Q(new_value__gt=0), name="anticipation_new_value_positive"),
            models.CheckConstraint(
                condition=Q(new_due_date__gte=models.F("creation_date")), name="anticipation_new_due_after_creation"
            ),
        ]

    def __str__(self):
        return f"Anticipation #{self.pk} of payment #{self.payment_id} ({self.get_status_display()})"

    @property
    def approvals(self) -> list[dict]:
        """The approvals counted towards two: the first one, once given (the decision itself is in the log)."""
        if self.first_approved_by_id is None:
            return []
        return [{"user": self.first_approved_by_id, "at": self.first_approved_at}]

    @property
    def days_early(self) -> int:
        """Calendar days between the new due date and the payment's due date."""
        return (self.payment.due_date - self.new_due_date).days

    @property
    def discount(self) -> Decimal:
        return self.payment.value - self.new_value

    @property
    def apr(self) -> Decimal:
        """The annual rate the discount is worth on the face value: discount / value x 365 / days early."""
        return self.discount / self.payment.value * 365 / self.days_early


class PaymentCount(models.Model):
    """How many payments fall due on `due_date` with their anticipation in `anticipation_status` ("" for none).

    Written by PostgreSQL triggers only (migration 0007), in the transaction of every change to a payment or an
    anticipation: each statement appends what it added (+n) or removed (-n) per key, and payment_counts_compact adds
    the rows up. Any payment state on any day is a sum over a range of due dates (PaymentStatus.count_conditions),
    so an operator's list is counted exactly without counting a million rows.
    """

    due_date = models.DateField()
    anticipation_status = models.CharField(max_length=2, blank=True)
    payments = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["anticipation_status", "due_date"], name="paymentcount_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(anticipation_status__in=["", *AnticipationStatus.values]),
                name="paymentcount_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.payments:+} payments due {self.due_date} ({self.anticipation_status or 'no anticipation'})"


class PayablesImportStatus(models.TextChoices):
    CHECKED = "checked", _("Checked (dry run)")
    IMPORTED = "imported", _("Imported")


class PayablesImport(models.Model):
    """A payables file checked or imported (payments/imports.py): who, when, which file, what it did or would do.

    Only a file without errors is recorded, since any error writes nothing. The admin keeps a checked file's
    `content` until the operator confirms it (then it is imported and the content dropped)."""

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=8, choices=PayablesImportStatus.choices)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    filename = models.CharField(_("filename"), max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("created"))
    updated = models.PositiveIntegerField(_("updated"))
    unchanged = models.PositiveIntegerField(_("unchanged"))
    content = models.BinaryField(_("content"), blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("payables import")
        verbose_name_plural = _("payables imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PayablesImportStatus.values), name="payablesimport_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rows=models.F("created") + models.F("updated") + models.F("unchanged")),
                name="payablesimport_rows_add_up",
            ),
        ]

    def __str__(self):
        return f"Payables import #{self.pk} ({self.get_status_display()}, {self.rows} rows)"
