"""A node's message log (消息日志): every request and response, hash-chained like the audit log.

Each row's ``hash`` is SHA-256 over the canonical JSON (``egov.core.canonical``, as the audit
chain) of ``HASHED_FIELDS``; the body enters as its SHA-256 (``body_sha256``), so that a row can
be proven with the envelope alone when the body must not be shown. ``prev_hash`` is the hash of
row ``seq - 1`` (64 zeros for the first). Appends are serialized by a transaction-scoped advisory
lock on PostgreSQL, so ``seq`` order is commit order. A node writes through ``LogWriter``
(group commit: one transaction, one insert and one WAL flush for all the rows waiting, then the
waiting threads go on).

Bodies: a row keeps the body it logs, except an entry given ``keep_body=False`` (the nodes pass it
for a successful extract page, ``node.Node``, unless ``log_extract_bodies`` is set): its body is
not stored (``body`` NULL), and its SHA-256 and size in bytes are the evidence — the envelope signs
that digest, and the same page can be read again from the source with the same cursor. Such a row
adds ``body_size`` to its hashed values, so that its digest, its size and the fact that its body
was not kept are all under the chain (a body dropped later from a row that kept it breaks its hash).
Every row written since migration 0011 also stores ``body_sha256`` and ``body_size`` (not hashed
when the body is kept: ``log_verify`` checks the stored digest is the body's).
"""

import hashlib
import queue
import threading
from datetime import UTC

import psycopg
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from egov.core.canonical import canonical_json
from egov.exchange.models import LoggedMessage

GENESIS_HASH = "0" * 64
_LOG_LOCK_KEY = 0x65676F76_78636867  # "egov" "xchg"

HASHED_FIELDS = ("seq", "logged_at", "direction", "kind", "message_id", "in_reply_to", "peer_code", "service",
                 "status", "envelope", "body_sha256", "prev_hash")


def row_values(row: LoggedMessage) -> dict:
    """The hashed values of ``row`` (``logged_at`` as ISO 8601 UTC with microseconds): ``body_sha256``
    computed from the body when kept, else the stored digest and ``body_size`` (module text)."""
    values = {name: getattr(row, name) for name in HASHED_FIELDS if name not in ("body_sha256", "logged_at")}
    values["logged_at"] = row.logged_at.astimezone(UTC).isoformat(timespec="microseconds")
    if row.body is None:
        values["body_sha256"], values["body_size"] = row.body_sha256, row.body_size
    else:
        values["body_sha256"] = hashlib.sha256(bytes(row.body)).hexdigest()
    return values


def values_hash(values: dict) -> str:
    """SHA-256 hex of the canonical JSON of a row's hashed values (offline verifiers use this too)."""
    return hashlib.sha256(canonical_json(values)).hexdigest()


_COLUMNS = ("seq", "logged_at", "direction", "kind", "message_id", "in_reply_to", "peer_code", "service", "status",
            "envelope", "body", "body_sha256", "body_size", "prev_hash", "hash")
_HEAD_SQL = f"SELECT seq, hash FROM {LoggedMessage._meta.db_table} ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (f"INSERT INTO {LoggedMessage._meta.db_table} ({', '.join(_COLUMNS)}) "
               f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})")
# PostgreSQL, the writer's fast path: a row goes in only when the head is then the row it is chained to.
_INSERT_AFTER_SQL = (f"INSERT INTO {LoggedMessage._meta.db_table} ({', '.join(_COLUMNS)}) "
                     f"SELECT %s::bigint, %s::timestamptz, {', '.join(['%s::text'] * 6)}, %s::integer, %s::text, "
                     f"%s::bytea, %s::text, %s::bigint, %s::text, %s::text WHERE COALESCE((SELECT hash FROM "
                     f"{LoggedMessage._meta.db_table} ORDER BY seq DESC LIMIT 1), '{GENESIS_HASH}') = %s::text")


def _rows_build(entries: list[dict], *, seq: int, prev_hash: str) -> tuple[list[LoggedMessage], list[list]]:
    """The rows of ``entries`` chained after row ``seq`` of hash ``prev_hash``, logged now: the
    ``LoggedMessage`` instances and each row's column values in ``_COLUMNS`` order. An entry's
    ``body_sha256``, when given, is its body's digest already computed (by the envelope's signer or
    checker), not computed again; ``keep_body=False`` logs it without the body (module text)."""
    now = timezone.now()
    logged_at = now.astimezone(UTC).isoformat(timespec="microseconds")
    stored_at = connection.ops.adapt_datetimefield_value(now)
    rows, params = [], []
    for entry in entries:
        seq += 1
        body = entry["body"]
        digest = entry.get("body_sha256") or hashlib.sha256(body).hexdigest()
        values = {"seq": seq, "logged_at": logged_at, "direction": entry["direction"], "kind": entry["kind"],
                  "message_id": entry["message_id"], "in_reply_to": entry.get("in_reply_to", ""),
                  "peer_code": entry["peer_code"], "service": entry["service"][:100],
                  "status": entry.get("status", 0), "envelope": entry["envelope"],
                  "body_sha256": digest, "prev_hash": prev_hash}
        kept = entry.get("keep_body", True)
        if not kept:
            values["body_size"] = len(body)
        prev_hash = values_hash(values)
        row = {**values, "logged_at": now, "body": bytes(body) if kept else None, "body_size": len(body),
               "hash": prev_hash}
        params.append([stored_at if name == "logged_at" else row[name] for name in _COLUMNS])
        rows.append(LoggedMessage(**{name: row[name] for name in _COLUMNS}))
    return rows, params


def log_append_many(entries: list[dict]) -> list[LoggedMessage]:
    """Append rows (each the keyword arguments of ``log_append``) in order, inside the caller's
    transaction (which must be atomic): one lock, one query for the head, and the rows written in
    plain SQL, ``COPY`` on PostgreSQL (the ORM's insert cost more CPU per row than hashing and
    signing it; ``bench/README.md``).

    Returns:
        The rows as ``LoggedMessage`` instances carrying the written values (``pk`` not set).

    Raises:
        django.db.IntegrityError: a received request's ``message_id`` is logged already (or
            twice in ``entries``); nothing is written then.
    """
    table = LoggedMessage._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip for BEGIN, the lock and the head (psycopg's pipeline): the head is read
            # by a statement that starts once the lock is ours, so it sees the last committed row.
            with connection.wrap_database_errors, cursor.connection.pipeline():
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOG_LOCK_KEY])
                cursor.execute(_HEAD_SQL)
                last = cursor.fetchone()
        else:
            cursor.execute(_HEAD_SQL)
            last = cursor.fetchone()
        rows, params = _rows_build(entries, seq=last[0] if last else 0, prev_hash=last[1] if last else GENESIS_HASH)
        if connection.vendor == "postgresql":
            # COPY: no SQL text to build and split, the envelopes are not escaped into it.
            with connection.wrap_database_errors, cursor.cursor.copy(  # psycopg's cursor under Django's
                    f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES "
                               f"({', '.join(['%s'] * len(_COLUMNS))})", params)
    return rows


def log_append(*, direction: str, kind: str, message_id: str, peer_code: str, service: str, envelope: str,
               body: bytes, status: int = 0, in_reply_to: str = "", keep_body: bool = True,
               body_sha256: str = "") -> LoggedMessage:
    """Append one row inside the caller's transaction (which must be atomic) and return it.

    Args:
        keep_body: False logs the body's digest and size only (the module's "bodies").
        body_sha256: the body's SHA-256 (hex) when already computed; else computed here.

    Raises:
        django.db.IntegrityError: a received request with this ``message_id`` is logged already.
    """
    return log_append_many([{"direction": direction, "kind": kind, "message_id": message_id, "peer_code": peer_code,
                             "service": service, "envelope": envelope, "body": body, "status": status,
                             "in_reply_to": in_reply_to, "keep_body": keep_body, "body_sha256": body_sha256}])[0]


class LogWriter:
    """Group commit for a node process: threads hand rows to ``append`` and wait; one writer
    thread commits everything waiting in one transaction (one lock, one insert, one fsync), then
    wakes them. ``append`` returns only once its rows are committed, so whatever a node answers
    is logged first. A batch in which a received request repeats a logged message id is retried
    row group by row group, so that only the replay fails (``django.db.IntegrityError``).

    On PostgreSQL the writer has a connection of its own (psycopg, server-side binding) and
    remembers the chain's head it wrote last. A commit is then one round trip in one pipeline:
    the lock, the head, the rows — each inserted only if the head is then the row it was chained
    to (``_INSERT_AFTER_SQL``) — and ``COMMIT``. When another process of the node wrote in
    between, nothing was inserted; the writer goes on with the head it read, holding the lock in
    a second transaction (``_commit_rows_pg``). Elsewhere (SQLite) it writes through Django's
    connection (``log_append_many``).
    """

    def __init__(self, *, max_batch: int = 500):
        self.max_batch = max_batch
        self._queue: queue.Queue = queue.Queue()
        self._pg = None  # the writer thread's own psycopg connection (PostgreSQL)
        self._head: tuple[int, str] | None = None  # (seq, hash) of the row this writer last wrote
        threading.Thread(target=self._run, name="exchange-log-writer", daemon=True).start()

    def append(self, entries: list[dict], *, timeout: float = 30) -> list[LoggedMessage]:
        """Log ``entries`` (``log_append_many``'s) together, committed, in order; return the rows."""
        pending = _Pending(entries)
        self._queue.put(pending)
        if not pending.done.wait(timeout):
            raise TimeoutError("the message log did not commit in time")
        if pending.error is not None:
            raise pending.error
        return pending.rows

    def stop(self, *, timeout: float = 10) -> None:
        """Commit what is waiting, close the writer's connection and end its thread (tests; a node
        process simply ends)."""
        stopped = threading.Event()
        self._queue.put(stopped)
        stopped.wait(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if isinstance(first, threading.Event):
                if self._pg is not None:
                    self._pg.close()
                first.set()
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            finally:
                if self._pg is None:
                    close_old_connections()
                for pending in batch:
                    pending.done.set()

    def _commit(self, batch: list["_Pending"]) -> None:
        entries = [entry for pending in batch for entry in pending.entries]
        try:
            if connection.vendor == "postgresql":
                rows = self._commit_rows_pg(entries)
            else:
                with transaction.atomic():
                    rows = log_append_many(entries)
            for pending in batch:
                pending.rows, rows = rows[:len(pending.entries)], rows[len(pending.entries):]
            return
        except IntegrityError:
            if len(batch) == 1:
                batch[0].error = IntegrityError("message id received before")
                return
        except Exception as exc:  # the database is down: every waiting thread hears it
            for pending in batch:
                pending.error = exc
            return
        for pending in batch:  # a replay in the group: find it, commit the others
            self._commit([pending])

    def _commit_rows_pg(self, entries: list[dict]) -> list[LoggedMessage]:
        """Write ``entries`` after the chain's head in one transaction on the writer's connection.

        Raises:
            django.db.IntegrityError: a received request's message id is logged already.
            psycopg.Error: the database cannot be reached (the connection is dropped, the next
                batch connects again).
        """
        if self._pg is None or self._pg.closed:
            params = connection.get_connection_params()
            params["cursor_factory"] = psycopg.Cursor  # server-side binding: no 2 KB envelope escaped into SQL
            params["prepare_threshold"] = 0  # the same four statements every time: prepared at once
            self._pg, self._head = psycopg.connect(**params), None
        pg = self._pg
        try:
            head, rows = self._head, None
            with pg.pipeline():
                pg.execute("SELECT pg_advisory_xact_lock(%s)", [_LOG_LOCK_KEY])
                read = pg.execute(_HEAD_SQL)
                if head is not None:
                    rows, values = _rows_build(entries, seq=head[0], prev_hash=head[1])
                    pg.cursor().executemany(_INSERT_AFTER_SQL, [[*row, row[-2]] for row in values])
                    pg.commit()
                last = read.fetchone()
                last = (last[0], last[1]) if last else (0, GENESIS_HASH)
                if head != last:  # not the head we wrote last: nothing was inserted, start again from ``last``
                    if head is not None:
                        pg.execute("SELECT pg_advisory_xact_lock(%s)", [_LOG_LOCK_KEY])
                        read = pg.execute(_HEAD_SQL)  # the lock was let go at COMMIT: read the head again
                        last = read.fetchone()
                        last = (last[0], last[1]) if last else (0, GENESIS_HASH)
                    rows, values = _rows_build(entries, seq=last[0], prev_hash=last[1])
                    pg.cursor().executemany(_INSERT_SQL, values)
                    pg.commit()
        except psycopg.IntegrityError:
            self._head = None
            pg.rollback()
            raise IntegrityError("message id received before") from None
        except psycopg.Error:
            self._head = None
            pg.close()
            raise
        self._head = (rows[-1].seq, rows[-1].hash)
        return rows


class _Pending:
    def __init__(self, entries: list[dict]):
        self.entries = entries
        self.rows: list[LoggedMessage] = []
        self.error: Exception | None = None
        self.done = threading.Event()


def log_verify() -> int | None:
    """Recompute the chain; return the ``seq`` of the first row that does not fit, or None when intact.

    A row does not fit when its hash is not that of its values (``row_values``: for a row logged
    without its body, the stored digest and size), when it does not follow the row before, or when
    it keeps its body and a stored ``body_sha256`` is not that body's digest."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    for row in LoggedMessage.objects.order_by("seq").iterator(chunk_size=2000):
        values = row_values(row)
        if row.seq != expected_seq or row.prev_hash != expected_prev or values_hash(values) != row.hash:
            return row.seq
        if row.body is not None and row.body_sha256 and row.body_sha256 != values["body_sha256"]:
            return row.seq
        expected_prev, expected_seq = row.hash, row.seq + 1
    return None
