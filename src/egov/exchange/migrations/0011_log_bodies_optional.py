"""The message log keeps each body's SHA-256 and size, and may log a message without its body.

An extract page (~700 KB) is logged with its envelope, digest and size only (``egov.exchange.log``,
"bodies"; docs/exchange.md, message log): ``body`` becomes nullable (NULL: not kept). Rows logged
before keep ``body_sha256 = ""`` and ``body_size`` NULL; their digest is computed from the body as
before. Adding the columns rewrites nothing (a constant default, a nullable column) on PostgreSQL;
SQLite copies the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0010_log_body_lz4'),
    ]

    operations = [
        migrations.AddField(
            model_name='loggedmessage',
            name='body_sha256',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='loggedmessage',
            name='body_size',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='loggedmessage',
            name='body',
            field=models.BinaryField(null=True),
        ),
    ]
