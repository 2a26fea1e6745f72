"""Forms of the credit pages: the public 信用公示 search, the staff forms for a 行政处罚 and a list membership,
objections and repair applications and their answers."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.forms import DateInput, LocalNameChoiceField
from egov.credit.models import Kind, Severity, SubjectKind
from egov.orgs.models import Organization


class PublicSearchForm(forms.Form):
    """信用公示 search on the public site: a name, a unified social credit code or a resident ID."""

    q = forms.CharField(
        label=_("Name, unified social credit code or resident ID number"),
        required=False,
        max_length=100,
        help_text=_("A code finds exactly its subject; a person's name and ID number are shown masked."),
    )


class RecordForm(forms.Form):
    """The fields every record entered by staff has (``actions.record_enter``): the deciding organization
    among the staff member's (``providers``), the subject, the decision document and date, the legal basis
    and the facts, in Chinese with optional English beside them. ``PenaltyForm`` and ``ListingForm`` add
    what their kinds need."""

    provider = LocalNameChoiceField(label=_("Deciding organization"), queryset=Organization.objects.none())
    subject_kind = forms.ChoiceField(label=_("The subject is"), choices=SubjectKind.choices, widget=forms.RadioSelect)
    subject_code = forms.CharField(
        label=_("Unified social credit code or resident ID number"),
        max_length=18,
        help_text=_("18 characters. The subject is matched against the base registers."),
    )
    subject_name = forms.CharField(label=_("Name of the subject"), max_length=200)
    decision_document = forms.CharField(
        label=_("Decision document number"), max_length=100, help_text=_("For example: 锡市监罚〔2026〕12号")
    )
    decided_on = forms.DateField(label=_("Decision date"), widget=DateInput())
    legal_basis = forms.CharField(
        label=pgettext_lazy("credit legal basis", "Legal basis"), widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis_en = forms.CharField(
        label=_("Legal basis in English"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0].pk


class PenaltyForm(RecordForm):
    """A 行政处罚 decided by one of the staff member's organizations (kind ``penalty``), with its severity."""

    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        widget=forms.RadioSelect,
        help_text=_("It sets the publication period: general 3 months to 1 year, serious 1 to 3 years."),
    )
    facts = forms.CharField(
        label=_("Facts and penalty"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the subject did and the penalty imposed, as published."),
    )
    facts_en = forms.CharField(
        label=_("Facts and penalty in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["provider", "subject_kind", "subject_code", "subject_name", "severity"]


# The lists a staff member may put a subject on from the page (``models.LIST_KINDS``), in this order.
LISTING_KINDS = [Kind.SERIOUS, Kind.ABNORMAL, Kind.RED]


class ListingForm(RecordForm):
    """A list membership decided by one of the staff member's organizations: 严重失信主体名单, 经营异常名录
    or 红名单, with the reasons and the measures the membership carries (required: the subject is told
    them, 国办发〔2020〕49号 (八))."""

    kind = forms.ChoiceField(
        label=_("List"),
        choices=[(kind.value, kind.label) for kind in LISTING_KINDS],
        widget=forms.RadioSelect,
    )
    facts = forms.CharField(
        label=_("Reasons for the listing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The conduct found (or, for the red list, the merit), as published."),
    )
    facts_en = forms.CharField(
        label=_("Reasons for the listing in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=_("Measures"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The restrictions (or, for the red list, the incentives) the membership carries."),
    )
    measures_en = forms.CharField(
        label=_("Measures in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["kind", "provider"]


class RequestForm(forms.Form):
    """An objection (异议) or a credit repair application (信用修复) by the record's subject."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong with the record, or how the conduct was corrected."),
    )
    attachment = forms.FileField(
        label=_("Supporting document (optional)"),
        required=False,
        help_text=_("PDF, JPEG, PNG or OFD."),
    )


class DecideForm(forms.Form):
    """The credit office's answer to an objection or a repair application, with its reasons."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))


class PeriodFields(forms.Form):
    """A report's period, both days included; empty: the last years to today (``reports.default_years``)."""

    period_from = forms.DateField(label=_("Period from"), required=False, widget=DateInput())
    period_to = forms.DateField(
        label=_("Period to"), required=False, widget=DateInput(), help_text=_("Empty: the last 3 years to today.")
    )


class ReportSelfForm(PeriodFields):
    """A subject asks for its own credit report: which of the subjects it speaks for, and the period."""

    # A text field shown as radios: a code outside the choices reaches the action, which refuses it with a 403
    # (issue 16 "Bad input"), rather than a form error that would hide the refusal.
    subject = forms.CharField(label=_("Report on"), max_length=18, widget=forms.RadioSelect)

    field_order = ["subject", "period_from", "period_to"]

    def __init__(self, *args, subjects: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].widget.choices = subjects
        if len(subjects) == 1:
            self.fields["subject"].initial = subjects[0][0]


class StaffCheckFields(forms.Form):
    """On whose behalf and why a staff member asks (a report or a batch check)."""

    organization = LocalNameChoiceField(label=_("On behalf of"), queryset=Organization.objects.none())
    purpose = forms.CharField(
        label=pgettext_lazy("credit report", "Purpose"),
        max_length=200,
        help_text=_("Stated on the sealed result and shown to the subject, e.g. a procurement's name."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk


class ReportStaffForm(StaffCheckFields, PeriodFields):
    """A staff member asks for a credit report on a named subject for a stated purpose."""

    subject = forms.CharField(label=_("Unified social credit code or resident ID number"), max_length=18)

    field_order = ["organization", "subject", "purpose", "period_from", "period_to"]


class BatchCheckForm(StaffCheckFields):
    """A batch check: the codes typed one per line, or a CSV file whose first column holds them."""

    subjects = forms.CharField(
        label=_("Subjects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("One unified social credit code or resident ID number per line, at most 500."),
    )
    file = forms.FileField(
        label=_("Or a CSV file (optional)"),
        required=False,
        help_text=_("UTF-8; the codes in the first column; a header line is skipped."),
    )

    field_order = ["organization", "purpose", "subjects", "file"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        text = data.get("subjects") or ""
        if upload:
            try:
                text = upload.read(1024 * 1024).decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
        data["text"] = text
        return data


class ImportForm(forms.Form):
    """A file of the deciding organization's records (``imports.records_import``), the organization among the
    staff member's (``providers``)."""

    provider = LocalNameChoiceField(label=_("Deciding organization"), queryset=Organization.objects.none())
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GB 18030) or XLSX, one record a row, with a header row of the Chinese column names "
            "or the English field names."
        ),
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0].pk
