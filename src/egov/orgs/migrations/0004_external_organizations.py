# Organizations outside the city (issue 19): the issuers of imported documents (国务院, a ministry, the
# province) are recorded as Kind.EXTERNAL, without a division of the city.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0003_disclosure_roles'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organization',
            name='kind',
            field=models.CharField(choices=[('government', "People's government"), ('department', 'Department'), ('district', 'District or county-level city'), ('institution', 'Public institution'), ('external', 'Organization outside the city')], max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='organization',
            name='division',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='orgs.division', verbose_name='division'),
        ),
    ]
