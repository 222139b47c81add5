"""Forms of the case list (filters), of a case itself (new / edit, with its victims), of the case
page's own edits (status and flags, a victim and their death, links) and of a NIBIN lead.

A form only validates; saving goes through cases.services, which decides what may change.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone

from accounts.inputs import InputForm, InputModelForm
from accounts.models import Agency, User

from . import access, search
from .detail import lead_investigator_choices
from .display import shooting_value
from .models import JUVENILE_UNDER, SUMMARY_MAX, Division, ManualLink, Shooting, Victim
from .services import EDITABLE_FIELDS

# --- The case list's filters -------------------------------------------------------------------

SEARCH_MAX = 100


@dataclass(frozen=True)
class FilterControl:
    """One filter as the case list draws it: a select when it has options, else a date input."""

    name: str
    id: str
    label: str
    value: str  # what was sent, as typed (an invalid date stays in the box)
    options: list[tuple[str, str, bool]]  # (value, label, selected)
    errors: list[str]


@dataclass(frozen=True)
class FlagBox:
    id: str
    value: str
    label: str
    checked: bool


class CaseFilterForm(InputForm):
    """The case list's query string. Invalid values are reported and left out of the query.

    The list draws its controls from `controls()` and `flag_boxes()` in plain HTML rather than
    through Django's widget templates, which cost the busiest page of the app more than its
    count query; `templates/cases/case_list.html` keeps the same names, ids and ARIA attributes.
    """

    # The filters in the order the list shows them.
    CONTROLS = ["status", "kind", "division", "occurred_after", "occurred_before", "updated", "updated_since"]

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            (Shooting.Status.OPEN, "Open"),
            (search.CLEARED, "Cleared (either way)"),
            (Shooting.Status.CLEARED_ARREST, "Cleared by arrest"),
            (Shooting.Status.CLEARED_EXCEPTIONAL, "Cleared exceptionally"),
            (Shooting.Status.INACTIVE, "Inactive"),
        ],
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Shooting.Kind.choices])
    division = forms.ChoiceField(label="Division", required=False, choices=[("", "Any division"), *Division.choices])
    occurred_after = forms.DateField(
        label="Occurred from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_before = forms.DateField(
        label="Occurred to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    flag = forms.MultipleChoiceField(
        label="Flags",
        required=False,
        choices=[(key, label) for key, (_field, label) in search.FLAGS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    updated = forms.ChoiceField(label="Updated", required=False)
    updated_since = forms.DateField(
        label="Updated since (date)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for name in search.SORTS for key in (name, f"-{name}")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, since: search.UpdatedSince | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A page checking many queries at once (the saved searches) reads the last meeting once.
        since = since or search.since_last_meeting()
        if since.is_fallback:
            meeting_label = f"Since the last meeting (none recorded: last {search.FALLBACK_MEETING_DAYS} days)"
        else:
            meeting_label = f"Since the last meeting ({formats.date_format(timezone.localtime(since.cutoff))})"
        self.fields["updated"].choices = [
            (search.UPDATED_ANY, "Any time"),
            (search.UPDATED_SINCE_MEETING, meeting_label),
            (search.UPDATED_SINCE_DATE, "Since the date below"),
        ]

    def controls(self) -> list[FilterControl]:
        found = []
        for name in self.CONTROLS:
            bound = self[name]
            value = bound.value()
            value = "" if value is None else str(value)
            choices = getattr(bound.field, "choices", None)
            options = [(str(key), str(label), str(key) == value) for key, label in choices] if choices else []
            found.append(FilterControl(name, bound.auto_id, str(bound.label), value, options, list(bound.errors)))
        return found

    def flag_boxes(self) -> list[FlagBox]:
        bound = self["flag"]
        checked = {str(v) for v in bound.value() or ()}
        return [
            FlagBox(f"{bound.auto_id}_{i}", str(key), str(label), str(key) in checked)
            for i, (key, label) in enumerate(bound.field.choices)
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("occurred_after"), cleaned.get("occurred_before")
        if after and before and before < after:
            self.add_error("occurred_before", "“Occurred to” cannot be before “occurred from”; dates left out.")
            cleaned.pop("occurred_after", None)
        if cleaned.get("updated_since") and not cleaned.get("updated"):
            cleaned["updated"] = search.UPDATED_SINCE_DATE
        if cleaned.get("updated") == search.UPDATED_SINCE_DATE and not cleaned.get("updated_since"):
            self.add_error("updated_since", "Enter the date to count updates from.")
        return cleaned

    def to_query(self) -> search.CaseQuery:
        """The valid part of what was asked; call after is_valid()."""
        data = self.cleaned_data
        return search.CaseQuery(
            text=data.get("q") or "",
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            division=data.get("division") or "",
            occurred_after=data.get("occurred_after"),
            occurred_before=data.get("occurred_before"),
            flags=tuple(data.get("flag") or ()),
            updated=data.get("updated") or "",
            updated_since=data.get("updated_since"),
            sort=data.get("sort") or search.DEFAULT_SORT,
        )


# --- A case ------------------------------------------------------------------------------------

REPORT_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
COORDINATE_PLACES = Decimal("0.000001")


class LocalDateTimeField(forms.DateTimeField):
    """Wall-clock time in the site's zone. The night the clocks go back, 01:00–01:59 happens
    twice; Django refuses such a time, which would leave an hour of shootings that cannot be
    entered, so it is read as the first (daylight-saving) occurrence. A time skipped when the
    clocks go forward is refused, saying why."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            naive = error.params["datetime"]
            first = naive.replace(tzinfo=timezone.get_current_timezone(), fold=0)
            if first.astimezone(dt.UTC).astimezone(first.tzinfo).replace(tzinfo=None) != naive:
                raise ValidationError(
                    f"{naive:%Y-%m-%d %H:%M} did not happen in {settings.TIME_ZONE}: the clocks went forward "
                    "an hour that night.",
                    code="nonexistent_time",
                ) from None
            return first


def local_datetime_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateTimeField:
    """`<input type="datetime-local">`: the browser sends wall-clock time, read in the site's zone."""
    return LocalDateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=" ".join(filter(None, [help_text, f"Local time ({settings.TIME_ZONE})."])),
    )


def coordinate_field(label: str, limit: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        help_text=f"Decimal degrees, −{limit} to {limit}; enter both coordinates or neither.",
    )


LEAD_ROLES = [User.Role.INVESTIGATOR, User.Role.SUPERVISOR, User.Role.COORDINATOR, User.Role.FEDERAL_AGENT]


class LeadInvestigatorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.agency.code})" if obj.agency_id else str(obj)


@dataclass(frozen=True)
class FieldGroup:
    legend: str
    names: list[str]


class ShootingForm(InputModelForm):
    """The fields of a case that people type. Only services.EDITABLE_FIELDS and the partner
    agencies are here, so nothing else (creator, version, cluster, search text) can be posted in."""

    GROUPS = [
        FieldGroup("Incident", ["report_number", "kind", "occurred_from", "occurred_to", "reported_at"]),
        FieldGroup("Place", ["address", "division", "beat", "latitude", "longitude"]),
        FieldGroup(
            "Investigation",
            ["status", "cleared_on", "counting", "lead_investigator", "partner_agencies", "summary"],
        ),
        FieldGroup(
            "Flags", ["is_domestic_violence", "is_group_involved", "is_retaliation_risk", "is_juvenile_involved"]
        ),
        FieldGroup("Prosecution", ["referred_to", "charges_filed", "custody_status", "disposition"]),
    ]

    report_number = forms.CharField(
        label="Report number",
        max_length=32,
        help_text="The records-system number: letters, digits and dashes, 4 to 32 characters; stored in capitals.",
    )
    occurred_from = local_datetime_field("Occurred (from)", required=True)
    occurred_to = local_datetime_field("Occurred (to)", help_text="If the time is a range; not before “from”.")
    reported_at = local_datetime_field("Reported", help_text="Not before the shooting.")
    latitude = coordinate_field("Latitude", 90)
    longitude = coordinate_field("Longitude", 180)
    cleared_on = forms.DateField(
        label="Date cleared",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only for a cleared status; left blank, today's date is used.",
    )
    # The version of the case this form was built from: a save is refused if someone saved since.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = Shooting
        fields = [*EDITABLE_FIELDS, "partner_agencies"]
        field_classes = {"lead_investigator": LeadInvestigatorField}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "partner_agencies": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "address": "Up to 200 characters.",
            "beat": "Up to 10 characters.",
            "summary": f"Up to {SUMMARY_MAX} characters.",
            "charges_filed": "Up to 300 characters.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Values of the same fields as saved by someone else meanwhile (set by show_conflict).
        self.theirs: dict[str, str] = {}
        self.conflict_by: str = ""
        leads = Q(
            is_active=True,
            is_integration=False,
            role__in=LEAD_ROLES,
            agency__kind__in=[Agency.Kind.POLICE, Agency.Kind.FEDERAL],
        )
        if self.instance.lead_investigator_id:
            leads |= Q(pk=self.instance.lead_investigator_id)
        self.fields["lead_investigator"].queryset = (
            User.objects.filter(leads).select_related("agency").order_by("last_name", "first_name")
        )
        self.fields["partner_agencies"].queryset = Agency.objects.order_by("name")
        self.fields["partner_agencies"].help_text = "Agencies working this case with the lead investigator."

    @property
    def is_edit(self) -> bool:
        return self.instance.pk is not None

    def groups(self):
        """Bound fields by group, each with the other person's value after an edit conflict."""
        for group in self.GROUPS:
            yield group.legend, [(self[name], self.theirs.get(name)) for name in group.names]

    def clean_report_number(self) -> str:
        number = self.cleaned_data["report_number"].strip().upper()
        if not REPORT_NUMBER_RE.match(number):
            raise forms.ValidationError(
                "A report number has 4 to 32 letters, digits and dashes (for example RB26004101).",
                code="format",
            )
        others = Shooting.objects.filter(report_number__iexact=number)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"Another case already has report number {number}.", code="duplicate")
        return number

    def _not_in_future(self, name: str, what: str):
        value = self.cleaned_data.get(name)
        if value and value > timezone.now():
            raise forms.ValidationError(f"{what} cannot be in the future.", code="future")
        return value

    def _same_minute_as_saved(self, name: str, value):
        """The input shows minutes only: an unchanged minute keeps the saved seconds, so that an
        edit of another field neither rewrites this one nor records a change to it."""
        saved = getattr(self.instance, name) if self.instance.pk else None
        if value and saved and value == saved.replace(second=0, microsecond=0):
            return saved
        return value

    def clean_occurred_from(self):
        return self._same_minute_as_saved("occurred_from", self._not_in_future("occurred_from", "The shooting"))

    def clean_occurred_to(self):
        return self._same_minute_as_saved(
            "occurred_to", self._not_in_future("occurred_to", "The end of the time range")
        )

    def clean_reported_at(self):
        return self._same_minute_as_saved("reported_at", self._not_in_future("reported_at", "The report"))

    def _coordinate(self, name: str) -> Decimal | None:
        value = self.cleaned_data.get(name)
        # Map tools give more decimals than the six stored (about 10 cm); round rather than refuse.
        return None if value is None else value.quantize(COORDINATE_PLACES)

    def clean_latitude(self):
        return self._coordinate("latitude")

    def clean_longitude(self):
        return self._coordinate("longitude")

    def clean_cleared_on(self):
        value = self.cleaned_data.get("cleared_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The clear date cannot be in the future.", code="future")
        return value

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.is_edit and version is None:
            raise forms.ValidationError("This form is out of date: reload the page and make your changes again.")
        return version

    def clean(self):
        cleaned = super().clean()
        start, end, reported = cleaned.get("occurred_from"), cleaned.get("occurred_to"), cleaned.get("reported_at")
        if start and end and end < start:
            self.add_error("occurred_to", "“To” cannot be before “from”.")
        if start and reported and reported < start:
            self.add_error("reported_at", "The shooting cannot be reported before it occurred.")
        has_lat = "latitude" in cleaned and cleaned["latitude"] is not None
        has_lon = "longitude" in cleaned and cleaned["longitude"] is not None
        if has_lat and not has_lon and "longitude" not in self.errors:
            self.add_error("longitude", "Enter the longitude too, or clear the latitude.")
        if has_lon and not has_lat and "latitude" not in self.errors:
            self.add_error("latitude", "Enter the latitude too, or clear the longitude.")
        self._clean_clearance(cleaned)
        if "version" in self.errors:
            self.add_error(None, self.errors["version"])
        return cleaned

    def _clean_clearance(self, cleaned: dict) -> None:
        status, cleared_on = cleaned.get("status"), cleaned.get("cleared_on")
        if "status" not in cleaned or "cleared_on" in self.errors:
            return
        is_cleared = status in {Shooting.Status.CLEARED_ARREST, Shooting.Status.CLEARED_EXCEPTIONAL}
        if cleared_on and not is_cleared:
            self.add_error("cleared_on", "A clear date needs a cleared status: clear the date or change the status.")
        elif is_cleared and not cleared_on:
            cleaned["cleared_on"] = timezone.localdate()
        elif (
            cleared_on
            and cleaned.get("occurred_from")
            and cleared_on < timezone.localtime(cleaned["occurred_from"]).date()
        ):
            self.add_error("cleared_on", "A case cannot be cleared before the shooting occurred.")

    def shooting_data(self) -> dict:
        """The values for services.create_shooting / update_shooting."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}

    def show_conflict(self, current: Shooting, saved_by: str = "") -> None:
        """Someone saved `current` after this form was loaded: note their value beside each field
        where it differs from what this person typed, and carry the new version so that saving
        again is a deliberate choice rather than a silent overwrite."""
        for name in EDITABLE_FIELDS:
            if name not in self.cleaned_data:
                continue
            theirs, mine = getattr(current, name), self.cleaned_data[name]
            if name == "lead_investigator":
                theirs, mine = current.lead_investigator_id, mine.pk if mine else None
            elif isinstance(theirs, dt.datetime) and isinstance(mine, dt.datetime):
                theirs, mine = theirs.replace(second=0, microsecond=0), mine.replace(second=0, microsecond=0)
            if theirs != mine:
                self.theirs[name] = shooting_value(current, name, blank="(blank)")
        theirs_partners = list(current.partner_agencies.order_by("name"))
        mine_partners = self.cleaned_data.get("partner_agencies")
        if mine_partners is not None and {a.pk for a in theirs_partners} != {a.pk for a in mine_partners}:
            self.theirs["partner_agencies"] = ", ".join(a.name for a in theirs_partners) or "none"
        self.conflict_by = saved_by
        self.data = self.data.copy()
        self.data["version"] = str(current.version)


class ProsecutionForm(InputModelForm):
    """The prosecution follow-through on its own (the API changes it without the rest of the
    case): the same model fields, so the same choices, lengths and input checks as the case form."""

    version = forms.IntegerField(min_value=1)

    class Meta:
        model = Shooting
        fields = ["referred_to", "charges_filed", "custody_status", "disposition"]


# --- The case page's own edits ---------------------------------------------------------------


CLEARED = {Shooting.Status.CLEARED_ARREST, Shooting.Status.CLEARED_EXCEPTIONAL}
FLAGS = ["is_retaliation_risk", "is_group_involved", "is_domestic_violence", "is_juvenile_involved"]


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuickEditForm(InputForm):
    """Status (with the date cleared), counting state, flags and lead investigator."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", choices=Shooting.Status.choices)
    cleared_on = forms.DateField(
        label="Date cleared",
        required=False,
        widget=date_input(),
        help_text="Only for a cleared case; today's date if left empty. Reopening the case removes it.",
    )
    counting = forms.ChoiceField(label="Counting state", choices=Shooting.Counting.choices)
    is_retaliation_risk = forms.BooleanField(label="Retaliation risk", required=False)
    is_group_involved = forms.BooleanField(label="Group-involved", required=False)
    is_domestic_violence = forms.BooleanField(label="Domestic-violence related", required=False)
    is_juvenile_involved = forms.BooleanField(label="Juvenile involved", required=False)
    lead_investigator = forms.ModelChoiceField(
        label="Lead investigator", queryset=User.objects.none(), required=False, empty_label="— none —"
    )

    FIELDS = ["status", "cleared_on", "counting", *FLAGS, "lead_investigator"]

    def __init__(self, *args, shooting: Shooting, **kwargs):
        kwargs.setdefault("auto_id", "quick_%s")
        super().__init__(*args, **kwargs)
        self.shooting = shooting
        lead = self.fields["lead_investigator"]
        lead.queryset = lead_investigator_choices(shooting.lead_investigator_id)
        lead.label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.agency.code if u.agency else '—'})"

    @classmethod
    def initial_for(cls, shooting: Shooting) -> dict:
        initial = {name: getattr(shooting, name) for name in cls.FIELDS if name != "lead_investigator"}
        return {**initial, "lead_investigator": shooting.lead_investigator_id, "version": shooting.version}

    def clean(self):
        data = super().clean()
        status, cleared_on = data.get("status"), data.get("cleared_on")
        if status and status not in CLEARED:
            # Reopening a case (or making it inactive) leaves no stale clearance date behind.
            data["cleared_on"] = None
        elif cleared_on:
            if cleared_on > timezone.localdate():
                self.add_error("cleared_on", "The date cleared cannot be in the future.")
            elif cleared_on < timezone.localdate(self.shooting.occurred_from):
                self.add_error("cleared_on", "The date cleared cannot be before the shooting.")
        return data

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class VictimDeathForm(InputForm):
    died_on = forms.DateField(label="Date of death", widget=date_input())

    def __init__(self, *args, victim: Victim, **kwargs):
        kwargs.setdefault("auto_id", f"died{victim.pk}_%s")
        super().__init__(*args, **kwargs)
        self.victim = victim

    def clean_died_on(self):
        died_on = self.cleaned_data["died_on"]
        if died_on > timezone.localdate():
            raise forms.ValidationError("The date of death cannot be in the future.")
        if died_on < timezone.localdate(self.victim.shooting.occurred_from):
            raise forms.ValidationError("The date of death cannot be before the shooting.")
        return died_on

    def clean(self):
        data = super().clean()
        if self.victim.injury == Victim.Injury.FATAL:
            raise forms.ValidationError("This victim's death is already recorded.")
        return data


class LinkForm(InputForm):
    report_number = forms.CharField(label="Report number of the other case", max_length=32)
    reason = forms.CharField(
        label="Why they are linked",
        max_length=300,
        help_text="Required; shown beside the link on both cases (up to 300 characters).",
        error_messages={"required": "Give the reason for the link."},
    )

    def __init__(self, *args, shooting: Shooting, user: User, **kwargs):
        kwargs.setdefault("auto_id", "link_%s")
        super().__init__(*args, **kwargs)
        self.shooting, self.user = shooting, user
        self.target: Shooting | None = None

    def clean_report_number(self):
        number = self.cleaned_data["report_number"].strip()
        target = access.shootings_visible_to(self.user).filter(report_number__iexact=number).first()
        if target is None:
            raise forms.ValidationError(f"No case has the report number {number}.")
        if target.pk == self.shooting.pk:
            raise forms.ValidationError("That is this case's own report number.")
        already = ManualLink.objects.filter(removed_at__isnull=True).filter(
            from_shooting__in=[self.shooting, target], to_shooting__in=[self.shooting, target]
        )
        if already.exists():
            raise forms.ValidationError(f"This case is already linked by hand to {target.report_number}.")
        self.target = target
        return number


class UnlinkForm(InputForm):
    reason = forms.CharField(
        label="Why the link is removed", max_length=300, error_messages={"required": "Give the reason for removing it."}
    )

    def __init__(self, *args, link: ManualLink, **kwargs):
        kwargs.setdefault("auto_id", f"unlink{link.pk}_%s")
        super().__init__(*args, **kwargs)
        self.link = link


# --- Victims ----------------------------------------------------------------------------------


class VictimForm(InputForm):
    """One victim: a row of a new case's victims (VictimFormSet) or one added on the case page.

    `kind` is the case's kind (on a new case, as chosen in the same form): a victim who died makes
    the shooting a homicide, so only a homicide takes a fatal victim. On a case that already
    exists (`existing`) a death is recorded with its date instead, which makes the case a homicide
    with its history saying why."""

    name = forms.CharField(label="Name", max_length=120, help_text="Up to 120 characters.")
    age = forms.IntegerField(
        label="Age", required=False, min_value=0, max_value=120, help_text="0 to 120; blank if unknown or withheld."
    )
    is_juvenile = forms.BooleanField(label="Juvenile (under 18, age withheld)", required=False)
    sex = forms.ChoiceField(label="Sex", choices=Victim.Sex.choices, initial=Victim.Sex.UNKNOWN)
    injury = forms.ChoiceField(label="Injury", choices=Victim.Injury.choices, initial=Victim.Injury.NONFATAL)

    def __init__(self, *args, kind: str, existing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.existing = kind, existing

    @classmethod
    def for_case(cls, *args, shooting: Shooting, **kwargs) -> VictimForm:
        """The case page's form, adding a victim to `shooting`."""
        kwargs.setdefault("auto_id", "victim_%s")
        return cls(*args, kind=shooting.kind, existing=True, **kwargs)

    def clean(self):
        cleaned = super().clean()
        age = cleaned.get("age")
        if cleaned.get("is_juvenile") and age is not None and age >= JUVENILE_UNDER:
            self.add_error("age", f"A juvenile is under {JUVENILE_UNDER}: leave the age blank or correct it.")
        if cleaned.get("injury") == Victim.Injury.FATAL and self.kind != Shooting.Kind.HOMICIDE:
            self.add_error("injury", self._fatal_only_for_homicide())
        return cleaned

    def _fatal_only_for_homicide(self) -> str:
        if self.existing:
            return (
                "Add the victim as injured, then record the death with its date: the case then becomes "
                "a homicide and its history shows why."
            )
        return "A victim who died makes the shooting a homicide: choose Homicide as the kind, or correct the injury."


KINDS_WITH_VICTIMS = {Shooting.Kind.HOMICIDE, Shooting.Kind.NONFATAL}


class BaseVictimFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # The kind is the case form's field, posted in the same request without a prefix.
        return {**super().get_form_kwargs(index), "kind": self.data.get("kind", "")}

    def clean(self):
        if any(self.errors):
            return
        # The kind is the case form's field, posted in the same request without a prefix.
        kind = self.data.get("kind")
        if kind in KINDS_WITH_VICTIMS and not self.victims():
            label = Shooting.Kind(kind).label.lower()
            raise forms.ValidationError(f"A {label} needs at least one victim: enter their name below.")

    def victims(self) -> list[dict]:
        """The filled-in rows, as data for services.create_shooting."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]

    def with_another_row(self) -> BaseVictimFormSet:
        """The same rows as typed, plus an empty one (the "Add another victim" button, without JS)."""
        data = self.data.copy()
        key = f"{self.prefix}-TOTAL_FORMS"
        # The count comes back from the page; one that is not a number starts the rows afresh.
        shown = str(data.get(key) or "0").strip()
        data[key] = str(min(int(shown) + 1 if shown.isdecimal() and len(shown) < 4 else 1, self.max_num))
        return type(self)(data, prefix=self.prefix)


VictimFormSet = forms.formset_factory(
    VictimForm, formset=BaseVictimFormSet, extra=1, max_num=20, validate_max=True, absolute_max=20
)
