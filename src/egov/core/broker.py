"""The embedded Celery broker: kombu's SQLAlchemy transport with a visibility timeout.

kombu's own SQLAlchemy transport (``sqla+``) marks a message invisible when a worker takes it and
never makes it visible again: a worker killed with SIGKILL before acknowledging loses the task even
with ``task_acks_late``. This transport keeps the taken row until the worker acknowledges it (the row
is deleted then), and makes rows taken longer than ``visibility_timeout`` seconds ago visible again,
as kombu's Redis transport does (the same semantics and the same transport option name).

Use it with ``egovsqla+<SQLAlchemy URL>`` (``egov.settings`` rewrites ``sqla+`` URLs to it); the
alias is registered when this module is imported (``egov.celery`` imports it).

A task that runs longer than the visibility timeout is delivered a second time while it still runs:
keep the timeout above the longest task (``EGOV_TASK_VISIBILITY_TIMEOUT``, seconds) and the tasks
idempotent (docs/operations.md, "Background work").
"""

import datetime

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import sqlalchemy as kombu_sqla
from kombu.transport.virtual import Empty

ALIAS = "egovsqla"
# Seconds a taken, unacknowledged message stays invisible (kombu's Redis default: one hour).
DEFAULT_VISIBILITY_TIMEOUT = 3600.0
QUEUE_TABLE, MESSAGE_TABLE = "egov_broker_queue", "egov_broker_message"


class Channel(kombu_sqla.Channel):
    """A channel whose taken messages are deleted on acknowledgement and come back after the
    visibility timeout when never acknowledged (worker killed)."""

    def __init__(self, connection, **kwargs):
        options = connection.client.transport_options
        self.visibility_timeout = float(options.get("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT))
        self._taken_rows: dict[str, int] = {}  # delivery tag -> kombu_message.id
        super().__init__(connection, **kwargs)

    def _configure_entity_tablenames(self, opts):
        # Tables of its own: kombu's transport left every message it ever delivered in kombu_message
        # (invisible, never deleted), which this one would otherwise take for tasks of killed workers
        # and run again. A task still waiting in kombu_message at the upgrade is not run.
        super()._configure_entity_tablenames({"queue_tablename": QUEUE_TABLE, "message_tablename": MESSAGE_TABLE,
                                              **opts})

    def _engine_from_config(self):
        # kombu passes the remaining transport options to create_engine: ours is not an engine's.
        options = self.connection.client.transport_options
        saved = options.pop("visibility_timeout", None)
        try:
            return super()._engine_from_config()
        finally:
            if saved is not None:
                options["visibility_timeout"] = saved

    def _restore_expired(self, queue_id: int) -> int:
        """Make the messages of one queue taken more than ``visibility_timeout`` seconds ago visible
        again; returns how many. (kombu stamps the row's naive local time when it is taken.)"""
        cutoff = datetime.datetime.now() - datetime.timedelta(seconds=self.visibility_timeout)
        message = self.message_cls
        return (self.session.query(message)
                .filter(message.queue_id == queue_id, message.visible == False,  # noqa: E712 (SQL)
                        message.sent_at < cutoff)
                .update({message.visible: True}, synchronize_session=False))

    def _get(self, queue):
        obj = self._get_or_create(queue)
        if self.session.bind.name == "sqlite":
            self.session.execute(kombu_sqla.text("BEGIN IMMEDIATE TRANSACTION"))
        try:
            self._restore_expired(obj.id)
            message = self.message_cls
            row = (self.session.query(message).with_for_update()
                   .filter(message.queue_id == obj.id, message.visible != False)  # noqa: E712 (SQL)
                   .order_by(message.sent_at).order_by(message.id).limit(1).first())
            if row is None:
                raise Empty()
            row.visible = False
            payload = kombu_sqla.loads(kombu_sqla.bytes_to_str(row.payload))
            self._taken_rows[payload["properties"]["delivery_tag"]] = row.id
            return payload
        finally:
            self.session.commit()

    def _forget(self, delivery_tag) -> None:
        """Delete the row of a message this channel took (acknowledged, rejected or restored)."""
        row_id = self._taken_rows.pop(delivery_tag, None)
        if row_id is not None:
            self.session.query(self.message_cls).filter(self.message_cls.id == row_id).delete(
                synchronize_session=False)
            self.session.commit()

    def basic_ack(self, delivery_tag, multiple=False):
        self._forget(delivery_tag)
        return super().basic_ack(delivery_tag, multiple=multiple)

    def basic_reject(self, delivery_tag, requeue=False):
        # A requeue puts the payload again (a new row): the taken row goes either way.
        self._forget(delivery_tag)
        return super().basic_reject(delivery_tag, requeue=requeue)

    def _restore(self, message):
        # A warm shutdown restores unacknowledged messages by putting them again.
        self._forget(message.delivery_tag)
        return super()._restore(message)

    def _size(self, queue):
        obj = self._get_or_create(queue)
        self._restore_expired(obj.id)
        self.session.commit()
        return super()._size(queue)


class Transport(kombu_sqla.Transport):
    """kombu's SQLAlchemy transport with :class:`Channel` (``egovsqla+sqlite:///…``)."""

    Channel = Channel


TRANSPORT_ALIASES.setdefault(ALIAS, "egov.core.broker:Transport")
