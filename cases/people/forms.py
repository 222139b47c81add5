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
