"""Search at 100,000 documents (issue 18, item 5; ``search.search_candidates_postgresql``), on
PostgreSQL only: the title's own words as a stored generated column ``search_title_vector`` with
a GIN index, so that title matches are found without reading the bodies' vectors (and, read row by
row from the newest, without cutting each title again: ``to_tsvector`` per row cost ~50 µs), and a B-tree of 成文日期 (newest first, then id), so that a word in
nearly every document is answered by reading the newest rows until the page is full. SQLite's
fallback reads every row and gets neither.
"""

from django.db import migrations

TITLE_COLUMN_SQL = (
    'ALTER TABLE "documents_officialdocument" ADD COLUMN "search_title_vector" tsvector GENERATED ALWAYS AS ('
    "to_tsvector('simple'::regconfig, \"search_title\")) STORED"
)
TITLE_SQL = 'CREATE INDEX "documents_search_title" ON "documents_officialdocument" USING gin ("search_title_vector")'
WRITTEN_ON_SQL = (
    'CREATE INDEX "documents_written_on_id" ON "documents_officialdocument" ("written_on" DESC NULLS LAST, "id" DESC)'
)


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TITLE_COLUMN_SQL)
        schema_editor.execute(TITLE_SQL)
        schema_editor.execute(WRITTEN_ON_SQL)


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE "documents_officialdocument" DROP COLUMN "search_title_vector"')
        schema_editor.execute('DROP INDEX IF EXISTS "documents_written_on_id"')


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0009_number_key"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop),
    ]
