"""Full-text search of documents (documents.search): the segmented title and body, filled for the
documents already there, and on PostgreSQL a GIN index on their weighted tsvector.

The index expression must stay the one ``documents.search`` queries (``_VECTOR``), or PostgreSQL
reads every row; ``test_search.py`` checks that the plan uses the index. SQLite gets no index (its
fallback search reads every row).
"""

from django.db import migrations, models

INDEX = "documents_search_vector"
INDEX_SQL = (
    f'CREATE INDEX IF NOT EXISTS {INDEX} ON "documents_officialdocument" USING gin ('
    "(setweight(to_tsvector('simple'::regconfig, \"search_title\"), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, \"search_body\"), 'D')))"
)


def fill(apps, schema_editor):
    from egov.documents.search import body_text, segment

    OfficialDocument = apps.get_model("documents", "OfficialDocument")
    for document in OfficialDocument.objects.using(schema_editor.connection.alias).only("title", "body_html").iterator():
        document.search_title = segment(document.title)
        document.search_body = segment(body_text(document.body_html))
        document.save(update_fields=["search_title", "search_body"])


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


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
        migrations.RunPython(index_create, index_drop),
    ]
