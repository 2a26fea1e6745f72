"""The audit log's monthly partitions on PostgreSQL (declarative partitioning by range of
``occurred_at``; PostgreSQL 15 documentation §5.11 "Table Partitioning").

A month is a calendar month in ``settings.TIME_ZONE`` (Asia/Shanghai: 北京时间), the month an auditor
means. Partition ``audit_auditevent_y2026m01`` holds the events from 2026-01-01 00:00 to 2026-02-01
00:00 there. Appends keep ``occurred_at`` in ``seq`` order (``actions._chain_append``), so each month
holds one unbroken run of the chain and its last event is the month's checkpoint.

On SQLite the log stays one table: these functions do nothing there (``is_partitioned`` is False).
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

PARENT = "audit_auditevent"
_NAME = re.compile(r"^audit_auditevent_y(\d{4})m(\d{2})$")
# Months made ahead of time by ``partitions_ensure`` (the beat's anchor task, ``egov migrate``), so
# that a database role without CREATE (the public site's) never meets a month without its partition.
MONTHS_AHEAD = 2


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of ``moment``'s month in ``settings.TIME_ZONE`` (an aware datetime in)."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return datetime.date(local.year, local.month, 1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after ``month`` (a first day)."""
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start, end)`` of ``month`` as aware datetimes at midnight in ``settings.TIME_ZONE``."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    after = next_month(month)
    return start, datetime.datetime(after.year, after.month, 1, tzinfo=zone)


def partition_name(month: datetime.date) -> str:
    """``audit_auditevent_y2026m01`` for January 2026."""
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def parse_month(text: str) -> datetime.date:
    """``"2026-01"`` → ``date(2026, 1, 1)``; ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return datetime.date(int(match[1]), int(match[2]), 1)


def is_partitioned() -> bool:
    """True when ``audit_auditevent`` is a partitioned table (PostgreSQL after migration 0004)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions_attached() -> list[datetime.date]:
    """The months that have a partition attached, oldest first (empty off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s)", [PARENT])
        names = [row[0] for row in cursor.fetchall()]
    months = []
    for name in names:
        match = _NAME.match(name)
        if match:
            months.append(datetime.date(int(match[1]), int(match[2]), 1))
    return sorted(months)


# Months this process knows to have a partition, once the transaction that saw it committed (a
# cache; a detached month leaves it).
_known: set[datetime.date] = set()


def partition_ensure(month: datetime.date) -> bool:
    """Create the partition of ``month`` when missing (``CREATE TABLE IF NOT EXISTS … PARTITION OF``,
    in the caller's transaction). Returns True when it exists afterwards; does nothing off a
    partitioned log. Needs CREATE on the schema (the tables' owner)."""
    if month in _known or connection.vendor != "postgresql":
        return month in _known
    name = partition_name(month)
    with connection.cursor() as cursor:
        # Looked up first: CREATE … IF NOT EXISTS would need CREATE on the schema even when the
        # partition exists, which the public site's role lacks.
        cursor.execute("SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)), "
                       "to_regclass(%s) IS NOT NULL", [PARENT, name])
        kind, exists = cursor.fetchone()
        if kind != "p":
            return False
        if not exists:
            start, end = month_bounds(month)
            cursor.execute(f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{PARENT}" '
                           f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
    # Known once committed: a partition made in a transaction that rolls back (a test's) is gone again.
    transaction.on_commit(lambda: _known.add(month))
    return True


def partitions_ensure(*, now: datetime.datetime, ahead: int = MONTHS_AHEAD) -> list[datetime.date]:
    """Make sure the partitions of ``now``'s month and ``ahead`` months after it exist; returns those
    months (empty off a partitioned log)."""
    if not is_partitioned():
        return []
    month = month_of(now)
    months = []
    for _ in range(ahead + 1):
        partition_ensure(month)
        months.append(month)
        month = next_month(month)
    return months


def partition_detach(month: datetime.date, *, drop: bool = False) -> None:
    """Detach ``month``'s partition from the log (``ALTER TABLE … DETACH PARTITION``); it stays a
    table of its own, to be dumped and dropped off-line, unless ``drop``. Called by
    ``archive.audit_archive`` after the month's rows are written to their archive file."""
    name = partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{name}"')
        if drop:
            cursor.execute(f'DROP TABLE "{name}"')
    _known.discard(month)
