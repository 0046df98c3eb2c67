"""SQL that a migration runs on one database vendor only (PostgreSQL triggers, say), as a reversible operation."""

from django.db import migrations


def vendor_sql(create: dict[str, list[str]], drop: dict[str, list[str]]) -> migrations.RunPython:
    """Run `create[vendor]` forwards and `drop[vendor]` backwards; nothing on a vendor that neither names."""

    def forwards(apps, schema_editor):
        for statement in create.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    def backwards(apps, schema_editor):
        for statement in drop.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forwards, backwards)
