import django.core.serializers.json
from django.db import migrations, models


def context_of_existing_rows(apps, schema_editor):
    """Rows written before the caller told the outbox what to say: the same context, read from the action's rows."""
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(context={}).select_related("request_log__anticipation__payment__supplier")
    for notification in rows.iterator(chunk_size=500):
        anticipation = notification.request_log.anticipation
        payment = anticipation.payment
        notification.context = {
            "corporate_name": payment.supplier.corporate_name,
            "action": notification.request_log.action,
            "payment_id": payment.pk,
            "value": str(payment.value),
            "due_date": payment.due_date.isoformat(),
            "new_value": str(anticipation.new_value),
            "new_due_date": anticipation.new_due_date.isoformat(),
        }
        notification.save(update_fields=["context"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_language_valid"),
        ("payments", "0003_payment_supplier_index_composite_only"),
        ("requestlogs", "0003_append_only_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="context",
            field=models.JSONField(default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
        ),
        migrations.RunPython(context_of_existing_rows, migrations.RunPython.noop, elidable=True),
    ]
