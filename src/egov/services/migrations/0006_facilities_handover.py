# Notifications and stored files moved to ``egov.facilities`` (facilities migration 0001), keeping
# their tables (``services_notification``, ``services_storedfile``) and every row. A notification no
# longer points at a case by a foreign key (the facilities sit below the service hall): its link names
# the case's page instead, filled here from the old key before the key is dropped.

import django.db.models.deletion
from django.db import migrations, models


def links_from_cases(apps, schema_editor):
    Notification = apps.get_model("services", "Notification")
    rows = Notification.objects.filter(application__isnull=False).select_related("application")
    for row in rows.iterator():
        row.link_name = "services:application"
        row.link_args = [row.application.number]
        row.save(update_fields=["link_name", "link_args"])


def cases_from_links(apps, schema_editor):
    Notification = apps.get_model("services", "Notification")
    Application = apps.get_model("services", "Application")
    numbers = dict(Application.objects.values_list("number", "pk"))
    for row in Notification.objects.filter(link_name="services:application").iterator():
        row.application_id = numbers.get(row.link_args[0]) if row.link_args else None
        row.save(update_fields=["application"])


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0005_timeline_note_keys"),
        ("facilities", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="link_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="page"),
        ),
        migrations.AddField(
            model_name="notification",
            name="link_args",
            field=models.JSONField(blank=True, default=list, verbose_name="page arguments"),
        ),
        migrations.RunPython(links_from_cases, cases_from_links),
        migrations.RemoveField(model_name="notification", name="application"),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="applicationmaterial",
                name="file",
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                        to="facilities.storedfile", verbose_name="file"),
            ),
            migrations.DeleteModel(name="Notification"),
            migrations.DeleteModel(name="StoredFile"),
        ]),
    ]
