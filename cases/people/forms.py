"""The forms of the people pages, and the one field the victim and note forms add: which of the
suggested people the record is about."""

from __future__ import annotations

from django import forms

from accounts.inputs import InputForm

from .matching import normalise_name


class PersonSearchForm(InputForm):
    q = forms.CharField(
        label="Name or alias",
        max_length=120,
        required=False,
        help_text="Part of a name is enough; small misspellings are forgiven.",
    )

    def text(self) -> str:
        return normalise_name(self.cleaned_data.get("q", "")) if self.is_valid() else ""


class MatchQueryForm(InputForm):
    """What the suggestions beside a form read of it: the name being entered and its dates."""

    name = forms.CharField(max_length=120, required=False)
    aliases = forms.CharField(max_length=200, required=False)
    date_of_birth = forms.DateField(required=False)
    approximate_age = forms.IntegerField(required=False, min_value=0, max_value=120)
    age = forms.IntegerField(required=False, min_value=0, max_value=120)
    same_person = forms.IntegerField(required=False, min_value=1)

    def query(self) -> dict:
        if not self.is_valid():
            return {"name": "", "born": None, "age": None, "chosen": None}
        data = self.cleaned_data
        age = data.get("age") if data.get("age") is not None else data.get("approximate_age")
        return {
            "name": data.get("name") or "",
            "born": data.get("date_of_birth"),
            "age": age,
            "chosen": data.get("same_person"),
        }


class SamePersonForm(InputForm):
    """The choice among the suggestions, posted with the victim or note form."""

    same_person = forms.IntegerField(label="Same person as", required=False, min_value=1)

    def chosen(self) -> int | None:
        return self.cleaned_data.get("same_person") if self.is_valid() else None


class ReasonForm(InputForm):
    reason = forms.CharField(
        label="Why",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why, for the record."},
    )


class OtherPersonForm(InputForm):
    other = forms.IntegerField(label="The other record", min_value=1)
    reason = forms.CharField(label="Why", max_length=500, required=False)


NEW_PERSON = "new"


class AssociateForm(InputForm):
    """Who is connected to a case and how: one of the people the search found (`candidates`,
    from cases/people/matching.search_people, so only people the user may see), or a new person
    by name."""

    q = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)
    person = forms.ChoiceField(
        label="Who",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of the people found, or a new person.",
            "invalid_choice": "That person is not among those found: look for them again.",
        },
    )
    new_name = forms.CharField(
        label="New person's name",
        max_length=120,
        required=False,
        help_text="Only for a new person: someone the search above does not find.",
    )
    description = forms.CharField(
        label="How connected",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="In the meeting's words, for example \"drove the victim's group to the party\".",
        error_messages={"required": "Say how this person is connected to the case."},
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(candidate.person_id): candidate for candidate in candidates}
        choices = [(key, _candidate_label(candidate)) for key, candidate in self.candidates.items()]
        self.fields["person"].choices = [*choices, (NEW_PERSON, "A new person, named below")]
        if not choices:
            self.fields["person"].initial = NEW_PERSON

    def clean(self):
        data = super().clean()
        if data.get("person") == NEW_PERSON and not normalise_name(data.get("new_name", "")):
            self.add_error("new_name", "Give the new person's name.")
        return data

    def chosen(self):
        """The candidate chosen, or None for a new person."""
        return self.candidates.get(self.cleaned_data["person"])

    def name(self) -> str:
        """The name the associate is recorded under: as the user knows the person found, or as typed."""
        chosen = self.chosen()
        return chosen.name if chosen else " ".join(self.cleaned_data["new_name"].split())


def _candidate_label(candidate) -> str:
    roles = "; ".join(f"{role.get_kind_display().lower()} in {role.shooting.report_number}" for role in candidate.roles)
    return f"{', '.join(candidate.names)} ({roles})"
