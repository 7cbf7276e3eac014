"""On PostgreSQL, make demand_region_submitted a covering index for the three rates (SQLite has
no INCLUDE; there the plain index of 0001 stays). The model state keeps the plain index."""

from django.db import migrations

COLS = "responded_at, response_due, handled_at, handling_due, satisfaction, overdue"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS demand_region_submitted")
    schema_editor.execute(
        f"CREATE INDEX demand_region_submitted ON demands_demand (region_id, submitted_at) INCLUDE ({COLS})"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS demand_region_submitted")
    schema_editor.execute("CREATE INDEX demand_region_submitted ON demands_demand (region_id, submitted_at)")


class Migration(migrations.Migration):
    dependencies = [("demands", "0002_default_categories")]
    operations = [migrations.RunPython(forward, backward)]
