"""Writes of subscriptions (订阅): subscribing, publishing changes, polling a source's change column,
delivering (at least once, in order, with back-off), receiving (idempotent), and replaying dead letters.

Delivery: for each subscription with something due, the oldest pending events (at most
``policy.batch`` of them, in change order) go in one message through a ``Transport``; only the
granted 信息项 of each row travel (``selectors.allowed_fields`` at the time of delivery: a grant
revoked since stops the delivery, which fails with ``no_grant``). The receiver acknowledges every
event id it has (a repeat is acknowledged, not applied again); then the deliveries are marked
delivered. A failure counts one attempt for every event of the message and puts the next attempt
off by ``policy.delay(failures)`` (exponential, capped, with jitter); an event tried
``policy.max_attempts`` times or older than ``policy.max_age`` seconds is a dead letter and the
events after it go on. Nothing after a pending event is sent before it: in order per resource per
subscriber. Attempts are logged (``DeliveryAttempt``) without the values; an event's values are
dropped once every subscription has it.
"""

import logging
import random
import secrets
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from egov.exchange.actions.grants import provider_of
from egov.exchange.models import (
    ChangeCursor,
    ChangeEvent,
    Delivery,
    DeliveryAttempt,
    InformationResource,
    ReceivedEvent,
    SubscribedRecord,
    Subscription,
)
from egov.exchange.permissions import require_sharing_staff
from egov.exchange.selectors import allowed_fields, record_cut
from egov.orgs.models import Organization

logger = logging.getLogger(__name__)

DELIVER_SERVICE = "subscription.deliver"  # the service a consumer node answers deliveries on
OPERATIONS = {choice.value for choice in ChangeEvent.Operation}


@dataclass(frozen=True)
class DeliveryPolicy:
    """How deliveries are retried. Times in seconds.

    ``delay(n)`` after the ``n``-th failure in a row is ``min(cap, base · 2^(n-1))`` scaled by a
    random factor in [0.5, 1] ("equal jitter", so that subscribers down together do not come back
    in step). An event is dead after ``max_attempts`` tries or ``max_age`` seconds after it was
    produced, whichever comes first. ``batch``: events per message at most.
    """

    base: float = 1.0
    cap: float = 300.0
    max_attempts: int = 50
    max_age: float = 3 * 86400.0
    batch: int = 100

    def delay(self, failures: int, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after ``failures`` (≥ 1) failed tries in a row."""
        ceiling = min(self.cap, self.base * 2 ** min(max(failures, 1) - 1, 40))
        return ceiling * (0.5 + 0.5 * (rng or random).random())

    @classmethod
    def from_settings(cls) -> "DeliveryPolicy":
        """The platform's policy: ``EGOV_SUBSCRIPTION_BACKOFF_BASE``, ``…_BACKOFF_CAP``,
        ``…_MAX_ATTEMPTS``, ``…_MAX_AGE``, ``…_BATCH`` (settings.py)."""
        return cls(base=settings.EGOV_SUBSCRIPTION_BACKOFF_BASE, cap=settings.EGOV_SUBSCRIPTION_BACKOFF_CAP,
                   max_attempts=settings.EGOV_SUBSCRIPTION_MAX_ATTEMPTS, max_age=settings.EGOV_SUBSCRIPTION_MAX_AGE,
                   batch=settings.EGOV_SUBSCRIPTION_BATCH)


class DeliveryFailed(Exception):
    """A message of events was not acknowledged. ``status``: the receiver's HTTP status (0: not
    reached); ``message_id``: our request in the message log, when one was sent."""

    def __init__(self, error: str, *, status: int = 0, message_id: str = ""):
        super().__init__(error)
        self.error, self.status, self.message_id = error, status, message_id


@dataclass(frozen=True)
class Receipt:
    """The receiver's acknowledgement: the event ids it holds now, and our request's message id."""

    acknowledged: frozenset[str]
    message_id: str = ""


# transport(subscription, events) -> Receipt, or raises DeliveryFailed. ``events`` as ``event_wire``.
Transport = Callable[[Subscription, list[dict]], Receipt]


class ChangeSource(Protocol):
    """A source whose rows carry a change column (an adapter's ``changes_since``).

    ``changes_since(cursor)`` returns the changes after ``cursor`` (None: from the start), oldest
    first, and the cursor to ask from next time (an opaque string the source understands, e.g.
    the last ``updated_at`` and key seen). Each change is ``{"op": "added"|"changed"|"removed",
    "key": str, "row": dict | None}`` (``row``: every column mapped to 信息项 fields; None when removed).
    """

    def changes_since(self, cursor: str | None) -> tuple[list[dict], str | None]: ...


# --- subscribing -----------------------------------------------------------------------------------


def subscription_create(*, actor, resource: InformationResource, consumer_code: str, consumer_name: str,
                        purpose: str, legal_basis: str) -> Subscription:
    """Subscribe ``consumer_code`` to ``resource``'s changes from now on.

    The consumer must hold a grant in force for the resource (only its granted 信息项 travel). A
    person acts for the consumer (its data steward, or an operator over it); ``SYSTEM`` for
    ``egov exchange import``. Audited ``exchange.subscription.create``.

    Raises:
        PermissionDenied: no grant in force (``rule = "no_grant"``), or the actor may not act for
            the consumer (``rule = "sharing_role"``).
        ValidationFailed: purpose or legal basis missing (``field``).
        Conflict: the consumer subscribes already (``rule = "exists"``).
    """
    consumer = Organization.objects.filter(uscc=consumer_code).first()
    if not is_system(actor):
        require_sharing_staff(actor, consumer, side="consumer")
    for name, value in (("purpose", purpose), ("legal_basis", legal_basis)):
        if not str(value).strip():
            raise ValidationFailed(_("This field is required."), extra={"field": name, "rule": "required"})
    allowed_fields(resource_code=resource.code, consumer_code=consumer_code)
    with transaction.atomic():
        if Subscription.objects.filter(resource=resource, consumer_code=consumer_code,
                                       cancelled_at__isnull=True).exists():
            raise Conflict(_("This organization subscribes to this resource already."),
                           extra={"rule": "exists", "resource": resource.code, "consumer": consumer_code})
        subscription = Subscription.objects.create(
            resource=resource, consumer_code=consumer_code,
            consumer_name=consumer_name or getattr(consumer, "name", ""),
            purpose=purpose.strip(), legal_basis=legal_basis.strip(),
            last_delivered_seq=_last_seq(resource))
        audit_record(action="exchange.subscription.create", actor=actor, organization=consumer, obj=subscription,
                     actor_label="egov exchange" if is_system(actor) else "",
                     summary=f"{consumer_code} subscribes to {resource.code}",
                     changes={"resource": resource.code, "consumer": consumer_code})
    return subscription


def subscription_cancel(*, actor, subscription: Subscription) -> Subscription:
    """End a subscription: nothing more is delivered (pending deliveries stay for the record).
    The consumer's or the provider's data steward or operator. Audited ``exchange.subscription.cancel``."""
    if not is_system(actor):
        consumer = Organization.objects.filter(uscc=subscription.consumer_code).first()
        try:
            require_sharing_staff(actor, consumer, side="consumer")
        except ApplicationError:
            require_sharing_staff(actor, provider_of(subscription.resource), side="provider")
    with transaction.atomic():
        subscription.cancelled_at = timezone.now()
        subscription.next_attempt_at = None
        subscription.save(update_fields=["cancelled_at", "next_attempt_at"])
        audit_record(action="exchange.subscription.cancel", actor=actor, obj=subscription,
                     summary=f"{subscription.consumer_code} no longer subscribes to {subscription.resource.code}")
    return subscription


def _last_seq(resource: InformationResource) -> int:
    return ChangeEvent.objects.filter(resource=resource).aggregate(m=Max("seq"))["m"] or 0


# --- producing changes -----------------------------------------------------------------------------


def _change_check(change: Any, index: int) -> tuple[str, str, dict | None]:
    if not isinstance(change, dict):
        raise ValidationFailed(_("A change is an object with op, key and row."),
                               extra={"field": f"changes[{index}]", "rule": "shape"})
    op, key, row = change.get("op"), change.get("key"), change.get("row")
    if op not in OPERATIONS:
        raise ValidationFailed(_("A change's op is added, changed or removed."),
                               extra={"field": f"changes[{index}].op", "rule": "choice"})
    if not isinstance(key, str | int) or not str(key).strip() or len(str(key)) > 200:
        raise ValidationFailed(_("A change names its record by key (at most 200 characters)."),
                               extra={"field": f"changes[{index}].key", "rule": "required"})
    if op == "removed":
        row = None
    elif not isinstance(row, dict):
        raise ValidationFailed(_("An added or changed record comes with its row (an object)."),
                               extra={"field": f"changes[{index}].row", "rule": "shape"})
    return op, str(key).strip(), row


def changes_publish(*, resource: InformationResource, changes: Iterable[dict],
                    origin: str = "push") -> list[ChangeEvent]:
    """Record ``changes`` of ``resource`` (``[{"op", "key", "row"}]``, oldest first) as events, each
    numbered after the resource's last, and queue them for every subscription in force. All or
    nothing; an empty list records nothing. Only fields that are 信息项 of the resource are kept.

    Returns:
        The events, in order.

    Raises:
        ValidationFailed: a change is malformed (``field = "changes[i]…"``); an added or changed
            row holds none of the resource's 信息项 (``rule = "no_items"``, with its ``columns``).
    """
    checked = [_change_check(change, index) for index, change in enumerate(changes)]
    if not checked:
        return []
    fields = set(resource.items.values_list("field", flat=True))
    for index, (_op, _key, row) in enumerate(checked):
        # Columns beside the 信息项 are left out; a row with none of them (a misspelt item name)
        # would reach the consumer as an empty record and replace every value its copy holds.
        if row is not None and not fields & set(row):
            raise ValidationFailed(_("An added or changed record holds none of the resource's information items."),
                                   extra={"field": f"changes[{index}].row", "rule": "no_items",
                                          "columns": sorted(row)[:20]})
    with transaction.atomic():
        # The resource's row lock numbers its changes one producer at a time (no gaps, no repeats).
        InformationResource.objects.select_for_update().filter(pk=resource.pk).first()
        seq = _last_seq(resource)
        events = []
        for op, key, row in checked:
            seq += 1
            events.append(ChangeEvent(event_id=secrets.token_hex(16), resource=resource, seq=seq, operation=op,
                                      record_key=key, origin=origin,
                                      row=None if row is None else {k: v for k, v in row.items() if k in fields}))
        ChangeEvent.objects.bulk_create(events)
        events = list(ChangeEvent.objects.filter(resource=resource, seq__gt=seq - len(events)).order_by("seq"))
        subscriptions = list(Subscription.objects.filter(resource=resource, cancelled_at__isnull=True))
        Delivery.objects.bulk_create([Delivery(subscription=s, event=e) for s in subscriptions for e in events])
        now = timezone.now()
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions], next_attempt_at__isnull=True).update(
            next_attempt_at=now)
        # The data changed: the 更新周期 counts from now (``traffic.stale_since``).
        InformationResource.objects.filter(pk=resource.pk).update(data_updated_at=now)
        resource.data_updated_at = now
    logger.info("exchange.changes %s: %d events #%d–#%d (%s) for %d subscriptions", resource.code, len(events),
                events[0].seq, events[-1].seq, origin, len(subscriptions))
    return events


def changes_push(*, actor, resource: InformationResource, changes: Any) -> list[ChangeEvent]:
    """The provider pushes ``changes`` of its resource (``changes_publish``, ``origin = "push"``):
    its data steward or an operator over it, or ``SYSTEM``. Audited ``exchange.changes.push`` with
    the count and the change numbers (no values, no keys).

    Raises:
        PermissionDenied: the actor may not act for the provider (``rule = "sharing_role"``).
        ValidationFailed: as ``changes_publish``; not a list (``field = "changes"``).
    """
    if not is_system(actor):
        require_sharing_staff(actor, provider_of(resource), side="provider", message=_(
            "Only a data steward or operator of the providing organization can publish changes of its resources."))
    if not isinstance(changes, list):
        raise ValidationFailed(_('Send {"changes": [{"op", "key", "row"}, …]}.'),
                               extra={"field": "changes", "rule": "shape"})
    with transaction.atomic():
        events = changes_publish(resource=resource, changes=changes, origin="push")
        if events:
            audit_record(action="exchange.changes.push", actor=actor, organization=provider_of(resource),
                         object_type="exchange.informationresource", object_id=resource.pk,
                         summary=f"{len(events)} changes of {resource.code}",
                         changes={"first_seq": events[0].seq, "last_seq": events[-1].seq, "count": len(events)})
    return events


def changes_poll(*, name: str, resource: InformationResource, source: ChangeSource) -> int:
    """Read ``source``'s changes after the cursor stored under ``name`` and publish them
    (``origin = "poll"``); the new cursor is stored in the same transaction as the events, so a
    poller killed in between reads the same changes again and publishes them once.

    Returns:
        The number of events published.
    """
    with transaction.atomic():
        state, _created = ChangeCursor.objects.select_for_update().get_or_create(name=name,
                                                                                defaults={"resource": resource})
        changes, cursor = source.changes_since(state.cursor or None)
        events = changes_publish(resource=resource, changes=changes, origin="poll")
        state.cursor = cursor or state.cursor
        state.polled_at = timezone.now()
        state.save(update_fields=["cursor", "polled_at"])
    return len(events)


# --- delivering ------------------------------------------------------------------------------------


def event_wire(event: ChangeEvent, *, fields: frozenset[str]) -> dict:
    """An event as it travels: ``{"id", "resource", "seq", "op", "key", "row", "at"}`` with the row
    cut to ``fields`` (the consumer's granted 信息项; None for a removal)."""
    return {"id": event.event_id, "resource": event.resource.code, "seq": event.seq, "op": event.operation,
            "key": event.record_key, "row": None if event.row is None else record_cut(event.row, fields=fields),
            "at": event.created_at.isoformat()}


def _row_lock(subscription_id: int):
    """The subscription's row, locked for this delivery round (PostgreSQL: skipped when another
    worker has it); elsewhere (SQLite, one dispatcher per node) read without a lock."""
    if connection.vendor == "postgresql":
        return (Subscription.objects.select_for_update(skip_locked=True).select_related("resource")
                .filter(pk=subscription_id).first())
    return Subscription.objects.select_related("resource").filter(pk=subscription_id).first()


def deliveries_run(*, transport: Transport, policy: DeliveryPolicy, now=None, rounds: int = 20) -> dict[str, int]:
    """Deliver what is due: for each subscription whose ``next_attempt_at`` has come, up to
    ``rounds`` messages of ``policy.batch`` events while they succeed.

    Returns:
        ``{"delivered": events acknowledged, "failed": messages failed, "dead": events made dead letters}``.
    """
    totals = {"delivered": 0, "failed": 0, "dead": 0}
    now = now or timezone.now()
    due = list(Subscription.objects.filter(cancelled_at__isnull=True, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True))
    for subscription_id in due:
        for _round in range(rounds):
            outcome = _deliver_once(subscription_id, transport=transport, policy=policy)
            for key in totals:
                totals[key] += outcome.get(key, 0)
            if not outcome.get("delivered") or outcome.get("done"):
                break
    return totals


def _deliver_once(subscription_id: int, *, transport: Transport, policy: DeliveryPolicy) -> dict[str, int]:
    atomic = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with atomic:
        subscription = _row_lock(subscription_id)
        if subscription is None or subscription.cancelled_at is not None:
            return {}
        now = timezone.now()
        dead = _dead_letters_mark(subscription, policy=policy, now=now)
        pending = list(Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING)
                       .select_related("event", "event__resource").order_by("event__seq")[:policy.batch])
        if not pending:
            subscription.next_attempt_at = None
            subscription.save(update_fields=["next_attempt_at"])
            return {"dead": dead, "done": 1}
        events = [d.event for d in pending]
        try:
            fields = allowed_fields(resource_code=subscription.resource.code,
                                    consumer_code=subscription.consumer_code).fields
            receipt = transport(subscription, [event_wire(e, fields=fields) for e in events])
            missing = [e.event_id for e in events if e.event_id not in receipt.acknowledged]
            if missing:
                raise DeliveryFailed(f"not acknowledged: {len(missing)} of {len(events)} events",
                                     status=200, message_id=receipt.message_id)
        except ApplicationError as error:  # no grant in force (any more), no such resource
            outcome = _failed(subscription, pending, DeliveryFailed(f"{error.extra.get('rule', 'refused')}: "
                                                                    f"{error.message}"), policy=policy)
        except DeliveryFailed as failure:
            outcome = _failed(subscription, pending, failure, policy=policy)
        else:
            outcome = _delivered(subscription, pending, receipt, now=timezone.now())
        return {**outcome, "dead": outcome.get("dead", 0) + dead}


def _delivered(subscription: Subscription, pending: list[Delivery], receipt: Receipt, *, now) -> dict[str, int]:
    atomic = nullcontext() if connection.in_atomic_block else transaction.atomic()
    with atomic:
        Delivery.objects.filter(pk__in=[d.pk for d in pending]).update(
            state=Delivery.State.DELIVERED, delivered_at=now, attempts=F("attempts") + 1)
        events = [d.event for d in pending]
        DeliveryAttempt.objects.create(subscription=subscription, first_seq=events[0].seq, last_seq=events[-1].seq,
                                       event_ids=[e.event_id for e in events], outcome="delivered", status=200,
                                       message_id=receipt.message_id)
        subscription.last_delivered_seq = max(subscription.last_delivered_seq, events[-1].seq)
        subscription.last_delivered_at = now
        subscription.last_attempt_at = now
        subscription.failures = 0
        more = Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING).exists()
        subscription.next_attempt_at = now if more else None
        subscription.save(update_fields=["last_delivered_seq", "last_delivered_at", "last_attempt_at", "failures",
                                         "next_attempt_at"])
        # Values are kept only until every subscription has the event.
        done = (ChangeEvent.objects.filter(pk__in=[e.pk for e in events], row__isnull=False)
                .exclude(deliveries__state__in=[Delivery.State.PENDING, Delivery.State.DEAD]))
        ChangeEvent.objects.filter(pk__in=list(done.values_list("pk", flat=True))).update(row=None)
    logger.info("exchange.subscription %s → %s: delivered #%d–#%d (%d events, message %s)",
                subscription.resource.code, subscription.consumer_code, events[0].seq, events[-1].seq, len(events),
                receipt.message_id)
    return {"delivered": len(events), "done": 0 if more else 1}


def _failed(subscription: Subscription, pending: list[Delivery], failure: DeliveryFailed, *,
            policy: DeliveryPolicy) -> dict[str, int]:
    now = timezone.now()
    error = failure.error[:500]
    atomic = nullcontext() if connection.in_atomic_block else transaction.atomic()
    with atomic:
        Delivery.objects.filter(pk__in=[d.pk for d in pending]).update(attempts=F("attempts") + 1, last_error=error)
        events = [d.event for d in pending]
        DeliveryAttempt.objects.create(subscription=subscription, first_seq=events[0].seq, last_seq=events[-1].seq,
                                       event_ids=[e.event_id for e in events], outcome="failed",
                                       status=failure.status, error=error, message_id=failure.message_id)
        subscription.failures += 1
        subscription.last_attempt_at = now
        subscription.last_error, subscription.last_error_at = error, now
        subscription.next_attempt_at = now + timedelta(seconds=policy.delay(subscription.failures))
        dead = _dead_letters_mark(subscription, policy=policy, now=now)
        if dead and Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING).exists():
            # the head is now a dead letter: the events after it go at once, with a fresh back-off
            subscription.failures, subscription.next_attempt_at = 0, now
        subscription.save(update_fields=["failures", "last_attempt_at", "last_error", "last_error_at",
                                         "next_attempt_at"])
    logger.warning("exchange.subscription %s → %s: #%d–#%d failed (%s), try %d, next in %.1f s",
                   subscription.resource.code, subscription.consumer_code, events[0].seq, events[-1].seq, error,
                   subscription.failures, (subscription.next_attempt_at - now).total_seconds())
    return {"failed": 1, "dead": dead}


def _dead_letters_mark(subscription: Subscription, *, policy: DeliveryPolicy, now) -> int:
    """Move the pending deliveries tried ``max_attempts`` times or older than ``max_age`` to the dead letters."""
    pending = Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING)
    dying = (pending.filter(attempts__gte=policy.max_attempts)
             | pending.filter(event__created_at__lt=now - timedelta(seconds=policy.max_age)))
    ids = list(dying.values_list("pk", flat=True))
    if ids:
        Delivery.objects.filter(pk__in=ids).update(state=Delivery.State.DEAD, dead_at=now)
        logger.warning("exchange.subscription %s → %s: %d events are dead letters", subscription.resource.code,
                       subscription.consumer_code, len(ids))
    return len(ids)


def dead_letters_replay(*, actor, subscription: Subscription, delivery_ids: list[int] | None = None) -> int:
    """Make dead letters of ``subscription`` pending again (all, or those of ``delivery_ids``), their
    attempts counted from 0, to be delivered at once in change order with whatever is pending.
    The provider's data steward or operator (or ``SYSTEM``). Audited ``exchange.subscription.replay``.

    Returns:
        The number of deliveries made pending.

    Raises:
        PermissionDenied: the actor may not act for the provider (``rule = "sharing_role"``).
        NotFound: a delivery id that is not a dead letter of this subscription (``field = "deliveries"``).
    """
    if not is_system(actor):
        require_sharing_staff(actor, provider_of(subscription.resource), side="provider", message=_(
            "Only a data steward or operator of the providing organization can replay its dead letters."))
    with transaction.atomic():
        dead = Delivery.objects.select_for_update().filter(subscription=subscription, state=Delivery.State.DEAD)
        if delivery_ids is not None:
            found = set(dead.filter(pk__in=delivery_ids).values_list("pk", flat=True))
            unknown = sorted(set(delivery_ids) - found)
            if unknown:
                raise NotFound(_("These are not dead letters of this subscription."),
                               extra={"field": "deliveries", "ids": unknown})
            dead = dead.filter(pk__in=found)
        count = dead.update(state=Delivery.State.PENDING, attempts=0, dead_at=None)
        if count:
            Subscription.objects.filter(pk=subscription.pk).update(next_attempt_at=timezone.now(), failures=0)
        audit_record(action="exchange.subscription.replay", actor=actor, obj=subscription,
                     organization=provider_of(subscription.resource),
                     summary=f"{count} dead letters of {subscription.resource.code} → "
                             f"{subscription.consumer_code} replayed",
                     changes={"replayed": count})
    return count


# --- receiving (the consumer's side) ----------------------------------------------------------------


def _event_check(event: Any, index: int) -> dict:
    if not isinstance(event, dict):
        raise ValidationFailed(_("An event is an object."), extra={"field": f"events[{index}]", "rule": "shape"})
    try:
        checked = {"id": str(event["id"]), "resource": str(event["resource"]), "seq": int(event["seq"]),
                   "op": event["op"], "key": str(event["key"]), "row": event.get("row")}
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(_("An event has id, resource, seq, op and key."),
                               extra={"field": f"events[{index}]", "rule": "shape"}) from None
    if (checked["op"] not in OPERATIONS or not 0 < len(checked["id"]) <= 32 or not checked["key"]
            or len(checked["key"]) > 200 or checked["seq"] < 1
            or (checked["op"] != "removed" and not isinstance(checked["row"], dict))):
        raise ValidationFailed(_("An event has id, resource, seq, op and key."),
                               extra={"field": f"events[{index}]", "rule": "shape"})
    return checked


def events_receive(*, provider_code: str, events: Any) -> dict:
    """Apply change events from ``provider_code`` (the sender the envelope proved), in order, once.

    A repeated event id is acknowledged and not applied again. An event applies to the consumer's
    copy (``SubscribedRecord``) only when it is later than the change that wrote the record last
    (a replayed dead letter arriving after newer changes is recorded, not applied). One transaction.

    Returns:
        ``{"acknowledged": [event ids, in order], "applied": n, "repeated": m}``.

    Raises:
        ValidationFailed: not a list of events, or an event is malformed (``field = "events[i]"``).
    """
    if not isinstance(events, list) or not events:
        raise ValidationFailed(_("Send the events as a non-empty list."), extra={"field": "events", "rule": "shape"})
    checked = [_event_check(event, index) for index, event in enumerate(events)]
    applied = repeated = 0
    with transaction.atomic():
        known = set(ReceivedEvent.objects.filter(event_id__in=[e["id"] for e in checked])
                    .values_list("event_id", flat=True))
        for event in checked:
            if event["id"] in known:
                repeated += 1
                continue
            known.add(event["id"])
            record = (SubscribedRecord.objects.select_for_update()
                      .filter(provider_code=provider_code, resource_code=event["resource"], record_key=event["key"])
                      .first())
            fresh = record is None or record.seq < event["seq"]
            ReceivedEvent.objects.create(event_id=event["id"], provider_code=provider_code,
                                         resource_code=event["resource"], seq=event["seq"], operation=event["op"],
                                         record_key=event["key"], applied=fresh)
            if not fresh:
                continue
            applied += 1
            removed = event["op"] == "removed"
            data = {} if removed else event["row"]
            if record is None:
                SubscribedRecord.objects.create(provider_code=provider_code, resource_code=event["resource"],
                                                record_key=event["key"], data=data, removed=removed, seq=event["seq"])
            else:
                record.data, record.removed, record.seq = data, removed, event["seq"]
                record.save(update_fields=["data", "removed", "seq", "updated_at"])
    logger.info("exchange.subscription from %s: %d events received, %d applied, %d repeated", provider_code,
                len(checked), applied, repeated)
    return {"acknowledged": [e["id"] for e in checked], "applied": applied, "repeated": repeated}


def local_transport(subscription: Subscription, events: list[dict]) -> Receipt:
    """Deliver in this process, to this database's consumer copy: the platform, which acts for the
    organizations on it (``make demo`` runs no node), as ``exchange_query`` answers in process."""
    answer = events_receive(provider_code=subscription.resource.provider_code, events=events)
    return Receipt(acknowledged=frozenset(answer["acknowledged"]))
