from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VerifyForm(forms.Form):
    """Check a signed document: upload the PDF, or type the verification code printed on it."""

    file = forms.FileField(label=_("Signed PDF file"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    code = forms.CharField(label=pgettext_lazy("document", "Verification code"), required=False, max_length=30,
                           help_text=_("The code printed under the QR code, e.g. 7K3M-Q9XA-0H2B-T4EW."))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("code") or "").strip():
            raise forms.ValidationError(_("Choose a PDF file or enter a verification code."))
        return cleaned
