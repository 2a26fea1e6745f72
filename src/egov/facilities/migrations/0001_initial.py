# The notification and stored-file tables began in ``services`` (migrations 0001 and 0003 there)
# and keep their names (``db_table``). This migration only tells Django's state that the models now
# live here; ``services`` migration 0006 changes the notification table (a link instead of a foreign
# key to a case) and then forgets both models, so existing rows stay where they are.
#
# On a fresh database this migration may run before ``services`` created the tables: it touches no
# table. A later migration of this app that changes either table must depend on
# ``("services", "0006_facilities_handover")`` being applied first, which its ``run_before`` cannot
# express the other way round; keep such changes in a migration that says so.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subject", models.CharField(max_length=200, verbose_name="subject")),
                ("body", models.TextField(verbose_name="message")),
                ("link_name", models.CharField(blank=True, max_length=100, verbose_name="page")),
                ("link_args", models.JSONField(blank=True, default=list, verbose_name="page arguments")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="time")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
                ("emailed_at", models.DateTimeField(blank=True, null=True, verbose_name="e-mailed at")),
                ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="notifications", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "ordering": ["-created_at", "-pk"],
                "db_table": "services_notification",
            },
        ),
        migrations.CreateModel(
            name="StoredFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(max_length=64, unique=True, verbose_name="SHA-256")),
                ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                ("kind", models.CharField(choices=[("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG"), ("ofd", "OFD"),
                                                   ("ole2", "DOC/XLS/WPS"), ("ooxml", "DOCX/XLSX")],
                                          max_length=8, verbose_name="file type")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "stored file",
                "verbose_name_plural": "stored files",
                "db_table": "services_storedfile",
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
