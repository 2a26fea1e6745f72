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


class SubjectRead(models.Model):
    """One read of a data subject's personal data (数据使用记录): the row "who read my data" shows
    to the natural or legal person it is about, found by their identifier through an index.

    Written by ``audit.actions.audit_subject_read`` next to the read's ``AuditEvent`` (same
    transaction; ``event_seq`` names it when known), never edited. ``subject`` is a keyed digest
    (``audit.actions.subject_key``: HMAC-SHA256, hex) of the person's resident ID number (居民身份证号码,
    GB 11643) or the enterprise's unified social credit code (GB 32100), never the identifier itself
    (as the audit log never holds it); ``subject_kind`` says which. The reader is copied as id and label, as
    in the audit log; ``fields`` are the 信息项 read, ``[[field, name, name_en], ...]``; ``case``
    the 办件编号 (or other purpose line) the read served and ``basis`` its legal basis.

    Reads recorded before this table existed are not copied in: their 信息项 and subject were not
    recorded (docs/exchange.md, "Who read my data").
    """

    class SubjectKind(models.TextChoices):
        NATURAL = "natural", _("natural person")
        LEGAL = "legal", _("legal person")

    occurred_at = models.DateTimeField(_("time"))
    subject_kind = models.CharField(_("subject kind"), max_length=10, choices=SubjectKind.choices)
    subject = models.CharField(_("data subject"), max_length=64)
    organization_id = models.BigIntegerField(_("organization id"), null=True, blank=True)
    organization_label = models.CharField(_("organization"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100)
    resource_code = models.CharField(_("resource"), max_length=64, blank=True)
    resource_name = models.CharField(_("resource name"), max_length=200, blank=True)
    resource_name_en = models.CharField(_("resource name (English)"), max_length=200, blank=True)
    fields = models.JSONField(_("information items"), default=list, blank=True)
    case = models.CharField(_("case"), max_length=200, blank=True)
    basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    via = models.CharField(_("channel"), max_length=20, blank=True)
    event_seq = models.BigIntegerField(_("audit event"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-occurred_at"], name="subjectread_subject_time"),
            models.Index(fields=["organization_id", "-occurred_at"], name="subjectread_org_time"),
            # A provider's page of who read its resource (exchange.traffic_selectors.resource_reads).
            models.Index(fields=["resource_code", "-occurred_at"], name="subjectread_resource_time"),
        ]
        verbose_name = _("read of personal data")
        verbose_name_plural = _("reads of personal data")

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject} by {self.organization_label} at {self.occurred_at}"
