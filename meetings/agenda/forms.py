"""Forms of the agenda page. Each edit carries the agenda version it was shown with: the page's
own forms in a field of their own, an item's buttons and fields through the page's one form."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from accounts.inputs import InputForm

from ..models import AgendaItem
from .time_plan import LONGEST_TIME_BOX, UnknownPresenter, find_presenter

# The list of people the presenter fields offer, once on the page.
PRESENTER_LIST = "presenter-choices"
# The id of the page's one form, which alone holds the CSRF token and the agenda version; every
# item's buttons and fields point at it, so that the items' kept HTML holds nothing per request.
PAGE_FORM = "agenda-form"


class PageForm(InputForm):
    """Several forms share the page: each gets its own id prefix so labels point at the right
    field."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        # A per-item form's prefix ("remove-12") already makes its ids unique.
        kwargs.setdefault("auto_id", "%s" if kwargs.get("prefix") else f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class VersionedForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BuildForm(VersionedForm):
    id_prefix = "build"


class AddCaseForm(VersionedForm):
    id_prefix = "add-case"
    report_number = forms.CharField(
        label="Report number",
        max_length=32,
        help_text="Any case, for instance one the rules did not bring.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class TextItemForm(VersionedForm):
    id_prefix = "text-item"
    title = forms.CharField(label="Title", max_length=200, help_text="For instance “Retaliation watch list”.")
    text = forms.CharField(
        label="Text", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional."
    )


class ItemForm(PageForm):
    """The fields of one agenda item, named for it by the prefix ("remove-12-reason"). They belong
    to the page's one form, so every button of the page sends them: none may be `required` in
    HTML (an empty reason on one item would stop every other item's buttons), and the server
    checks them, answering beside the field of the item whose button was pressed."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = PAGE_FORM


class RemoveForm(ItemForm):
    reason = forms.CharField(
        label="Reason for removing",
        max_length=300,
        error_messages={"required": "Say why the item comes off the agenda."},
    )


class FreezeForm(VersionedForm):
    id_prefix = "freeze"
    confirm_empty = forms.BooleanField(label="Yes, freeze an empty agenda", required=False)


class UnfreezeForm(PageForm):
    id_prefix = "unfreeze"
    reason = forms.CharField(
        label="Reason for unfreezing",
        max_length=300,
        error_messages={"required": "Say why the agenda is unfrozen."},
        help_text="Recorded with your name.",
    )


class RecordForm(ItemForm):
    discussed = forms.BooleanField(label="Discussed", required=False)
    outcome = forms.ChoiceField(label="Outcome", choices=AgendaItem.Outcome.choices, required=False)
    outcome_text = forms.CharField(
        label="Outcome notes", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    review_again = forms.BooleanField(label="Review again next week", required=False)


class ActionItemForm(PageForm):
    """Assignee and agency choices are given by the view (one query for the whole page)."""

    id_prefix = "action"

    description = forms.CharField(label="What", max_length=500)
    assignee = forms.TypedChoiceField(label="Assignee", coerce=int)
    agency = forms.TypedChoiceField(
        label="Agency", coerce=int, required=False, empty_value=None, help_text="Leave empty for the assignee's agency."
    )
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people: list[tuple[int, str]], agencies: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "— choose —"), *people]
        self.fields["agency"].choices = [("", "— the assignee's agency —"), *agencies]
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return value


class TimePlanForm(ItemForm):
    """Who presents an item and its time box; `presenter` comes back as a person (or None)."""

    presenter = forms.CharField(
        label="Presenter",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": PRESENTER_LIST, "autocomplete": "off"}),
    )
    time_box = forms.IntegerField(label="Time box (minutes)", required=False, min_value=1, max_value=LONGEST_TIME_BOX)

    def clean_presenter(self):
        try:
            return find_presenter(self.cleaned_data["presenter"])
        except UnknownPresenter as exc:
            raise forms.ValidationError(str(exc)) from exc
