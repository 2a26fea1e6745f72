# The stored-file model moved to ``egov.facilities`` with its table; only Django's state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0002_request_idempotency_key"),
        ("facilities", "0001_initial"),
    ]
    run_before = [("services", "0006_facilities_handover")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="disclosurerequest",
                name="answer_file",
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                        related_name="+", to="facilities.storedfile", verbose_name="answer file"),
            ),
        ]),
    ]
