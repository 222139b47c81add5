"""The form that records (or corrects) a contact with a person at risk."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from accounts.inputs import InputForm

from .risk_models import RISK_NOTE_MAX, RiskContact


class RiskContactForm(InputForm):
    """Which shooting (when the person is at risk after more than one), the kind `user` may
    record, the date (not in the future, not before the shooting), with whom, the outcome, a note.
    `shootings` are those the person is at risk after, as the viewer sees them: (id, report
    number, the local day it happened)."""

    shooting = forms.TypedChoiceField(label="About the shooting", coerce=int)
    kind = forms.ChoiceField(label="Kind")
    contacted_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    with_whom = forms.CharField(
        label="With whom", max_length=120, help_text="For instance “the person”, “his mother”, “the household”."
    )
    outcome = forms.ChoiceField(label="Outcome", choices=RiskContact.Outcome.choices)
    note = forms.CharField(
        label="Note", max_length=RISK_NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, shootings: list[tuple[int, str, date]], kinds: list[str], id_prefix="risk", **kwargs):
        kwargs.setdefault("auto_id", f"{id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.first_days = {pk: day for pk, _, day in shootings}
        self.fields["shooting"].choices = [(pk, number) for pk, number, _ in shootings]
        if len(shootings) == 1:
            self.fields["shooting"].widget = forms.HiddenInput()
            self.fields["shooting"].initial = shootings[0][0]
        self.fields["kind"].choices = [(k, RiskContact.Kind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.fields["contacted_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_contacted_on(self):
        day = self.cleaned_data["contacted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def clean(self):
        data = super().clean()
        first_day = self.first_days.get(data.get("shooting"))
        day = data.get("contacted_on")
        if first_day is not None and day is not None and day < first_day:
            self.add_error("contacted_on", f"The date cannot be before the shooting ({first_day:%d %b %Y}).")
        return data


class CorrectContactForm(RiskContactForm):
    """A correction: the same fields, or withdrawing the record."""

    withdraw = forms.BooleanField(
        label="Withdraw this record (wrong person, or it did not happen)",
        required=False,
        help_text="Say why in the note.",
    )

    def clean(self):
        data = super().clean()
        if data.get("withdraw") and not (data.get("note") or "").strip():
            self.add_error("note", "Say in the note why the record is withdrawn.")
        return data
