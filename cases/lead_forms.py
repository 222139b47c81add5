"""The forms of a NIBIN lead: its times and status, its triage, and the work on it in each case."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from accounts.inputs import InputForm
from accounts.models import User

from .lead_queue import person
from .models import LeadAssignment, NibinLead

LEAD_TIMES = ["evidence_recovered_at", "entered_at", "lead_received_at", "notified_at"]


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class LeadForm(InputForm):
    status = forms.ChoiceField(label="Status", choices=NibinLead.Status.choices)
    examiner = forms.CharField(
        label="Examiner",
        max_length=NibinLead._meta.get_field("examiner").max_length,
        required=False,
        help_text="The firearms examiner who confirmed or excluded the lead.",
    )
    evidence_recovered_at = _datetime_field("Evidence recovered")
    entered_at = _datetime_field("Entered into NIBIN")
    lead_received_at = _datetime_field("Lead received")
    notified_at = _datetime_field("Investigators notified")

    def clean(self):
        data = super().clean()
        now = timezone.now()
        for name in LEAD_TIMES:
            if data.get(name) and data[name] > now:
                self.add_error(name, "This time cannot be in the future.")
        # Each step follows the one before: recovered → entered → lead received → notified.
        present = [(name, data[name]) for name in LEAD_TIMES if data.get(name) and name not in self.errors]
        for (earlier, a), (later, b) in zip(present, present[1:], strict=False):
            if b < a:
                label = self.fields[earlier].label.lower()
                self.add_error(later, f"This cannot be before “{label}”.")
        return data


class LeadPageForm(LeadForm):
    """The lead's form on its page, with the version of the lead the person read: saving over a
    change made since (by someone else, or by a lead report import) is refused, not undone."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def lead_form(lead: NibinLead, data=None) -> LeadPageForm:
    initial = {
        "status": lead.status,
        "examiner": lead.examiner,
        **{name: getattr(lead, name) for name in LEAD_TIMES},
        "version": lead.version,
    }
    return LeadPageForm(data, initial=None if data else initial, auto_id="lead_%s")


class TriageForm(InputForm):
    priority = forms.ChoiceField(label="Priority", choices=NibinLead.Priority.choices)
    priority_reason = forms.CharField(label="Reason for the priority", max_length=300, required=False)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class WorkForm(InputForm):
    investigator = forms.ChoiceField(label="Assigned investigator", required=False)
    state = forms.ChoiceField(label="State", choices=LeadAssignment.State.choices)
    outcome = forms.ChoiceField(label="Outcome", choices=LeadAssignment.Outcome.choices, required=False)
    outcome_note = forms.CharField(
        label="Outcome note", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["investigator"].choices = [("", "Nobody yet")] + [(pk, person(p)) for pk, p in self.people.items()]

    def clean(self):
        data = super().clean()
        state = data.get("state")
        # Choosing an outcome is recording it: the state follows, so one change does it.
        if data.get("outcome") and state:
            state = data["state"] = LeadAssignment.State.DONE
        if state and state != LeadAssignment.State.NEW and not data.get("investigator"):
            self.add_error("investigator", "Choose who investigates this lead before moving it on.")
        if state == LeadAssignment.State.DONE and not data.get("outcome"):
            self.add_error("outcome", "Choose what came of the lead.")
        return data


def work_form(work: LeadAssignment, people: list[User], data=None) -> WorkForm:
    initial = {
        "investigator": str(work.investigator_id or ""),
        "state": work.state,
        "outcome": work.outcome,
        "outcome_note": work.outcome_note,
        "version": work.version,
    }
    return WorkForm(data, initial=None if data else initial, people=people, auto_id=f"work{work.pk}_%s")


def triage_form(lead: NibinLead, data=None) -> TriageForm:
    initial = {"priority": lead.priority, "priority_reason": lead.priority_reason, "version": lead.version}
    return TriageForm(data, initial=None if data else initial, auto_id="triage_%s")
