"""Forms of the supervision (督查督办) and meeting (会议管理) pages. Rules beyond field types are the
actions' (``supervision``, ``meetings``), shown as form errors."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.forms import DateInput, LocalNameChoiceField, LocalNameMultipleChoiceField
from egov.documents.meetings import attendees_parse
from egov.documents.models import SupervisionItem
from egov.orgs.models import Organization

_DATETIME = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
             "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]}


def _organizations():
    return Organization.objects.filter(is_active=True).exclude(kind=Organization.Kind.EXTERNAL).order_by("path")


class SupervisionItemForm(forms.Form):
    supervisor = LocalNameChoiceField(label=_("Supervising organization"), queryset=Organization.objects.none(),
                                        empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    requirement = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
    owner = LocalNameChoiceField(label=_("Owner organization"), queryset=_organizations())
    co_owners = LocalNameMultipleChoiceField(label=_("Co-owners"), queryset=_organizations(), required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 6}))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())
    working_days = forms.IntegerField(label=_("Or: working days from today"), required=False, min_value=1,
                                      max_value=250, help_text=_("Counted on the holiday calendar; today not counted."))

    def __init__(self, *args, supervisors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("deadline") and not cleaned.get("working_days"):
            self.add_error("deadline", _("Give a deadline or a number of working days."))
        elif cleaned.get("deadline") and cleaned.get("working_days"):
            self.add_error("working_days", _("Give either a deadline or a number of working days, not both."))
        owner = cleaned.get("owner")
        if owner is not None and owner in (cleaned.get("co_owners") or []):
            self.add_error("co_owners", _("%(name)s is the owner already; a co-owner is another organization.")
                           % {"name": owner.name})
        return cleaned


class SupervisionFilterForm(forms.Form):
    """Filters of the supervision list; open items by default."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = LocalNameChoiceField(label=_("Owner organization"), queryset=_organizations(), required=False,
                                   empty_label=_("All organizations"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Title or requirement contains"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("open", pgettext_lazy("supervision items", "Open")),
                                         *SupervisionItem.Status.choices,
                                         ("all", pgettext_lazy("supervision items", "All"))]


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    percent = forms.IntegerField(label=_("Percent done"), required=False, min_value=0, max_value=100)
    attachment = forms.FileField(label=_("Attachment"), required=False)


class MeetingForm(forms.Form):
    organizer = LocalNameChoiceField(label=_("Organizer"), queryset=Organization.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), **_DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), **_DATETIME)
    place = forms.CharField(label=pgettext_lazy("meeting", "Place"), max_length=200)
    reply_due = forms.DateTimeField(label=_("Reply by"), **_DATETIME)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("One item a line; the presenter after a ｜, "
                                         "e.g. 通报电子政务建设进展｜市数据局"))
    invited = LocalNameMultipleChoiceField(label=_("Invited organizations"), queryset=_organizations(),
                                             widget=forms.SelectMultiple(attrs={"size": 8}))
    attendees_asked = forms.IntegerField(label=_("Attendees asked of each organization"), min_value=1, max_value=20,
                                         initial=1)
    notice = forms.CharField(label=_("Notice text"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
                             max_length=4000)

    def __init__(self, *args, organizers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers

    def clean_agenda(self) -> str:
        """Every line with a presenter has a topic before its ｜."""
        agenda = self.cleaned_data["agenda"]
        for number, line in enumerate(agenda.splitlines(), start=1):
            topic, _bar, presenter = line.replace("|", "｜").partition("｜")
            if presenter.strip() and not topic.strip():
                raise forms.ValidationError(_("Line %(line)d names a presenter but no topic: %(text)s")
                                            % {"line": number, "text": line.strip()})
        return agenda

    def agenda_rows(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cleaned_data["agenda"].splitlines():
            topic, _bar, presenter = line.replace("|", "｜").partition("｜")
            if topic.strip():
                rows.append((topic.strip(), presenter.strip()))
        return rows


class ReplyForm(forms.Form):
    attending = forms.TypedChoiceField(label=_("Attending"), coerce=lambda value: value == "yes",
                                       choices=[("yes", _("Yes, we attend")), ("no", _("No, we do not attend"))],
                                       widget=forms.RadioSelect)
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text=_("One a line: name, position (e.g. 周洁，办公室主任)"))
    note = forms.CharField(label=pgettext_lazy("meeting reply", "Note"), max_length=500, required=False)

    def attendee_rows(self) -> list[dict]:
        return attendees_parse(self.cleaned_data.get("attendees", ""))
