"""A member's history is append-only in the database too: a trigger refuses to change an entry's
content on both databases. Only the actor column is left out, so that deleting an account can empty
it (on_delete=SET_NULL); deleting a member record takes its history with it (CASCADE)."""

from django.db import migrations

COLUMNS = 'member_id, kind, old_value, new_value, note, "on", at'

PG_SQL = f"""
CREATE OR REPLACE FUNCTION members_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'member history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER members_event_no_update BEFORE UPDATE OF {COLUMNS} ON members_memberevent
  FOR EACH ROW EXECUTE FUNCTION members_event_append_only();
"""
PG_REVERSE = ("DROP TRIGGER IF EXISTS members_event_no_update ON members_memberevent; "
              "DROP FUNCTION IF EXISTS members_event_append_only();")

SQLITE_SQL = f"""
CREATE TRIGGER members_event_no_update BEFORE UPDATE OF {COLUMNS} ON members_memberevent
BEGIN SELECT RAISE(ABORT, 'member history is append-only'); END;
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
        schema_editor.execute("DROP TRIGGER IF EXISTS members_event_no_update")


class Migration(migrations.Migration):
    dependencies = [("members", "0004_member_photo_private")]
    operations = [migrations.RunPython(forwards, backwards)]
