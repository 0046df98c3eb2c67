import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Drop the single-column index on payment.supplier_id: payment_supplier_id_idx (supplier_id, id) serves it."""

    dependencies = [
        ("payments", "0002_initial"),
        ("users", "0002_supplier_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="supplier",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="users.supplier",
            ),
        ),
    ]
