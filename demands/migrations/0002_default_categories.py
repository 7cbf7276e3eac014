from django.db import migrations


def load(apps, schema_editor):
    from demands.defaults import DEFAULT_CATEGORIES

    Category = apps.get_model("demands", "Category")
    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10,
        ))


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
