"""The 双报到 members' deed quota was kept twice (cobuild.CobuildRules.member_deeds_min/max and
members.RegistrySettings.deed_quota_min/max). It is one rule now, in members (the lowest floor every
reader can import). The members' figures win; cobuild's are carried over only where members still
holds the defaults (1–2) and cobuild's were changed. Going back copies the members' figures over."""

from django.db import migrations, models

DEFAULTS = (1, 2)


def to_members(apps, schema_editor):
    CobuildRules = apps.get_model("cobuild", "CobuildRules")
    RegistrySettings = apps.get_model("members", "RegistrySettings")
    cob = CobuildRules.objects.order_by("pk").first()
    if cob is None:
        return
    theirs = (cob.member_deeds_min, cob.member_deeds_max)
    reg = RegistrySettings.objects.order_by("id").first()
    if reg is None:
        RegistrySettings.objects.create(deed_quota_min=theirs[0], deed_quota_max=theirs[1])
        return
    if (reg.deed_quota_min, reg.deed_quota_max) == DEFAULTS and theirs != DEFAULTS:
        reg.deed_quota_min, reg.deed_quota_max = theirs
        reg.save(update_fields=["deed_quota_min", "deed_quota_max"])


def to_cobuild(apps, schema_editor):
    CobuildRules = apps.get_model("cobuild", "CobuildRules")
    RegistrySettings = apps.get_model("members", "RegistrySettings")
    reg = RegistrySettings.objects.order_by("id").first()
    if reg is not None:
        CobuildRules.objects.update(member_deeds_min=reg.deed_quota_min, member_deeds_max=reg.deed_quota_max)


class Migration(migrations.Migration):
    dependencies = [
        ("cobuild", "0001_initial"),
        ("members", "0005_member_event_append_only"),
    ]

    operations = [
        migrations.RunPython(to_members, to_cobuild),
        migrations.RemoveField(model_name="cobuildrules", name="member_deeds_min"),
        migrations.RemoveField(model_name="cobuildrules", name="member_deeds_max"),
    ]
