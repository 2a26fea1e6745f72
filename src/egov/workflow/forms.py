"""The generic answer form of a task, built from the task's definition properties."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.orgs.selectors import organization_tree
from egov.workflow.engine import decision_options
from egov.workflow.models import WorkTask

MAX_OPINION = 2000


class TaskAnswerForm(forms.Form):
    """Fields: the task's decision (radio buttons) if it has one, the organizations to involve if it
    names an ``organizations_field``, and a free-text opinion (审查意见)."""

    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=MAX_OPINION,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, task: WorkTask, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        field = task.properties.get("decision_field")
        if field:
            self.fields[field] = forms.ChoiceField(label=_("Decision"), choices=decision_options(task.properties),
                                                   widget=forms.RadioSelect)
            self.order_fields([field])
        field = task.properties.get("organizations_field")
        if field:
            self.fields[field] = forms.MultipleChoiceField(
                label=_("Organizations to consult (joint review)"), required=False,
                choices=[(str(o.pk), o.local_name) for o in organization_tree() if o.pk != task.instance.owner_id],
                widget=forms.CheckboxSelectMultiple,
            )

    def answer(self) -> dict:
        """The cleaned answer as the action takes it (organization ids as integers)."""
        data = {key: value for key, value in self.cleaned_data.items() if value not in ("", None)}
        field = self.task.properties.get("organizations_field")
        if field:
            data[field] = [int(value) for value in self.cleaned_data.get(field) or []]
        return data
