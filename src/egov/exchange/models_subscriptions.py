"""Subscriptions (订阅): a consumer organization receives a resource's changes (rows added, changed,
removed), delivered node to node at least once, in order per resource per subscriber.

Provider side: ``Subscription`` (with its delivery status), ``ChangeEvent`` (the outbox: one row per
change, numbered ``seq`` per resource without gaps), ``Delivery`` (one per subscription and event:
pending, delivered or dead — the dead-letter list), ``DeliveryAttempt`` (every try, without the
row's values) and ``ChangeCursor`` (where a poller of a source's change column got to).
Consumer side: ``ReceivedEvent`` (every event id received: a repeat is acknowledged, not applied
twice) and ``SubscribedRecord`` (the rows as applied: the consumer's copy).

Imported by ``models.py``; organizations appear by unified social credit code, as there.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Subscription(models.Model):
    """A consumer's subscription to a resource's changes, and its delivery status.

    ``last_delivered_seq`` is the resource's change number delivered last; ``next_attempt_at`` when
    the oldest pending delivery is tried next (None: nothing pending); ``failures`` the failed tries
    in a row (the back-off's exponent, 0 after a success); ``last_error`` the last failure (kept
    after a success, with ``last_error_at``, for the operator).
    """

    resource = models.ForeignKey("exchange.InformationResource", verbose_name=_("information resource"),
                                 on_delete=models.PROTECT, related_name="subscriptions")
    consumer_code = models.CharField(_("consumer code"), max_length=18, db_index=True)  # USCC
    consumer_name = models.CharField(_("consumer"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    last_delivered_seq = models.PositiveBigIntegerField(_("last change delivered"), default=0)
    last_delivered_at = models.DateTimeField(_("last delivered at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["resource__code", "consumer_code"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "consumer_code"], condition=models.Q(cancelled_at__isnull=True),
                                    name="exchange_subscription_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_name} ← {self.resource_id}"

    @property
    def local_consumer_name(self) -> str:
        """The consumer's name in the active language (as ``SharingGrant.local_consumer_name``)."""
        from egov.core.i18n import english
        from egov.orgs.models import Organization

        if not english():
            return self.consumer_name
        organization = Organization.objects.filter(uscc=self.consumer_code).only("name", "name_en").first()
        return organization.local_name if organization else self.consumer_name


class ChangeEvent(models.Model):
    """One change of a resource's rows (the outbox). ``row`` holds the values (every item; each
    subscriber receives its granted ones) until every subscription has the event, then it is
    emptied: the event stays as a record of what changed, without the values."""

    class Operation(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", pgettext_lazy("subscription", "Changed")
        REMOVED = "removed", _("Removed")

    class Origin(models.TextChoices):
        PUSH = "push", _("Pushed by the provider")
        POLL = "poll", _("Read from the source's change column")

    event_id = models.CharField(_("event id"), max_length=32, unique=True)  # 128 random bits, hex
    resource = models.ForeignKey("exchange.InformationResource", on_delete=models.PROTECT, related_name="changes")
    seq = models.PositiveBigIntegerField(_("change number"))  # per resource, from 1, without gaps
    operation = models.CharField(_("change"), max_length=10, choices=Operation.choices)
    record_key = models.CharField(_("record key"), max_length=200)
    row = models.JSONField(null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    created_at = models.DateTimeField(_("produced at"), auto_now_add=True)

    class Meta:
        ordering = ["resource_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["resource", "seq"], name="exchange_change_seq_once")]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.seq} {self.operation}"


class Delivery(models.Model):
    """One event for one subscription. ``dead`` is the dead-letter list (after
    ``EGOV_SUBSCRIPTION_MAX_ATTEMPTS`` tries or ``EGOV_SUBSCRIPTION_MAX_AGE`` seconds); a replay
    makes it pending again."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", pgettext_lazy("subscription", "Delivered")
        DEAD = "dead", _("Dead letter")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(ChangeEvent, on_delete=models.PROTECT, related_name="deliveries")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("dead since"), null=True, blank=True)

    class Meta:
        ordering = ["subscription_id", "event__seq"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="exchange_delivery_once")]
        indexes = [models.Index(fields=["subscription", "state", "event"], name="exchange_delivery_due")]

    def __str__(self) -> str:
        return f"{self.subscription_id}/{self.event_id} {self.state}"


class DeliveryAttempt(models.Model):
    """One try to deliver events to a subscriber (no values: the events by id, the outcome)."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", pgettext_lazy("subscription", "Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField()
    event_ids = models.JSONField(default=list)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    status = models.PositiveSmallIntegerField(default=0)  # the receiver's HTTP status (0: not reached)
    error = models.CharField(_("error"), max_length=500, blank=True)
    message_id = models.CharField(max_length=64, blank=True)  # the request in the message log, when sent

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subscription_id} #{self.first_seq}–#{self.last_seq} {self.outcome}"


class ChangeCursor(models.Model):
    """Where the poller ``name`` (a resource's change source) got to: the source's own cursor."""

    name = models.CharField(max_length=100, unique=True)
    resource = models.ForeignKey("exchange.InformationResource", on_delete=models.CASCADE, related_name="+")
    cursor = models.TextField(blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class ReceivedEvent(models.Model):
    """A change event this node received (consumer side): ``event_id`` once only. ``applied`` is
    false when the record already held a later change (a replayed dead letter arriving late)."""

    event_id = models.CharField(max_length=32, unique=True)
    provider_code = models.CharField(max_length=18)
    resource_code = models.CharField(max_length=60)
    seq = models.PositiveBigIntegerField()
    operation = models.CharField(max_length=10, choices=ChangeEvent.Operation.choices)
    record_key = models.CharField(max_length=200)
    applied = models.BooleanField(default=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["provider_code", "resource_code", "seq"], name="exchange_received_seq")]

    def __str__(self) -> str:
        return f"{self.resource_code}#{self.seq} {self.operation}"


class SubscribedRecord(models.Model):
    """The consumer's copy of one subscribed record, as the changes left it (granted items only). A
    removed record stays, ``removed`` and without data, so that an older change arriving later
    (a replayed dead letter) does not bring it back."""

    provider_code = models.CharField(max_length=18)
    resource_code = models.CharField(max_length=60)
    record_key = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    removed = models.BooleanField(default=False)
    seq = models.PositiveBigIntegerField()  # the change that wrote it last
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider_code", "resource_code", "record_key"]
        constraints = [models.UniqueConstraint(fields=["provider_code", "resource_code", "record_key"],
                                               name="exchange_subscribed_record_once")]

    def __str__(self) -> str:
        return f"{self.resource_code} {self.record_key}"
