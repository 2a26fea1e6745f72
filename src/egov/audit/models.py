from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log.

    ``seq`` numbers the events 1, 2, 3… without gaps; ``hash`` is SHA-256 (hex) over the canonical
    JSON of every other field, ``prev_hash`` included (``egov.audit.chain.event_hash``), so that an
    edited or removed row breaks the chain at that point. Actor and organization are copied as ids
    and labels, not foreign keys: the log outlives the rows it speaks of, and the audit app depends
    on no other app (it sits just above ``core``).

    On PostgreSQL a trigger refuses UPDATE and DELETE on this table (migration 0002), and the table
    is partitioned by month of ``occurred_at`` (migration 0004, ``egov.audit.partitions``): its
    primary key is ``(id, occurred_at)`` and ``seq`` and ``hash`` are unique together with
    ``occurred_at`` there (PostgreSQL's rule for partitioned tables); appends are serialized by the
    chain lock, and ``egov audit verify`` checks that seq runs without gaps or repeats.
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


class AuditCheckpoint(models.Model):
    """The chain's head at the end of one month (one partition of the log): the last event's ``seq``
    and ``hash``, recorded once the month is over (``archive.audit_checkpoints_record``) and
    appended to the anchor file with a timestamp token like any anchor.

    The remaining chain verifies from the newest archived month's checkpoint (``last_hash`` is the
    ``prev_hash`` of the next month's first event); an archive file verifies on its own against its
    checkpoint (``archive.audit_archive_verify``). ``prev_hash`` is the hash before ``first_seq``
    (the previous checkpoint's, or the genesis hash). ``archived_at``, ``archive_name`` and
    ``archive_sha256`` (SHA-256 hex of the archive file) are set when the month's partition is
    written out and detached (``egov audit archive``).
    """

    month = models.DateField(_("month"), unique=True)
    first_seq = models.BigIntegerField(_("first event"))
    last_seq = models.BigIntegerField(_("last event"))
    count = models.BigIntegerField(_("events"))
    prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"))
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archive_name = models.CharField(_("archive file"), max_length=300, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.first_seq}-{self.last_seq}"


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
