# One resident unit per real organization, step 3: the resource's community is required; one unit
# per name; one star rating per unit, community and year.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cobuild', '0004_merge_duplicate_units'),
        ('orgs', '0001_initial'),
        ('regions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='resource',
            name='region',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cobuild_resources', to='regions.region', verbose_name='服务社区'),
        ),
        migrations.AddConstraint(
            model_name='residentunit',
            constraint=models.UniqueConstraint(fields=('name',), name='cobuild_unit_name'),
        ),
        migrations.AddConstraint(
            model_name='starrating',
            constraint=models.UniqueConstraint(fields=('unit', 'region', 'year'), name='cobuild_star_unit_region_year'),
        ),
    ]
