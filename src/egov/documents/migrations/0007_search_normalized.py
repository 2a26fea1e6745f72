"""Search fields segmented again after normalization (``documents.search.normalize``): documents
written before it kept their full-width letters and traditional characters in ``search_title`` and
``search_body``, which normalized queries (ＰＤＦ → pdf, 政務 → 政务) no longer match. PostgreSQL
recomputes the stored ``search_vector`` from the two columns by itself."""

from django.db import migrations


def refill(apps, schema_editor):
    from egov.documents.search import body_text, segment

    OfficialDocument = apps.get_model("documents", "OfficialDocument")
    rows = OfficialDocument.objects.using(schema_editor.connection.alias)
    for document in rows.only("title", "body_html", "search_title", "search_body").iterator(chunk_size=500):
        title, body = segment(document.title), segment(body_text(document.body_html))
        if (title, body) != (document.search_title, document.search_body):
            document.search_title, document.search_body = title, body
            document.save(update_fields=["search_title", "search_body"])


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0005_supervision_meetings"),
    ]

    operations = [
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
