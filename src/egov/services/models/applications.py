"""Online applications (办件): the case, its materials, its timeline, its supplement request, and the
counters behind tracking numbers (办件编号).

A case's status changes only through ``egov.services.actions.lifecycle`` (one transition table); its
workflow (``workflow.ProcessInstance``) holds the inbox tasks, the case deadline and the clock.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from egov.core.i18n import pick_key, series
from egov.facilities.models import StoredFile
from egov.orgs.models import Organization
from egov.services.models.catalog import Material, ServiceItem
from egov.workflow.models import ClockPause


class ApplicationStatus(models.TextChoices):
    """Where a case stands (GLOSSARY "statuses"); each value but the ends names the step it waits at."""

    SUBMITTED = "submitted", _("Submitted")  # 已提交: waits for 接件
    RECEIVED = "received", pgettext_lazy("case status", "Received")  # 已接件: waits for 受理 / 不予受理 / 补正
    SUPPLEMENT = "supplement", _("Supplement requested")  # 待补正: the applicant owes materials; clock stopped
    SUPPLIED = "supplied", _("Supplement submitted")  # 已补正: the clerk checks what arrived
    NOT_ACCEPTED = "not_accepted", _("Not accepted")  # 不予受理 (end)
    ACCEPTED = "accepted", _("Accepted")  # 已受理: under review (审查)
    JOINT_REVIEW = "joint_review", _("Joint review")  # 并联审查中
    SPECIAL_PROCEDURE = "special_procedure", _("Special procedure")  # 特别程序 (§45): clock stopped
    REVIEWED = "reviewed", _("Awaiting decision")  # 审查完毕, 待决定
    APPROVED = "approved", _("Approved")  # 准予许可
    DENIED = "denied", _("Denied")  # 不予许可
    CONCLUDED = "concluded", _("Concluded")  # 办结
    DELIVERED = "delivered", _("Delivered")  # 已送达 (end)
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回 (end)


QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from paper


def query_code_new() -> str:
    """8 random characters of ``QUERY_CODE_ALPHABET`` (about 40 bits), in two groups: ``K7QM-3XRA``."""
    raw = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class Decision(models.TextChoices):
    """The decision on a case (决定), kept after 办结 for the published result."""

    APPROVED = "approved", _("Approved")  # 准予许可
    DENIED = "denied", _("Denied")  # 不予许可


class Application(models.Model):
    """One case of one service item by one applicant (办件).

    ``applicant`` is the account the case belongs to: a natural person, or a legal person; when an
    agent (经办人) applied for a legal person, ``submitted_by`` is the agent's account (otherwise the
    applicant's own). ``idempotency_key`` is unique per applicant: submitting again with the same
    key and the same content gives back the same case; ``request_digest`` (SHA-256 of item, form
    and files) tells a true repeat from other content sent under a reused key. ``number`` is the
    tracking number (``egov.services.actions.numbers``).
    ``special_resume_status`` remembers the status a special procedure interrupted. ``query_code``
    is given to the applicant with the tracking number: with both, anyone may follow the case
    without signing in (``egov.services.publication.application_track``).
    The case deadline, the clock and its pauses live on ``process`` (``workflow.ProcessInstance``).
    """

    number = models.CharField(_("tracking number"), max_length=32, unique=True)
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT,
                             related_name="applications")
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("implementing organization"),
                                     on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="applications")
    applicant_name = models.CharField(_("applicant name"), max_length=200, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED, db_index=True)
    special_resume_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    process = models.OneToOneField("workflow.ProcessInstance", verbose_name=_("process"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)  # of 不予受理 / 不予许可, shown to the applicant
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    query_code = models.CharField(_("query code"), max_length=9, default=query_code_new)
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    # 免提交 (``services.once_only``): {"register": the applicant's register row as fetched at
    # submission, or {"error": reason}; "materials": {material id: the record fetched in its place}}.
    once_only = models.JSONField(_("data fetched through the exchange"), default=dict, blank=True)
    # The intake record this case was made of (外网受理): unique, so a replayed record never makes two.
    intake = models.OneToOneField("services.IntakeRecord", verbose_name=_("intake record"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="application")

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "idempotency_key"], name="application_idempotency_key"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number

    def staff_url(self) -> str:
        """The staff case page, where every step of this case is done (the workflow's task pages
        send staff there)."""
        from django.urls import reverse

        return reverse("services_staff:case", args=[self.number])


class ApplicationMaterial(models.Model):
    """One file handed in for one catalogue material of a case; the newest per material counts.

    ``supplement`` marks files uploaded in answer to a 补正 request.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey(StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+")
    supplement = models.BooleanField(_("supplement"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "material__sort_order", "-uploaded_at", "-pk"]
        verbose_name = _("application material")
        verbose_name_plural = _("application materials")

    def __str__(self) -> str:
        return f"{self.application} · {self.material}"


# Notes the platform itself writes on a timeline, kept as a key and arguments and put into words in
# the language of whoever reads them (an English page must not show the Chinese of the moment).
TIMELINE_NOTES = {
    "due_by": gettext_noop("To be decided by %(date)s."),
    "special_procedure": gettext_noop("%(procedure)s: %(reason)s"),
    "not_counted": gettext_noop("%(days)d working days not counted; to be decided by %(date)s."),
    # the materials asked for again (ids, named in the reader's language) and the clerk's own words
    "supplement": gettext_noop("%(materials)s. %(note)s"),
    # the organizations asked for a joint review (ids, named in the reader's language)
    "joint_review": gettext_noop("Joint review by %(organizations)s"),
    # the clerk's decision on the applicant's black-list memberships (``services.sanctions``): ``lists``
    # [{"name", "name_en", "provider", "provider_en", "document"}], worded in the reader's language
    "credit_accept": gettext_noop("Listed: %(lists)s. Accepted despite the listing: %(reasons)s"),
    "credit_refuse": gettext_noop("Listed: %(lists)s. Not accepted under the listing's measures."),
}


class ApplicationEvent(models.Model):
    """One line of the case timeline that the applicant sees (办件进度).

    ``by`` is who acted as the applicant should read it (the applicant, or the organization; staff
    names are not shown); when an organization acted it is ``organization`` too, and pages name it
    in the reader's language (``local_by``). ``note`` is what the applicant is told in someone's own
    words (reasons, what to supplement); a note of the platform's is ``note_key`` (in
    ``TIMELINE_NOTES``) with ``note_args``, worded when shown (``note_text``).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    move = models.CharField(_("step"), max_length=30)
    status_from = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    by = models.CharField(_("by"), max_length=200)
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("by organization"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    note_key = models.CharField(max_length=30, blank=True)
    note_args = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application} {self.move} → {self.status_to}"

    @property
    def local_by(self) -> str:
        """Who acted, in the active language: the organization's name (``local_name``) when an
        organization acted, else ``by`` as written (a person's name)."""
        return self.organization.local_name if self.organization_id else self.by

    def note_text(self) -> str:
        """The note in the active language: the platform's note worded now, or the typed note."""
        if self.note_key in TIMELINE_NOTES:
            return timeline_note(self.note_key, self.note_args)
        return self.note


def timeline_note(key: str, args: dict) -> str:
    """``TIMELINE_NOTES[key]`` in the active language with ``args``; a special procedure's code
    (``ClockPause.Reason``) is given as its label, ``materials`` and ``organizations`` (lists of
    ids) as their names in the active language listed in its way (``core.i18n.series``), ``lists`` (credit
    lists with their deciding organizations and documents) likewise."""
    values = dict(args)
    if "procedure" in values and values["procedure"] in ClockPause.Reason.values:
        values["procedure"] = ClockPause.Reason(values["procedure"]).label
    if "materials" in values:
        materials = Material.objects.in_bulk(values["materials"])
        values["materials"] = series(materials[pk].local_name for pk in values["materials"] if pk in materials)
    if "organizations" in values:
        organizations = Organization.objects.in_bulk(values["organizations"])
        values["organizations"] = series(organizations[pk].local_name for pk in values["organizations"]
                                         if pk in organizations)
    if "lists" in values:
        values["lists"] = series(
            gettext("%(list)s (%(organization)s, %(document)s)")
            % {"list": pick_key(entry, "name"), "organization": pick_key(entry, "provider"),
               "document": entry.get("document", "")}
            for entry in values["lists"])
    return gettext(TIMELINE_NOTES[key]) % values


class SupplementRequest(models.Model):
    """The one request for supplementary materials of a case (一次性告知补正, 行政许可法 §32).

    ``materials`` are the catalogue materials asked for again; ``note`` says what is wrong or missing.
    """

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="supplement_request")
    materials = models.ManyToManyField(Material, verbose_name=_("materials asked for"), related_name="+")
    note = models.TextField(_("what is missing"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")

    def __str__(self) -> str:
        return f"{self.application} 补正"


class OrganizationCaseCode(models.Model):
    """The 9-digit prefix of an organization's tracking numbers: its division code (GB/T 2260) and a
    3-digit sequence within that division, given on the organization's first case and kept."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=9, unique=True)

    class Meta:
        verbose_name = _("organization case code")
        verbose_name_plural = _("organization case codes")

    def __str__(self) -> str:
        return self.code


class TrackingNumberCounter(models.Model):
    """The last number given in one scope (an organization's day, or a division's organizations).

    Rows are locked ``FOR UPDATE`` while a number is taken, so concurrent submissions get
    consecutive numbers and none twice.
    """

    scope = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tracking number counter")
        verbose_name_plural = _("tracking number counters")

    def __str__(self) -> str:
        return f"{self.scope}: {self.value}"
