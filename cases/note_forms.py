"""One form per note kind, and the form retracting a note. A kind's form's cleaned data, made
JSON-safe, is what a note (and each of its revisions) stores in `fields`; the form is the schema."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from accounts.inputs import InputForm

from .models import NOTE_TEXT_MAX, Note, Victim

SHORT = 200
TEXT_HELP = f"Up to {NOTE_TEXT_MAX} characters."


def normalise_serial(value: str) -> str:
    """Serial numbers are compared without case, spaces or dashes ("ab-12 34" == "AB1234")."""
    return re.sub(r"[\s\-–—]+", "", value or "").upper()


def normalise_lead_numbers(value: str) -> list[str]:
    parts = re.split(r"[,;\n]+", value or "")
    seen: list[str] = []
    for part in parts:
        number = re.sub(r"\s+", "", part).upper()
        if number and number not in seen:
            seen.append(number)
    return seen


def text_field(label: str, required: bool = False, max_length: int = NOTE_TEXT_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Up to {max_length} characters.",
    )


def short_field(label: str, required: bool = False, max_length: int = SHORT, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, **kwargs)


def date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def not_in_the_future(value: dt.date | None, message: str) -> dt.date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class NoteForm(InputForm):
    kind: str = ""
    restricted_to_agency = forms.BooleanField(
        label="Restricted to my agency",
        required=False,
        help_text="Only people in your agency will see this note.",
    )

    def __init__(self, *args, shooting=None, **kwargs):
        self.shooting = shooting
        super().__init__(*args, **kwargs)

    def note_fields(self) -> dict:
        """The cleaned values to store, JSON-safe (dates as ISO strings), without the visibility flag."""
        out = {}
        for name, value in self.cleaned_data.items():
            if name == "restricted_to_agency":
                continue
            if isinstance(value, dt.date | dt.datetime):
                value = value.isoformat()
            out[name] = value
        return out

    @classmethod
    def initial_from(cls, note) -> dict:
        initial = dict(note.fields)
        if "nibin_leads" in initial and isinstance(initial["nibin_leads"], list):
            initial["nibin_leads"] = ", ".join(initial["nibin_leads"])
        initial["restricted_to_agency"] = note.restricted_to_agency
        return initial


class SuspectNoteForm(NoteForm):
    kind = Note.Kind.SUSPECT

    class Status:
        CHOICES = [
            ("person_of_interest", "Person of interest"),
            ("suspect", "Suspect"),
            ("in_custody", "In custody"),
            ("charged", "Charged"),
            ("excluded", "Excluded"),
        ]

    name = short_field("Name", required=True, max_length=120)
    aliases = short_field("Aliases", help_text="Separate with commas.")
    date_of_birth = date_field("Date of birth")
    approximate_age = forms.IntegerField(label="Approximate age", required=False, min_value=10, max_value=100)
    status = forms.ChoiceField(label="Status", choices=Status.CHOICES)
    basis = short_field("Basis", max_length=500, help_text="Why this person is connected (up to 500 characters).")
    text = text_field("Notes")

    def clean_date_of_birth(self):
        return not_in_the_future(self.cleaned_data.get("date_of_birth"), "The date of birth cannot be in the future.")


class FirearmNoteForm(NoteForm):
    kind = Note.Kind.FIREARM

    ETRACE_STATUSES = [
        ("not_submitted", "Not submitted"),
        ("pending", "Pending"),
        ("completed", "Completed"),
        ("no_trace", "No trace"),
    ]

    recovered = forms.BooleanField(label="Firearm recovered", required=False)
    recovered_where = short_field("Where recovered")
    recovered_on = date_field("When recovered")
    make = short_field("Make", max_length=60)
    model = short_field("Model", max_length=60)
    caliber = short_field("Caliber", max_length=30)
    serial_number = short_field(
        "Serial number", max_length=40, help_text="Spaces and dashes are ignored; letters are compared in capitals."
    )
    casings_recovered = forms.IntegerField(
        label="Cartridge casings recovered", required=False, min_value=0, max_value=500
    )
    projectiles_recovered = forms.IntegerField(
        label="Projectiles recovered", required=False, min_value=0, max_value=500
    )
    nibin_leads = short_field(
        "NIBIN lead numbers",
        max_length=500,
        help_text="Separate several with commas. Cases citing the same lead are linked.",
    )
    etrace_number = short_field("eTrace request number", max_length=40)
    etrace_status = forms.ChoiceField(label="eTrace status", choices=ETRACE_STATUSES, initial="not_submitted")
    purchaser = short_field("Purchaser", max_length=120)
    dealer = short_field("Dealer (FFL)", max_length=200)
    time_to_crime_days = forms.IntegerField(label="Time-to-crime (days)", required=False, min_value=0, max_value=36500)
    text = text_field("Notes")

    def clean_serial_number(self):
        return normalise_serial(self.cleaned_data.get("serial_number", ""))

    def clean_nibin_leads(self):
        numbers = normalise_lead_numbers(self.cleaned_data.get("nibin_leads", ""))
        for number in numbers:
            if len(number) > 64:
                raise forms.ValidationError("A lead number can be at most 64 characters.")
        return numbers

    def clean_recovered_on(self):
        return not_in_the_future(self.cleaned_data.get("recovered_on"), "The recovery date cannot be in the future.")


class WitnessNoteForm(NoteForm):
    kind = Note.Kind.WITNESS

    COOPERATION = [("cooperative", "Cooperative"), ("reluctant", "Reluctant"), ("refused", "Refused")]

    name = short_field("Name", required=True, max_length=120)
    contact = short_field("Contact", max_length=200)
    relation = short_field("Relation to victim or suspect", max_length=120)
    account = text_field("What they saw")
    cooperation = forms.ChoiceField(label="Cooperation", choices=COOPERATION)
    intimidation_concern = forms.BooleanField(label="Intimidation or safety concern", required=False)
    relocation_requested = forms.BooleanField(label="Relocation or protection requested", required=False)
    referred_to_advocate = forms.BooleanField(label="Referred to an advocate", required=False)


class VictimServicesNoteForm(NoteForm):
    kind = Note.Kind.VICTIM_SERVICES

    victim = forms.TypedChoiceField(label="Victim", coerce=int, required=False, empty_value=None)
    service_agency = short_field("Referred to (service agency)", max_length=200)
    referral_status = forms.ChoiceField(
        label="Referral status",
        choices=[c for c in Victim.Referral.choices if c[0] != "not_referred"],
        help_text="Police see this status, not the detail of this note.",
    )
    services_offered = short_field("Services offered", max_length=500)
    services_accepted = short_field("Services accepted", max_length=500)
    safety_planning = forms.BooleanField(label="Safety planning done", required=False)
    text = text_field("Notes")

    def __init__(self, *args, shooting=None, **kwargs):
        super().__init__(*args, shooting=shooting, **kwargs)
        victims = list(shooting.victims.all()) if shooting is not None else []
        self.fields["victim"].choices = [("", "— the case in general —")] + [(v.pk, v.name) for v in victims]


class GeneralNoteForm(NoteForm):
    kind = Note.Kind.GENERAL

    text = text_field("Note", required=True)
    follow_up_contact = forms.BooleanField(
        label="Records a retaliation-risk follow-up contact",
        required=False,
        help_text=(
            "Stops the daily follow-up reminder of a case flagged as a retaliation risk that has no "
            "victim or associate recorded; contacts with people at risk go on their person page."
        ),
    )


NOTE_FORMS: dict[str, type[NoteForm]] = {
    form.kind: form
    for form in [SuspectNoteForm, FirearmNoteForm, WitnessNoteForm, VictimServicesNoteForm, GeneralNoteForm]
}


def field_labels(kind: str) -> dict[str, str]:
    """Field name → label for a kind, for showing a note's values and revision differences."""
    form = NOTE_FORMS[kind]
    return {name: str(field.label) for name, field in form.base_fields.items() if name != "restricted_to_agency"}


def display_value(kind: str, name: str, value) -> str:
    field = NOTE_FORMS[kind].base_fields.get(name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


class RetractForm(InputForm):
    reason = forms.CharField(
        label="Reason for retraction",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required. The note stays, struck through, with this reason for everyone who can see it.",
        error_messages={"required": "Give the reason for retracting this note."},
    )
