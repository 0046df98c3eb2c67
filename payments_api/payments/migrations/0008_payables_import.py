import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Each payables file checked or imported is recorded: who, when, its SHA-256 and its counts."""

    dependencies = [
        ('payments', '0007_payment_counts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PayablesImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('imported_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('status', models.CharField(choices=[('checked', 'Checked (dry run)'), ('imported', 'Imported')], max_length=8)),
                ('file_sha256', models.CharField(max_length=64, verbose_name='file SHA-256')),
                ('filename', models.CharField(blank=True, max_length=255)),
                ('rows', models.PositiveIntegerField()),
                ('created', models.PositiveIntegerField()),
                ('updated', models.PositiveIntegerField()),
                ('unchanged', models.PositiveIntegerField()),
                ('content', models.BinaryField(blank=True, default=b'')),
                ('imported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['checked', 'imported'])), name='payablesimport_status_valid'), models.CheckConstraint(condition=models.Q(('rows', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('created'), '+', models.F('updated')), '+', models.F('unchanged')))), name='payablesimport_rows_add_up')],
            },
        ),
    ]
