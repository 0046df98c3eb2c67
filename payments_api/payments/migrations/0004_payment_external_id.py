from django.db import migrations, models


class Migration(migrations.Migration):
    """The buyer's invoice number on payments: unique per supplier when present, never blank, searchable alone."""

    dependencies = [
        ("payments", "0003_payment_supplier_index_composite_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="external_id",
            field=models.CharField(
                blank=True,
                help_text="The buyer's invoice number, unique per supplier.",
                max_length=64,
                null=True,
                verbose_name="external id",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("external_id__isnull", False)), fields=["external_id"], name="payment_external_id_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                fields=("supplier", "external_id"), name="payment_supplier_external_id_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("external_id__isnull", True), models.Q(("external_id", ""), _negated=True), _connector="OR"),
                name="payment_external_id_not_blank",
            ),
        ),
    ]
