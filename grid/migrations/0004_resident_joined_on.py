"""Resident.joined_on (入户日期): the day a resident joined their current household.

Existing rows get the day they were registered (created_at, in settings.TIME_ZONE), or, for residents
moved into another household (迁入他户), the date of their latest move, which until now was kept only in
the audit entry (action "move", changes["moved_on"]). The column is added without a default (no table
rewrite), filled with one UPDATE, then given its Python default (no SQL)."""

from collections import defaultdict
from datetime import date

import grid.models
from django.db import migrations, models
from django.db.models.functions import TruncDate


def fill_joined_on(apps, schema_editor):
    Resident = apps.get_model("grid", "Resident")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Resident.objects.filter(joined_on__isnull=True).update(joined_on=TruncDate("created_at"))
    latest: dict[int, date] = {}
    moves = (AuditEntry.objects.filter(object_type="grid.resident", action="move").order_by("at", "id")
             .values_list("object_id", "changes"))
    for object_id, changes in moves.iterator():
        try:
            latest[int(object_id)] = date.fromisoformat(changes["moved_on"][1])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    by_day: dict[date, list[int]] = defaultdict(list)
    for pk, day in latest.items():
        by_day[day].append(pk)
    for day, pks in by_day.items():
        for start in range(0, len(pks), 500):
            Resident.objects.filter(pk__in=pks[start:start + 500]).update(joined_on=day)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("grid", "0003_lean_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="joined_on",
            field=models.DateField(blank=True, null=True, verbose_name="入户日期"),
        ),
        migrations.RunPython(fill_joined_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="resident",
            name="joined_on",
            field=models.DateField(blank=True, default=grid.models.today, null=True, verbose_name="入户日期"),
        ),
    ]
