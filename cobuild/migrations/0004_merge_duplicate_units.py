# One resident unit per real organization, step 2: units with the same name (the same county
# bureau copied once per community) become one record; every reference is repointed and each
# community's records keep their community. See cobuild/merge.py.

from django.db import migrations

from cobuild.merge import merge_duplicate_units


def forward(apps, schema_editor):
    merge_duplicate_units(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("cobuild", "0003_one_unit_per_organization"),
        # every table that refers to a resident unit, so its rows are repointed
        ("meetings", "0004_meeting_cancel"),
        ("services", "0002_chinese_names"),
        ("assessment", "0005_campaigns"),
        ("stewardship", "0001_initial"),
        ("network", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
