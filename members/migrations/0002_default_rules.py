"""Default rules as data: the national dues tiers (中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》,
2008) and the registry's quotas. Editable afterwards in the admin."""

from decimal import Decimal

from django.db import migrations

TIERS = [
    # base, lower (exclusive), upper (inclusive, None: open), rate percent
    ("income", "0", "3000", "0.5"),
    ("income", "3000", "5000", "1.0"),
    ("income", "5000", "10000", "1.5"),
    ("income", "10000", None, "2.0"),
    ("retiree", "0", "5000", "0.5"),
    ("retiree", "5000", None, "1.0"),
]


def load(apps, schema_editor):
    DuesTier = apps.get_model("members", "DuesTier")
    RegistrySettings = apps.get_model("members", "RegistrySettings")
    for base, lower, upper, rate in TIERS:
        DuesTier.objects.create(base=base, lower=Decimal(lower), upper=Decimal(upper) if upper else None,
                                rate=Decimal(rate))
    if not RegistrySettings.objects.exists():
        RegistrySettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
