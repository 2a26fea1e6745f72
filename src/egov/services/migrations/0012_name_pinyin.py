"""Service items' names in pinyin and initials (公司登记: gongsidengji, gsdj) for the portal's search,
filled for the items saved before (``services.pinyin``; later saves keep them by ``ServiceItem.save``)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from egov.services.pinyin import name_pinyin

    ServiceItem = apps.get_model("services", "ServiceItem")
    items = list(ServiceItem.objects.only("pk", "name"))
    for item in items:
        item.name_pinyin, item.name_initials = name_pinyin(item.name)
    ServiceItem.objects.bulk_update(items, ["name_pinyin", "name_initials"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0011_intake"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceitem",
            name="name_initials",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=400),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="name_pinyin",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=1200),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
