# English text of a notification beside the platform's language (``in_both_languages``). The table
# (``services_notification``) is created by ``services`` and changed by its migration 0006, so this
# change waits for that one (see 0001).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("facilities", "0001_initial"),
        ("services", "0006_facilities_handover"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="subject in English"),
        ),
        migrations.AddField(
            model_name="notification",
            name="body_en",
            field=models.TextField(blank=True, verbose_name="message in English"),
        ),
    ]
