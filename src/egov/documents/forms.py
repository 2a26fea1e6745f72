"""Forms of the drafting pages. Validation beyond field types is the actions' (shown as form errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import DateInput, LocalNameChoiceField, LocalNameMultipleChoiceField
from egov.documents.body import body_for_editing
from egov.documents.models import Classification, Direction, Disclosure, Kind, Urgency
from egov.documents.rules import TITLE_MAX
from egov.orgs.models import Organization
from egov.trust.models import Seal


def _organizations():
    return Organization.objects.filter(is_active=True).exclude(kind=Organization.Kind.EXTERNAL).order_by("path")


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, error_messages={"max_length": _(
        "A title of an official document has at most %(limit_value)d characters (GB/T 9704-2012 §7.3.1); "
        "this one has %(show_value)d.")})
    direction = forms.ChoiceField(label=_("Direction"), choices=[("", "—"), *Direction.choices],
                                  required=False)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.PUBLIC,
        help_text=_("This system is not for classified information (secret, confidential, top secret)."))
    disclosure = forms.ChoiceField(
        label=_("Disclosure"), choices=[("", "—"), *[(v, label) for v, label in Disclosure.choices if v]],
        help_text=_("主动公开: published on the public site when issued (《政府信息公开条例》第十九条、第二十条); "
                    "can be changed until the document is signed off."))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    copy_number = forms.CharField(label=_("Copy number"), max_length=6, required=False)
    main_to = LocalNameMultipleChoiceField(label=_("Main recipients"), queryset=_organizations(),
                                             required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    main_to_text = forms.CharField(label=_("Main recipients as written"), max_length=500, required=False,
                                   help_text=_("e.g. 各市（县）区人民政府，市各委办局，市各直属单位"))
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 18}), required=False,
                           help_text=_("Headings: 一、 （一） 1. （1） at the start of a paragraph."))
    signature = forms.CharField(label=_("Issuer's signature"), max_length=300, required=False)
    written_on = forms.DateField(label=_("Date written"), required=False,
                                 widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    copy_to = LocalNameMultipleChoiceField(label=_("Copies to"), queryset=_organizations(),
                                             required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    copy_to_text = forms.CharField(label=_("Copies to, as written"), max_length=500, required=False)
    printer = LocalNameChoiceField(label=_("Printed by"), queryset=_organizations(), required=False)
    countersigners = LocalNameMultipleChoiceField(
        label=_("Countersigning organizations (会签)"), queryset=_organizations(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Organizations other than the issuer that countersign before 签发 (送会签 at 核稿)."))

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issuers is not None:
            self.fields["issuer"] = LocalNameChoiceField(label=_("Issuing organization"),
                                                           queryset=issuers, empty_label=None)
            self.order_fields(["issuer"])

    @classmethod
    def initial_for(cls, document) -> dict:
        recipients = list(document.recipients.all())
        return {
            "kind": document.kind, "title": document.title, "direction": document.direction,
            "classification": document.classification, "disclosure": document.disclosure, "urgency": document.urgency,
            "copy_number": document.copy_number, "body": body_for_editing(document.body_html),
            "signature": document.signature,
            "written_on": document.written_on, "note": document.note, "main_to_text": document.main_to_text,
            "copy_to_text": document.copy_to_text, "printer": document.printer,
            "main_to": [r.organization_id for r in recipients if r.kind == "main" and r.organization_id],
            "copy_to": [r.organization_id for r in recipients if r.kind == "copy" and r.organization_id],
            "countersigners": list(document.countersigners.values_list("pk", flat=True)) if document.pk else [],
        }


class AttachmentForm(forms.Form):
    name = forms.CharField(label=_("Attachment name"), max_length=200)
    file = forms.FileField(label=_("File"))


class StepOpinionForm(forms.Form):
    """The opinion written with a step (核稿意见, 签发意见, the reason of a 退回); the action decides
    whether the step needs one."""

    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class SealChoiceForm(forms.Form):
    """用印: one of the seals the user may use (``selectors.document_seals_usable``)."""

    seal = forms.ModelChoiceField(label=_("Seal"), queryset=Seal.objects.none(), widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose the seal to use."),
                                                  "invalid_choice": _("Choose one of the seals you may use.")})

    def __init__(self, *args, seals: list[Seal], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seal"].queryset = Seal.objects.filter(pk__in=[seal.pk for seal in seals])
        if len(seals) == 1:
            self.fields["seal"].initial = seals[0].pk
