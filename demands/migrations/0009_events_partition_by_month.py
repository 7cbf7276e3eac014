"""PostgreSQL: the demand events (each demand's timeline, append-only) become a table partitioned by
month on `created_at` (core/partitions.py), keyed by (id, created_at). A no-op on SQLite."""

from django.db import migrations

from core import partitions


def forwards(apps, schema_editor):
    partitions.convert(schema_editor, "demands_demandevent", "created_at")


def backwards(apps, schema_editor):
    partitions.revert(schema_editor, "demands_demandevent")


class Migration(migrations.Migration):
    dependencies = [("demands", "0008_photo_event_unconstrained")]
    operations = [migrations.RunPython(forwards, backwards)]
