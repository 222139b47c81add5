"""Forms for scheduling meetings, closing action items and choosing one's reminders. Times are
typed on the local wall clock; scheduling.local_datetime turns them into instants."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from accounts.inputs import InputForm, InputModelForm
from accounts.models import Agency, User

from . import scheduling
from .models import Meeting, MeetingSeries, Reminder
from .reminders.planning import ALWAYS_SENT, PER_SEARCH

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        agency = obj.agency.code if obj.agency_id else "no agency"
        return f"{obj.get_full_name() or obj.username} ({agency})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return PersonChoiceField.label_from_instance(self, obj)


def people():
    return User.objects.filter(is_active=True, is_integration=False).exclude(role="").select_related("agency")


class SeriesForm(InputModelForm):
    chair = PersonChoiceField(queryset=people(), required=False, label="Chair", empty_label="No chair yet")
    invited_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Invited agencies"
    )

    class Meta:
        model = MeetingSeries
        fields = [
            "name",
            "weekday",
            "start_time",
            "duration_minutes",
            "place",
            "chair",
            "invited_agencies",
            "cutoff_hours",
            "weeks_ahead",
            "is_active",
        ]
        widgets = {"start_time": TIME}
        help_texts = {
            "start_time": "On the local clock; it stays the same across daylight-saving changes.",
            "cutoff_hours": "The agenda covers what happened up to this many hours before the meeting.",
            "weeks_ahead": "The coming meetings are created for this many weeks, and kept that far ahead.",
            "is_active": "Untick to stop scheduling new meetings; meetings already scheduled stay.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, low, high in [("duration_minutes", 15, 600), ("cutoff_hours", 0, 14 * 24), ("weeks_ahead", 1, 26)]:
            self.fields[name].validators += [MinValueValidator(low), MaxValueValidator(high)]
            self.fields[name].widget.attrs.update(min=low, max=high)


class MeetingForm(InputForm):
    """A new meeting, or changes to one (a new date or time is a move)."""

    series = forms.ModelChoiceField(
        queryset=MeetingSeries.objects.filter(is_active=True),
        required=False,
        empty_label="None (a one-off meeting)",
        label="Series",
    )
    date = forms.DateField(label="Date", widget=DATE)
    start_time = forms.TimeField(label="Starts (local time)", widget=TIME)
    end_time = forms.TimeField(label="Ends (local time)", widget=TIME)
    cutoff_at = forms.DateTimeField(
        label="Agenda cutoff",
        required=False,
        widget=DATETIME,
        help_text="Leave empty for the series' cutoff before the start (24 hours for a one-off meeting).",
    )
    place = forms.CharField(label="Place", max_length=200)
    chair = PersonChoiceField(queryset=people(), required=False, label="Chair", empty_label="No chair yet")
    invited_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Invited agencies"
    )
    attendees = PeopleChoiceField(
        queryset=people(),
        required=False,
        label="Invited people",
        help_text=(
            "Hold Ctrl (Cmd on a Mac) to choose several. They get the meeting in their calendar feed, "
            "as does everyone in an invited agency."
        ),
    )

    def __init__(self, *args, meeting: Meeting | None = None, now=None, **kwargs):
        self.meeting = meeting
        self.now = now or timezone.now()
        if meeting is not None and "initial" not in kwargs:
            start = timezone.localtime(meeting.starts_at)
            kwargs["initial"] = {
                "series": meeting.series_id,
                "date": start.date(),
                "start_time": start.time(),
                "end_time": timezone.localtime(meeting.ends_at).time(),
                "cutoff_at": meeting.cutoff_at,
                "place": meeting.place,
                "chair": meeting.chair_id,
                "invited_agencies": [a.pk for a in meeting.invited_agencies.all()],
                "attendees": [u.pk for u in meeting.attendees.all()],
            }
        super().__init__(*args, **kwargs)
        if meeting is not None:
            # A meeting stays in its series; an extra meeting is a new one.
            self.fields["series"].disabled = True
            self.fields["series"].queryset = MeetingSeries.objects.all()

    def clean(self) -> dict:
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None:
            return data
        starts_at = scheduling.local_datetime(day, start)
        data["starts_at"] = starts_at
        moved = self.meeting is None or starts_at != self.meeting.starts_at
        if moved and starts_at < self.now:
            field = "date" if day < timezone.localdate(self.now) else "start_time"
            self.add_error(field, "This is in the past. Choose a date and time from now on.")
        if end is not None:
            ends_at = scheduling.local_datetime(day, end)
            data["ends_at"] = ends_at
            if ends_at <= starts_at:
                self.add_error("end_time", "The meeting must end after it starts.")
        cutoff = data.get("cutoff_at")
        if cutoff is not None and cutoff > starts_at:
            self.add_error(
                "cutoff_at",
                f"The agenda cutoff must be no later than the start ({timezone.localtime(starts_at):%d %b %Y %H:%M}).",
            )
        series = data.get("series")
        if series is not None and moved:
            same_day = Meeting.objects.filter(series=series, local_date=day).exclude(status=Meeting.Status.CANCELLED)
            if self.meeting is not None:
                same_day = same_day.exclude(pk=self.meeting.pk)
            if same_day.exists():
                self.add_error(
                    "date",
                    f"“{series.name}” already has a meeting on {day:%A %d %B %Y}. Move or cancel that one instead.",
                )
        return data

    def meeting_data(self) -> dict:
        data = self.cleaned_data
        return {
            "series": data.get("series"),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "cutoff_at": data.get("cutoff_at"),
            "place": data["place"],
            "chair": data.get("chair"),
        }


class CancelMeetingForm(InputForm):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the meeting is cancelled."},
        help_text="Everyone sees it in the meetings list and their calendar.",
    )


class DoneForm(InputForm):
    note = forms.CharField(
        label="How it was done",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how it was done: a note is required to close an item."},
    )

    def __init__(self, *args, item_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_done_{item_id}_%s")
        super().__init__(*args, **kwargs)


class ActionItemFilterForm(InputForm):
    """The coordinator's view of everyone's open items."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False, empty_label="All agencies")
    assignee = PersonChoiceField(queryset=people(), required=False, empty_label="Everyone")


class PreferenceForm(InputForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Reminder.Kind.choices:
            if value in ALWAYS_SENT or value in PER_SEARCH:
                continue
            self.fields[value] = forms.BooleanField(label=label, required=False)
