"""The audit log partitioned by month (PostgreSQL declarative partitioning), and a checkpoint per month.

On PostgreSQL ``audit_auditevent`` becomes a table partitioned by range of ``occurred_at``, one
partition a month in ``settings.TIME_ZONE`` (``egov.audit.partitions``), from the oldest event's
month to two months ahead. Every event is copied over unchanged (same ids, seq, hashes), the
append-only trigger of migration 0002 is put on the new table (PostgreSQL 13+ clones a row trigger
of a partitioned table onto each partition, present and future), and the privileges granted on the
old table (the public site's INSERT) are granted again, with USAGE on the id sequence to those who
insert. A partitioned table's primary key and unique constraints must include the partition key:
the primary key is ``(id, occurred_at)`` and ``seq``/``hash`` are unique with ``occurred_at``.

On SQLite the log stays one table. Reversing (``egov migrate audit 0003``) makes the log one
unpartitioned table again on PostgreSQL (``unpartition``): every event copied over unchanged, the
primary key on ``id`` and ``seq``/``hash`` unique on their own again, the other indexes, the
append-only trigger and the grants as they were, the id sequence kept; then the checkpoints are
dropped. It refuses, changing nothing, while months of the log are archived (their partitions
detached, perhaps dropped: their events are no longer in the table, and an unpartitioned log could
not take them back in as partitions), saying so; on SQLite it only drops the checkpoints.
"""

from django.core.management.base import CommandError
from django.db import migrations, models
from django.utils import timezone

def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from egov.audit import partitions

    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass('audit_auditevent')")
        if cursor.fetchone()[0] == "p":
            return
        # What to build again on the new table: its constraints, indexes and grants.
        cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'audit_auditevent'::regclass AND contype IN ('p', 'u')")
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND "
                       "tablename = 'audit_auditevent' AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint WHERE conrelid = 'audit_auditevent'::regclass)")
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT grantee, privilege_type FROM information_schema.role_table_grants "
                       "WHERE table_name = 'audit_auditevent' AND table_schema = current_schema() "
                       "AND grantee <> (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditevent' "
                       "AND schemaname = current_schema())")
        grants = cursor.fetchall()
        cursor.execute("SELECT min(occurred_at), max(id) FROM audit_auditevent")
        oldest, max_id = cursor.fetchone()

        cursor.execute("ALTER TABLE audit_auditevent RENAME TO audit_auditevent_unpartitioned")
        cursor.execute("CREATE SEQUENCE audit_auditevent_id_partitioned_seq")
        cursor.execute("CREATE TABLE audit_auditevent (LIKE audit_auditevent_unpartitioned INCLUDING DEFAULTS) "
                       "PARTITION BY RANGE (occurred_at)")
        cursor.execute("ALTER TABLE audit_auditevent ALTER COLUMN id "
                       "SET DEFAULT nextval('audit_auditevent_id_partitioned_seq')")
        month = partitions.month_of(oldest or timezone.now())
        last = partitions.next_month(partitions.next_month(partitions.month_of(timezone.now())))
        while month <= last:
            start, end = partitions.month_bounds(month)
            cursor.execute(f'CREATE TABLE "{partitions.partition_name(month)}" PARTITION OF audit_auditevent '
                           f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
            month = partitions.next_month(month)
        cursor.execute("INSERT INTO audit_auditevent SELECT * FROM audit_auditevent_unpartitioned ORDER BY seq")
        cursor.execute("DROP TABLE audit_auditevent_unpartitioned")
        cursor.execute("ALTER SEQUENCE audit_auditevent_id_partitioned_seq RENAME TO audit_auditevent_id_seq")
        cursor.execute("ALTER SEQUENCE audit_auditevent_id_seq OWNED BY audit_auditevent.id")
        if max_id:
            cursor.execute("SELECT setval('audit_auditevent_id_seq', %s)", [max_id])
        for name, kind, definition in constraints:
            columns = definition[definition.index("(") + 1:definition.index(")")]
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            cursor.execute(f'ALTER TABLE audit_auditevent ADD CONSTRAINT "{name}" {what} ({columns}, occurred_at)')
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
                       "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
        for grantee, privilege in grants:
            role = "PUBLIC" if grantee == "PUBLIC" else f'"{grantee}"'
            cursor.execute(f"GRANT {privilege} ON audit_auditevent TO {role}")
            if privilege == "INSERT":
                cursor.execute(f"GRANT USAGE ON SEQUENCE audit_auditevent_id_seq TO {role}")


def unpartition(apps, schema_editor):
    """The reverse of ``partition`` (see the module's docstring). Raises ``CommandError`` naming the
    archived months when some are archived; nothing is changed then."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass('audit_auditevent')")
        if cursor.fetchone()[0] != "p":
            return
        cursor.execute("SELECT to_char(month, 'YYYY-MM') FROM audit_auditcheckpoint WHERE archived_at IS NOT NULL "
                       "ORDER BY month")
        archived = [row[0] for row in cursor.fetchall()]
        if archived:
            raise CommandError(
                "audit 0004 cannot be reversed: the audit log's months " + ", ".join(archived) + " are archived "
                "(their partitions detached from the log, their events in the archive files): an unpartitioned "
                "log would leave those events out and its hash chain would not verify. Nothing was changed.")
        cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'audit_auditevent'::regclass AND contype IN ('p', 'u')")
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND "
                       "tablename = 'audit_auditevent' AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint WHERE conrelid = 'audit_auditevent'::regclass)")
        indexes = [row[0].replace(" ON ONLY ", " ON ") for row in cursor.fetchall()]
        cursor.execute("SELECT grantee, privilege_type FROM information_schema.role_table_grants "
                       "WHERE table_name = 'audit_auditevent' AND table_schema = current_schema() "
                       "AND grantee <> (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditevent' "
                       "AND schemaname = current_schema())")
        grants = cursor.fetchall()

        cursor.execute("CREATE TABLE audit_auditevent_unpartitioned (LIKE audit_auditevent INCLUDING DEFAULTS)")
        cursor.execute("INSERT INTO audit_auditevent_unpartitioned SELECT * FROM audit_auditevent ORDER BY seq")
        # The id sequence (owned by the partitioned table's column) outlives that table.
        cursor.execute("ALTER SEQUENCE audit_auditevent_id_seq OWNED BY NONE")
        cursor.execute("DROP TABLE audit_auditevent")  # with its partitions and their cloned triggers
        cursor.execute("ALTER TABLE audit_auditevent_unpartitioned RENAME TO audit_auditevent")
        cursor.execute("ALTER SEQUENCE audit_auditevent_id_seq OWNED BY audit_auditevent.id")
        for name, kind, definition in constraints:
            columns = [c.strip() for c in definition[definition.index("(") + 1:definition.index(")")].split(",")]
            columns = ", ".join(c for c in columns if c != "occurred_at")
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            cursor.execute(f'ALTER TABLE audit_auditevent ADD CONSTRAINT "{name}" {what} ({columns})')
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
                       "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
        for grantee, privilege in grants:
            role = "PUBLIC" if grantee == "PUBLIC" else f'"{grantee}"'
            cursor.execute(f"GRANT {privilege} ON audit_auditevent TO {role}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_subject_read")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(unique=True, verbose_name="month")),
                ("first_seq", models.BigIntegerField(verbose_name="first event")),
                ("last_seq", models.BigIntegerField(verbose_name="last event")),
                ("count", models.BigIntegerField(verbose_name="events")),
                ("prev_hash", models.CharField(max_length=64)),
                ("last_hash", models.CharField(max_length=64)),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                ("archived_at", models.DateTimeField(blank=True, null=True, verbose_name="archived at")),
                ("archive_name", models.CharField(blank=True, max_length=300, verbose_name="archive file")),
                ("archive_sha256", models.CharField(blank=True, max_length=64)),
            ],
            options={"verbose_name": "audit checkpoint", "verbose_name_plural": "audit checkpoints",
                     "ordering": ["month"]},
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
