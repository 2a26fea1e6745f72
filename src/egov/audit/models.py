from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log.

    ``seq`` numbers the events 1, 2, 3… without gaps; ``hash`` is SHA-256 (hex) over the canonical
    JSON of every other field, ``prev_hash`` included (``egov.audit.chain.event_hash``), so that an
    edited or removed row breaks the chain at that point. Actor and organization are copied as ids
    and labels, not foreign keys: the log outlives the rows it speaks of, and the audit app depends
    on no other app (it sits just above ``core``).

    On PostgreSQL a trigger refuses UPDATE and DELETE on this table (migration 0002).
    """

    seq = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), editable=False, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    organization_id = models.BigIntegerField(_("organization id"), null=True, blank=True, db_index=True)
    organization_label = models.CharField(_("organization"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
