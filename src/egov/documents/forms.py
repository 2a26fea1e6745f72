"""Forms of the drafting pages. Validation beyond field types is the actions' (shown as form errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.documents.models import Classification, Direction, Kind, Urgency
from egov.orgs.models import Organization


def _organizations():
    return Organization.objects.filter(is_active=True).order_by("path")


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind (文种)"), choices=Kind.choices)
    title = forms.CharField(label=_("Title (标题)"), max_length=300)
    direction = forms.ChoiceField(label=_("Direction (行文方向)"), choices=[("", "—"), *Direction.choices],
                                  required=False)
    classification = forms.ChoiceField(
        label=_("Classification (密级)"), choices=Classification.choices, initial=Classification.PUBLIC,
        help_text=_("This system is not for classified information (秘密, 机密, 绝密)."))
    urgency = forms.ChoiceField(label=_("Urgency (紧急程度)"), choices=Urgency.choices, required=False)
    copy_number = forms.CharField(label=_("Copy number (份号)"), max_length=6, required=False)
    main_to = forms.ModelMultipleChoiceField(label=_("Main recipients (主送机关)"), queryset=_organizations(),
                                             required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    main_to_text = forms.CharField(label=_("Main recipients as written (主送)"), max_length=500, required=False,
                                   help_text=_("e.g. 各市（县）区人民政府，市各委办局，市各直属单位"))
    body = forms.CharField(label=_("Body (正文)"), widget=forms.Textarea(attrs={"rows": 18}), required=False,
                           help_text=_("Headings: 一、 （一） 1. （1） at the start of a paragraph."))
    signature = forms.CharField(label=_("Issuer's signature (发文机关署名)"), max_length=300, required=False)
    written_on = forms.DateField(label=_("Date written (成文日期)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note (附注)"), max_length=300, required=False)
    copy_to = forms.ModelMultipleChoiceField(label=_("Copies to (抄送机关)"), queryset=_organizations(),
                                             required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    copy_to_text = forms.CharField(label=_("Copies to, as written (抄送)"), max_length=500, required=False)
    printer = forms.ModelChoiceField(label=_("Printed by (印发机关)"), queryset=_organizations(), required=False)

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issuers is not None:
            self.fields["issuer"] = forms.ModelChoiceField(label=_("Issuing organization (发文机关)"),
                                                           queryset=issuers, empty_label=None)
            self.order_fields(["issuer"])

    @classmethod
    def initial_for(cls, document) -> dict:
        recipients = list(document.recipients.all())
        return {
            "kind": document.kind, "title": document.title, "direction": document.direction,
            "classification": document.classification, "urgency": document.urgency,
            "copy_number": document.copy_number, "body": document.body_html, "signature": document.signature,
            "written_on": document.written_on, "note": document.note, "main_to_text": document.main_to_text,
            "copy_to_text": document.copy_to_text, "printer": document.printer,
            "main_to": [r.organization_id for r in recipients if r.kind == "main" and r.organization_id],
            "copy_to": [r.organization_id for r in recipients if r.kind == "copy" and r.organization_id],
        }


class AttachmentForm(forms.Form):
    name = forms.CharField(label=_("Attachment name (附件名称)"), max_length=200)
    file = forms.FileField(label=_("File"))
