"""``OfficialDocument.number_key``: the 发文字号 in its one comparable form (``numbers.number_key``:
錫政發〔2004〕99號 → 锡政发〔2004〕99号), matched by the search and the importer; filled here for the
documents numbered before it (the model's ``save`` keeps it afterwards). Two documents already
holding one number in two scripts (imported before this) both keep it; no unique constraint."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from egov.documents.numbers import DocumentNumber

    OfficialDocument = apps.get_model("documents", "OfficialDocument")
    rows = OfficialDocument.objects.using(schema_editor.connection.alias).filter(number_seq__isnull=False)
    for document in rows.only("number_code", "number_year", "number_seq").iterator(chunk_size=500):
        key = DocumentNumber(document.number_code, document.number_year, document.number_seq).key
        OfficialDocument.objects.using(schema_editor.connection.alias).filter(pk=document.pk).update(number_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0008_opinions"),
    ]

    operations = [
        migrations.AddField(
            model_name="officialdocument",
            name="number_key",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=40),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
