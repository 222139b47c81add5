"""The form that names a saved search and sets its alerts (saving, renaming, alert setting)."""

from __future__ import annotations

from django import forms

from accounts.inputs import InputModelForm

from .models import NAME_MAX, SavedSearch


class SavedSearchForm(InputModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "alert"]
        widgets = {"alert": forms.RadioSelect}
        labels = {"name": "Name of the search", "alert": "Mail me when a case newly matches or changes"}
        help_texts = {
            "name": f"Up to {NAME_MAX} characters; only you see it.",
            "alert": "The mail names report numbers and links only. A daily digest comes each morning.",
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["name"].strip = True
        self.fields["alert"].choices = SavedSearch.Alert.choices

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the search a name.")
        taken = SavedSearch.objects.filter(owner=self.owner, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"You already have a saved search called “{name}”. Choose another name.")
        return name
