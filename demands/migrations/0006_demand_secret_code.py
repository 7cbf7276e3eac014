"""The public id and the resident's secret become two values. Until now the tracking code was both
the Open311 service_request_id (a public list) and the portal's secret: it stays as the public id
(编号), and every demand gets a new secret 查询码 (encrypted, with a keyed hash for lookup). ID and
mobile numbers already typed into descriptions and timeline notes are masked (the description as
typed is kept encrypted)."""

from django.db import migrations, models

import core.crypto
import demands.models

BATCH = 2000
# Rows that may hold a personal number: a digit followed by 10 more digits, spaces or hyphens.
MAYBE = r"[0-9０-９][0-9０-９ -]{10,}"


def forwards(apps, schema_editor):
    from core.crypto import blind_index
    from core.pii_text import mask_pii

    Demand = apps.get_model("demands", "Demand")
    DemandEvent = apps.get_model("demands", "DemandEvent")
    last = 0
    while True:
        batch = list(Demand.objects.filter(pk__gt=last).order_by("pk").only("pk")[:BATCH])
        if not batch:
            break
        for d in batch:
            code = demands.models.new_secret_code()
            d.secret_code, d.secret_code_hash = code, blind_index(code, purpose="demand_secret")
        Demand.objects.bulk_update(batch, ["secret_code", "secret_code_hash"])
        last = batch[-1].pk
    for d in Demand.objects.filter(description__regex=MAYBE).only("pk", "description").iterator():
        masked = mask_pii(d.description)
        if masked != d.description:
            d.description_full, d.description = d.description, masked
            d.save(update_fields=["description", "description_full"])
    for field in ("title", "satisfaction_note", "address"):
        for pk, value in Demand.objects.filter(**{f"{field}__regex": MAYBE}).values_list("pk", field).iterator():
            if mask_pii(value) != value:
                Demand.objects.filter(pk=pk).update(**{field: mask_pii(value)})
    for pk, note in DemandEvent.objects.filter(note__regex=MAYBE).values_list("pk", "note").iterator():
        if mask_pii(note) != note:
            DemandEvent.objects.filter(pk=pk).update(note=mask_pii(note))


class Migration(migrations.Migration):

    dependencies = [
        ("demands", "0005_work_calendar"),
    ]

    operations = [
        migrations.AlterField(
            model_name="demand",
            name="tracking_code",
            field=models.CharField(default=demands.models.new_tracking_code, max_length=16, unique=True,
                                   verbose_name="编号"),
        ),
        migrations.AddField(
            model_name="demand",
            name="secret_code",
            field=core.crypto.EncryptedCharField(blank=True, default="", hash_field="secret_code_hash",
                                                 hash_purpose="demand_secret", max_length=16,
                                                 normalizer="demands.models.normalize_secret_code",
                                                 verbose_name="查询码"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="demand",
            name="secret_code_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="demand",
            name="description_full",
            field=core.crypto.EncryptedCharField(blank=True, default="", verbose_name="诉求内容（原文）"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="demand",
            name="secret_code",
            field=core.crypto.EncryptedCharField(blank=True, default=demands.models.new_secret_code,
                                                 hash_field="secret_code_hash", hash_purpose="demand_secret",
                                                 max_length=16, normalizer="demands.models.normalize_secret_code",
                                                 verbose_name="查询码"),
        ),
    ]
