"""PostgreSQL: the audit log becomes a table partitioned by month on `at` (core/partitions.py): its
rows copied into their months, its indexes, append-only triggers and grants kept, the months ahead
created (and from then on by `manage.py db_partitions`). A no-op on SQLite.

The database key becomes (id, at) and the chain's unique sequence number (seq, at): PostgreSQL
enforces uniqueness on a partitioned table only with the partition key. Writers still take the
chain's advisory lock (audit/chain.py), and `audit_verify` finds any repeated or missing number.
"""

from django.db import migrations

from core import partitions


def forwards(apps, schema_editor):
    partitions.convert(schema_editor, "audit_auditentry", "at")


def backwards(apps, schema_editor):
    partitions.revert(schema_editor, "audit_auditentry")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]
    operations = [migrations.RunPython(forwards, backwards)]
