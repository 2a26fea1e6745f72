"""Counters for numbers that identify things: one helper, the two kinds the platform needs.

- **gapless** (``gapless=True``): 发文字号 run 1, 2, 3… without a gap or a duplicate (GB/T 9704-2012
  §7.2.4; a register of what was issued). The counter row is locked in the caller's transaction
  and stays locked until it ends, so a rolled-back issue gives its number back; concurrent callers
  wait for each other.
- **gap-tolerant** (``gapless=False``): 办件编号, request numbers, licence numbers identify one thing
  each and need no unbroken run. The row is locked in a transaction of its own when the caller has
  none open (a moment, so concurrent submissions barely wait); a submission that fails after taking
  its number leaves a gap, never a duplicate.

Each owner app keeps its counter table (a model with the key fields and an integer field) and its
number layout; this module only takes the next value.
"""

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed


def counter_lock(*, model: type[models.Model], key: dict[str, Any]) -> models.Model:
    """The counter row ``model(**key)`` (created at 0 when missing), locked until the caller's
    transaction ends: for a write that must wait for the counter's takers without taking a value
    (a 发文字号 registered by hand checks that no allocation of its year runs meanwhile).

    Raises:
        RuntimeError: outside a transaction (the lock would end at once).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a counter lock needs the caller's transaction")
    # INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE: concurrent first takes of a
    # counter both wait on the same row instead of one failing on the unique constraint.
    model.objects.bulk_create([model(**key)], ignore_conflicts=True)
    return model.objects.select_for_update().get(**key)


def counter_take(*, model: type[models.Model], key: dict[str, Any], field: str = "value", gapless: bool = False,
                 limit: int | None = None, taken: Callable[[int], bool] | None = None,
                 label: str = "") -> int:
    """Take the next value of the counter row ``model(**key)`` (created at 0 when missing).

    Args:
        model: the counter model; ``key`` its identifying fields (unique together); ``field`` the
            integer field holding the last value given.
        gapless: see the module docstring; True needs an open transaction (``RuntimeError`` otherwise).
        limit: the largest value that may be given (None: no limit).
        taken: values to pass over because something holds them already (a hand-registered
            发文字号); asked for each candidate value.
        label: what is counted, for the error message (e.g. ``day:42:20260928``).

    Returns:
        The value taken (1 for a new counter).

    Raises:
        ValidationFailed: ``extra = {"field": "number", "rule": "exhausted"}`` when ``limit`` is reached.
        RuntimeError: ``gapless`` outside a transaction (a programming error: the lock would end at once).

    Without ``taken`` the value comes from one ``UPDATE … RETURNING`` (PostgreSQL; SQLite ≥ 3.35): one
    round trip, no savepoint, no row read first; a missing row costs one ``INSERT … ON CONFLICT DO
    NOTHING`` and the UPDATE again. With ``taken`` (or a database without ``RETURNING``) the row is
    read under ``SELECT … FOR UPDATE`` and saved (``counter_lock``).
    """
    if gapless and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a gapless counter needs the caller's transaction")
    if taken is None and _returning_supported():
        value = _counter_increment(model=model, key=key, field=field, limit=limit)
        if value is None:  # no row yet: create it at 0 (a concurrent creator wins harmlessly), then again
            model.objects.bulk_create([model(**key)], ignore_conflicts=True)
            value = _counter_increment(model=model, key=key, field=field, limit=limit)
        if value is None:  # the row exists and stands at the limit
            raise _exhausted(label or str(key))
        return value
    with transaction.atomic():
        counter = counter_lock(model=model, key=key)
        value = getattr(counter, field) + 1
        while taken is not None and taken(value):
            value += 1
        if limit is not None and value > limit:
            raise _exhausted(label or str(key))
        setattr(counter, field, value)
        counter.save(update_fields=[field])
    return value


def _exhausted(label: str) -> ValidationFailed:
    return ValidationFailed(_("No more numbers can be given in %(scope)s.") % {"scope": label},
                            extra={"field": "number", "rule": "exhausted"})


def _returning_supported() -> bool:
    """``UPDATE … RETURNING``: PostgreSQL, and SQLite from 3.35 (MariaDB has none)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35, 0)


def _counter_increment(*, model: type[models.Model], key: dict[str, Any], field: str, limit: int | None
                       ) -> int | None:
    """One statement, ``UPDATE counter SET field = field + 1 WHERE key [AND field < limit] RETURNING
    field``: the new value, or None when no row matched (missing, or at ``limit``).

    The row lock the UPDATE takes lasts until the caller's transaction ends, or, outside one, only
    for this statement (autocommit), which is what ``counter_take`` promises for both kinds.
    """
    connection = transaction.get_connection()
    query = model.objects.filter(**key).query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    sql = f"UPDATE {table} SET {column} = {column} + 1 WHERE {where}"
    if limit is not None:
        sql += f" AND {column} < %s"
        params = (*params, limit)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {column}", params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
