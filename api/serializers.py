"""The shapes of the API's answers and of the bodies it takes, for the OpenAPI schema. Answers are
built by the views as plain dicts from what cases.access lets the caller see; bodies are checked
by the app's own forms (api.inputs), and their schema is drawn from those forms here, so the
documentation cannot drift from the rules."""

from __future__ import annotations

from functools import cache

from django import forms
from rest_framework import serializers

from accounts.inputs import EARLIEST, LATEST


def _field_from_form(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "help_text": str(field.help_text or "") or None}
    if field.label:
        common["label"] = str(field.label)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, label=common.get("label"), help_text=common["help_text"])
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        return serializers.IntegerField(**common, allow_null=True)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c in field.choices if c[0] != ""] or [], **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(min_value=field.min_value, max_value=field.max_value, **common)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=True, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=True, **common)
    if isinstance(field, forms.CharField):
        return serializers.CharField(max_length=field.max_length, allow_blank=not field.required, **common)
    return serializers.CharField(**common)


@cache
def serializer_for_form(form_class: type[forms.BaseForm], name: str, *, extra: tuple = (), skip: tuple = ()):
    """A serializer describing the JSON body that `form_class` validates (for the schema only)."""
    attrs = {
        field_name: _field_from_form(field)
        for field_name, field in form_class.base_fields.items()
        if field_name not in skip and not isinstance(field.widget, forms.HiddenInput)
    }
    for field_name, field in extra:
        attrs[field_name] = field
    return type(name, (serializers.Serializer,), attrs)


DATE_HELP = f"Dates between {EARLIEST.isoformat()} and {LATEST.isoformat()}."


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class InputErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → messages; errors of the whole request under `non_field_errors`.",
    )


class VictimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    age = serializers.CharField(help_text="The age, `juvenile` (withheld) or `unknown`.")
    sex = serializers.CharField()
    injury = serializers.CharField()
    died_on = serializers.DateField(allow_null=True)
    referral_status = serializers.CharField()


class CaseRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report_number = serializers.CharField()
    occurred_from = serializers.DateTimeField()
    kind = serializers.CharField()
    address = serializers.CharField()
    division = serializers.CharField()
    status = serializers.CharField()
    lead_investigator = serializers.CharField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    victims = serializers.ListField(child=serializers.DictField())
    url = serializers.CharField()


class CasePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CaseRowSerializer(many=True)


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField()
    kind = serializers.CharField()
    author = serializers.CharField()
    author_agency = serializers.CharField()
    restricted_to_agency = serializers.BooleanField()
    revision = serializers.IntegerField(help_text="Send it back to revise the note.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    retracted = serializers.BooleanField()
    retraction_reason = serializers.CharField()
    redacted = serializers.BooleanField(help_text="Some fields are withheld from you.")
    can_edit = serializers.BooleanField()
    fields = serializers.DictField(help_text="The note's values you may see, by field name.")


class ProsecutionSerializer(serializers.Serializer):
    referred_to = serializers.CharField()
    charges_filed = serializers.CharField()
    custody_status = serializers.CharField()
    disposition = serializers.CharField()
    version = serializers.IntegerField(help_text="The case's version: send it back to change these.")


class LeadWorkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lead = serializers.IntegerField()
    case = serializers.IntegerField()
    investigator = serializers.CharField(allow_null=True)
    investigator_id = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    outcome = serializers.CharField()
    outcome_note = serializers.CharField()
    joined_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class LeadSerializer(serializers.Serializer):
    """Victim advocates read a lead's `id`, `number` and `cases` only, as on the NIBIN pages."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(required=False)
    evidence_recovered_at = serializers.DateTimeField(allow_null=True, required=False)
    entered_at = serializers.DateTimeField(allow_null=True, required=False)
    lead_received_at = serializers.DateTimeField(allow_null=True, required=False)
    notified_at = serializers.DateTimeField(allow_null=True, required=False)
    turnaround_hours = serializers.FloatField(allow_null=True, required=False)
    version = serializers.IntegerField(required=False)
    priority = serializers.CharField(required=False, help_text="For those who work on leads only.")
    priority_reason = serializers.CharField(required=False, help_text="For those who work on leads only.")
    cases = serializers.ListField(child=serializers.DictField(), required=False)
    work = LeadWorkSerializer(many=True, required=False, help_text="For those who work on leads only.")


class LeadPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = LeadSerializer(many=True)


class LinkedCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report_number = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    direct = serializers.BooleanField()


class ManualLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_case = serializers.IntegerField()
    to_case = serializers.IntegerField()
    reason = serializers.CharField()


class CaseDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report_number = serializers.CharField()
    kind = serializers.CharField()
    occurred_from = serializers.DateTimeField()
    occurred_to = serializers.DateTimeField(allow_null=True)
    reported_at = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField()
    division = serializers.CharField()
    beat = serializers.CharField()
    status = serializers.CharField()
    cleared_on = serializers.DateField(allow_null=True)
    counting = serializers.CharField()
    lead_investigator = serializers.CharField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
    prosecution = ProsecutionSerializer()
    version = serializers.IntegerField()
    victims = VictimSerializer(many=True)
    notes = NoteSerializer(many=True)
    linked_cases = LinkedCaseSerializer(many=True)
    manual_links = ManualLinkSerializer(many=True)
    leads = LeadSerializer(many=True)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = serializers.DictField(help_text="The object as it is now, with its current version.")


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    status = serializers.CharField()
    chair = serializers.CharField(allow_null=True)
    url = serializers.CharField()


class AgendaNoteSerializer(serializers.Serializer):
    kind = serializers.CharField()
    when = serializers.CharField()
    agency = serializers.CharField()
    restricted = serializers.BooleanField()
    redacted = serializers.BooleanField()
    values = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    paragraphs = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class AgendaCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report_number = serializers.CharField()
    kind = serializers.CharField()
    when = serializers.CharField()
    place = serializers.CharField()
    status = serializers.CharField()
    lead_investigator = serializers.CharField()
    victims = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    indicators = serializers.ListField(child=serializers.CharField())
    leads = serializers.ListField(child=serializers.DictField())
    linked = serializers.ListField(child=serializers.CharField())
    new_since = serializers.CharField()
    new_notes = AgendaNoteSerializer(many=True)
    new_notes_hidden = serializers.BooleanField()
    prosecution = serializers.ListField(child=serializers.DictField())
    action_items = serializers.ListField(child=serializers.DictField())


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    discussed = serializers.BooleanField()
    outcome = serializers.CharField()
    outcome_text = serializers.CharField()
    case = AgendaCaseSerializer(allow_null=True)


class MeetingDetailSerializer(MeetingSerializer):
    frozen = serializers.BooleanField()
    agenda = AgendaItemSerializer(many=True)


class MeetingListSerializer(serializers.Serializer):
    upcoming = MeetingSerializer(many=True)
    past = MeetingSerializer(many=True)
    page = serializers.IntegerField()
    pages = serializers.IntegerField()


class ActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    assignee = serializers.CharField()
    assignee_id = serializers.IntegerField()
    agency = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_note = serializers.CharField()
    meeting = serializers.IntegerField(allow_null=True)
    case = serializers.IntegerField(allow_null=True)
    report_number = serializers.CharField(allow_null=True)


class ActionItemListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = ActionItemSerializer(many=True)
