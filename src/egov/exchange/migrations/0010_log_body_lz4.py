"""The message log's bodies compressed with LZ4 instead of PostgreSQL's default pglz.

An extract page (~700 KB of CSV or JSON) is logged on both nodes; pglz spends ~16 ms compressing
one, LZ4 ~3–5 ms (bench/README.md, exchange section). Only rows written from now on are affected;
a server built without LZ4 keeps pglz (the statement's error is caught), so this never fails.
SQLite (the embedded default) has no such setting: nothing is done there.
"""

from django.db import migrations

FORWARD = """
DO $$
BEGIN
    ALTER TABLE exchange_loggedmessage ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'LZ4 not available: the message log keeps pglz';
END $$;
"""
BACKWARD = "ALTER TABLE exchange_loggedmessage ALTER COLUMN body SET COMPRESSION pglz;"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("exchange", "0009_traffic_and_stale")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
