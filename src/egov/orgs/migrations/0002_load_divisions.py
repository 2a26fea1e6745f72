"""Load the GB/T 2260 history (fixtures/gbt2260/history.csv, CC0) into Division."""

import csv
from pathlib import Path

from django.db import migrations

HISTORY = Path(__file__).resolve().parents[2] / "fixtures" / "gbt2260" / "history.csv"
LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}


def load(apps, schema_editor):
    Division = apps.get_model("orgs", "Division")
    rows = []
    with HISTORY.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                Division(
                    code=row["代码"],
                    name=row["名称"],
                    level=LEVELS[row["级别"]],
                    province=row["一级行政区"],
                    prefecture=row["二级行政区"],
                    valid_from=int(row["启用时间"]),
                    valid_until=int(row["变更/弃用时间"]) if row["变更/弃用时间"] else None,
                    successors=row["新代码"],
                )
            )
    Division.objects.bulk_create(rows, batch_size=1000)


def unload(apps, schema_editor):
    apps.get_model("orgs", "Division").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
