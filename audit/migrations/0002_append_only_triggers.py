"""Database-level guard: audit entries cannot be updated (both databases) or deleted row by row
(PostgreSQL; SQLite's test flush deletes rows, so there the ORM and admin guards apply).
TRUNCATE, used by PostgreSQL test teardown, is a separate statement and not blocked."""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_REVERSE = "DROP TRIGGER IF EXISTS audit_no_update ON audit_auditentry; DROP FUNCTION IF EXISTS audit_append_only();"

SQLITE_SQL = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SQL)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_SQL)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
