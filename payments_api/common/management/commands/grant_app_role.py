"""Grant the application's database role what it needs and nothing more (run by the release step, after migrate).

The deployment has two PostgreSQL roles: the owner, which owns the tables and runs the migrations (and this
command), and the application role, which the web, worker and beat processes connect as. The application role gets
SELECT, INSERT, UPDATE and DELETE on the tables, only SELECT and INSERT on the append-only ones (models with
`append_only = True`), only SELECT on django_migrations, and never TRUNCATE, REFERENCES, TRIGGER or ownership: it
cannot empty, change or delete the audit trail, nor disable its triggers (ALTER TABLE needs the owner).
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY = "SELECT, INSERT"
READ_ONLY = "SELECT"


def table_privileges() -> dict[str, str]:
    """Each table of the schema and what the application role may do with it."""
    append_only = {model._meta.db_table for model in apps.get_models() if getattr(model, "append_only", False)}
    privileges = {}
    for table in connection.introspection.table_names():
        if table in append_only:
            privileges[table] = APPEND_ONLY
        elif table == "django_migrations":
            privileges[table] = READ_ONLY
        else:
            privileges[table] = READ_WRITE
    return privileges


class Command(BaseCommand):
    help = "Grant the application's database role (DATABASE_APP_ROLE) its privileges; run as the owner after migrate."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=settings.DATABASE_APP_ROLE, help="default: DATABASE_APP_ROLE")

    def handle(self, *args, role: str, **options):
        if not role:
            self.stdout.write(
                "DATABASE_APP_ROLE is not set: the application connects as the owner and no grants are applied "
                "(the append-only tables then rely on their triggers alone; see docs/security.md)."
            )
            return
        if connection.vendor != "postgresql":
            raise CommandError("Database roles need PostgreSQL.")
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                if not settings.DATABASE_APP_PASSWORD:
                    raise CommandError(f"Role {role!r} does not exist; create it or set DATABASE_APP_PASSWORD.")
                cursor.execute(f"CREATE ROLE {quote(role)} LOGIN PASSWORD %s", [settings.DATABASE_APP_PASSWORD])
            elif found[0]:
                raise CommandError(f"Role {role!r} is a superuser: privileges do not bind it.")
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tableowner = %s", [role]
            )
            if owned := [row[0] for row in cursor.fetchall()]:
                raise CommandError(f"Role {role!r} owns {', '.join(owned)}: an owner's privileges cannot be limited.")

            cursor.execute("SELECT current_database(), current_schema()")
            database, schema = cursor.fetchone()
            cursor.execute(f"GRANT CONNECT ON DATABASE {quote(database)} TO {quote(role)}")
            cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
            cursor.execute(f"REVOKE CREATE ON SCHEMA {quote(schema)} FROM {quote(role)}")
            privileges = table_privileges()
            for table, allowed in privileges.items():
                cursor.execute(f"REVOKE ALL ON TABLE {quote(table)} FROM {quote(role)}")
                cursor.execute(f"GRANT {allowed} ON TABLE {quote(table)} TO {quote(role)}")
            # Inserting takes the next id from each table's identity sequence.
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {quote(role)}")
        append_only = sorted(table for table, allowed in privileges.items() if allowed == APPEND_ONLY)
        self.stdout.write(
            f"Granted {role} its privileges on {len(privileges)} tables; append-only: {', '.join(append_only)}."
        )
