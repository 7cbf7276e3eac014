"""全局搜索: trigram (pg_trgm, GIN) indexes for the containment searches on PostgreSQL; nothing on
SQLite, where the same queries scan."""

from django.db import migrations

# (index name, table, column)
INDEXES = [
    ("dash_trgm_demand_title", "demands_demand", "title"),
    ("dash_trgm_demand_address", "demands_demand", "address"),
    ("dash_trgm_resident_name", "grid_resident", "name"),
    ("dash_trgm_house_address", "grid_house", "address"),
    ("dash_trgm_household_head", "grid_household", "head_name"),
    ("dash_trgm_member_name", "members_partymember", "name"),
    ("dash_trgm_gridunit_name", "grid_gridunit", "name"),
    ("dash_trgm_gridunit_address", "grid_gridunit", "address"),
    ("dash_trgm_resunit_name", "cobuild_residentunit", "name"),
    ("dash_trgm_meeting_title", "meetings_meeting", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ("{column}" gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("demands", "0007_zone_channel"),
        ("grid", "0004_resident_joined_on"),
        ("members", "0004_member_photo_private"),
        ("cobuild", "0001_initial"),
        ("meetings", "0004_meeting_cancel"),
    ]
    operations = [migrations.RunPython(create, drop)]
