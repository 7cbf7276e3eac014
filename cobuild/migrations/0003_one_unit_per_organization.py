# One resident unit per real organization, step 1: the resource carries its community; the
# per-community unique constraints go (0004 merges the duplicates, 0005 adds the new ones).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cobuild', '0002_member_deed_quota_in_members'),
        ('orgs', '0001_initial'),
        ('regions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='residentunit',
            options={'ordering': ['name'], 'verbose_name': '驻区单位', 'verbose_name_plural': '驻区单位'},
        ),
        migrations.RemoveConstraint(
            model_name='residentunit',
            name='cobuild_unit_region_name',
        ),
        migrations.RemoveConstraint(
            model_name='starrating',
            name='cobuild_star_unit_year',
        ),
        migrations.AddField(
            model_name='resource',
            name='region',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cobuild_resources', to='regions.region', verbose_name='服务社区'),
        ),
        migrations.AlterField(
            model_name='residentunit',
            name='region',
            field=models.ForeignKey(help_text='单位所在的社区、街道（镇）或县；所服务的社区以共建协议为准', on_delete=django.db.models.deletion.PROTECT, related_name='resident_units', to='regions.region', verbose_name='所在地'),
        ),
    ]
