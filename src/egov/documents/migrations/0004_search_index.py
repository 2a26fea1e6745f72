"""Full-text search of documents (documents.search): the segmented title and body, filled for the
documents already there, and on PostgreSQL their weighted tsvector (title A, body D) in a stored
generated column ``search_vector`` with a GIN index (``test_search.py`` checks that the plan uses
it). SQLite gets neither: its fallback search reads every row.
"""

from django.db import migrations, models

# A column Django's model does not declare: PostgreSQL computes it from the two text columns on
# every write (a stored generated column), so no code path can forget it. Other databases lack it.
COLUMN_SQL = (
    'ALTER TABLE "documents_officialdocument" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS ('
    "setweight(to_tsvector('simple'::regconfig, \"search_title\"), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, \"search_body\"), 'D')) STORED"
)
INDEX_SQL = 'CREATE INDEX "documents_search_vector" ON "documents_officialdocument" USING gin ("search_vector")'


def fill(apps, schema_editor):
    from egov.documents.search import body_text, segment

    OfficialDocument = apps.get_model("documents", "OfficialDocument")
    for document in OfficialDocument.objects.using(schema_editor.connection.alias).only("title", "body_html").iterator():
        document.search_title = segment(document.title)
        document.search_body = segment(body_text(document.body_html))
        document.save(update_fields=["search_title", "search_body"])


def vector_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMN_SQL)
        schema_editor.execute(INDEX_SQL)


def vector_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE "documents_officialdocument" DROP COLUMN "search_vector"')


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0003_disclosure_and_import"),
    ]

    operations = [
        migrations.AddField(
            model_name="officialdocument",
            name="search_title",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="officialdocument",
            name="search_body",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(vector_create, vector_drop),
    ]
