"""Mass assignment: fields that a form does not offer, posted anyway (who created or wrote
something, which agency, versions, link clusters, search text, agenda state, a person's role),
change nothing. Each edit posts the form as the page renders it, plus the extra fields, and
must still save what the form does offer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from cases.forms import QuickEditForm, ShootingForm
from cases.models import Note, Shooting
from cases.note_forms import NOTE_FORMS
from meetings.forms import MeetingForm
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.security import sweep_data
from tests.security.sweep_data import ADVOCATE, COORDINATOR, INVESTIGATOR, OUTSIDER

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


def rendered_form_data(form: forms.Form) -> dict:
    """What a browser sends for `form` as rendered with its initial values."""
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
            continue
        if value in (None, "", []):
            continue
        if isinstance(field.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[field.html_name] = [str(v) for v in value]
            continue
        shown = widget.format_value(value)
        data[field.html_name] = shown[0] if isinstance(shown, list) else shown
    return data


def extras(world, *, prefix: str = "") -> dict:
    """Fields no form of ours offers, each set to something an attacker would want."""
    outsider = world.users[OUTSIDER]
    values = {
        "created_by": outsider.pk,
        "author": outsider.pk,
        "author_agency": outsider.agency_id,
        "agency": outsider.agency_id,
        "added_by": outsider.pk,
        "done_by": outsider.pk,
        "assignee": outsider.pk,
        "cluster_id": 999999,
        "search_text": "injected search text",
        "revision_number": 99,
        "agenda_version": 99,
        "status": "held",
        "snapshot": '{"v": 1}',
        "frozen_at": "2020-01-01T00:00",
        "held_at": "2020-01-01T00:00",
        "created_at": "2020-01-01T00:00",
        "role": "supervisor",
        "is_superuser": "on",
        "is_staff": "on",
        "user": outsider.pk,
        "username": "someone_else",
    }
    return {f"{prefix}{name}": value for name, value in values.items()}


def assert_people_unchanged(world) -> None:
    for persona, user in world.users.items():
        fresh = type(user).objects.get(pk=user.pk)
        assert (fresh.role, fresh.agency_id, fresh.is_superuser, fresh.is_staff, fresh.username) == (
            user.role,
            user.agency_id,
            user.is_superuser,
            user.is_staff,
            user.username,
        ), persona


def test_case_edit_ignores_creator_version_cluster_and_search_text(world, client):
    shooting = Shooting.objects.get(pk=world.shootings["police"].pk)
    client.force_login(world.users[INVESTIGATOR])
    # The form's own fields win over the extras of the same name (a case has a real "status").
    data = {
        **extras(world),
        **rendered_form_data(ShootingForm(instance=shooting, initial={"version": shooting.version})),
    }
    data["summary"] = "Two men shot outside a corner store; a third hurt."

    response = client.post(reverse("cases:edit", args=[shooting.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    after = Shooting.objects.get(pk=shooting.pk)
    assert after.summary == "Two men shot outside a corner store; a third hurt."
    assert after.created_by_id == shooting.created_by_id
    assert after.created_at == shooting.created_at
    assert after.cluster_id == shooting.cluster_id
    assert after.search_text == shooting.search_text
    assert after.version == shooting.version + 1
    assert_people_unchanged(world)


def test_quick_edit_changes_only_status_flags_and_lead(world, client):
    shooting = Shooting.objects.get(pk=world.shootings["police"].pk)
    client.force_login(world.users[INVESTIGATOR])
    data = {
        **extras(world),
        **rendered_form_data(QuickEditForm(initial=QuickEditForm.initial_for(shooting), shooting=shooting)),
    }
    data.update(
        status=Shooting.Status.INACTIVE,
        summary="injected summary",
        address="1 Injected Way",
        report_number="SW26999999",
        kind=Shooting.Kind.HOMICIDE,
    )

    response = client.post(reverse("cases:quick_edit", args=[shooting.pk]), data)

    assert response.status_code == 302
    after = Shooting.objects.get(pk=shooting.pk)
    assert after.status == Shooting.Status.INACTIVE
    unchanged = ["summary", "address", "report_number", "kind", "created_by_id", "cluster_id", "search_text"]
    assert {name: getattr(after, name) for name in unchanged} == {name: getattr(shooting, name) for name in unchanged}
    assert after.version == shooting.version + 1
    assert_people_unchanged(world)


def test_note_edit_keeps_author_agency_kind_case_and_the_kinds_own_fields(world, client):
    note = Note.objects.get(pk=world.notes["witness"].pk)
    client.force_login(world.users[INVESTIGATOR])
    form = NOTE_FORMS[note.kind](initial=NOTE_FORMS[note.kind].initial_from(note), shooting=note.shooting)
    data = {**extras(world), **rendered_form_data(form)}
    data.update(
        account="Heard four shots, then a car door.",
        kind=Note.Kind.GENERAL,
        shooting=world.shootings["outsider"].pk,
        purchaser="Injected purchaser",  # a field of another kind of note
        retracted_at="2020-01-01T00:00",
    )

    response = client.post(reverse("cases:edit_note", args=[note.pk]), data)

    assert response.status_code == 302
    after = Note.objects.get(pk=note.pk)
    assert after.fields["account"] == "Heard four shots, then a car door."
    assert (after.author_id, after.author_agency_id, after.kind, after.shooting_id) == (
        note.author_id,
        note.author_agency_id,
        note.kind,
        note.shooting_id,
    )
    assert set(after.fields) == set(note.fields)
    assert after.revision_number == note.revision_number + 1
    assert after.retracted_at is None
    assert after.search_text == note.search_text
    assert_people_unchanged(world)


def test_retracting_a_note_cannot_restrict_or_rewrite_it(world, client):
    note = Note.objects.get(pk=world.notes["police_general"].pk)
    client.force_login(world.users[INVESTIGATOR])
    data = {"reason": "Entered on the wrong case", "restricted_to_agency": "on", "text": "rewritten", **extras(world)}

    response = client.post(reverse("cases:retract_note", args=[note.pk]), data)

    assert response.status_code == 302
    after = Note.objects.get(pk=note.pk)
    assert after.is_retracted and after.retracted_by_id == world.users[INVESTIGATOR].pk
    assert (after.restricted_to_agency, after.fields, after.author_id) == (False, note.fields, note.author_id)


def test_free_text_agenda_item_is_the_coordinators_and_of_this_meeting(world, client):
    meeting = Meeting.objects.get(pk=world.meetings["scheduled"].pk)
    client.force_login(world.users[COORDINATOR])
    data = {"title": "Retaliation watch list (2)", "text": "Three names.", "version": meeting.agenda_version}
    data.update(extras(world))
    data.update(
        kind=AgendaItem.Kind.CASE,
        shooting=world.shootings["police"].pk,
        meeting=world.meetings["held"].pk,
        position=0,
        removed_at="2020-01-01T00:00",
    )

    response = client.post(reverse("meetings:agenda_add_text", args=[meeting.pk]), data)

    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Retaliation watch list (2)")
    assert (item.meeting_id, item.kind, item.shooting_id, item.snapshot, item.removed_at) == (
        meeting.pk,
        AgendaItem.Kind.TEXT,
        None,
        None,
        None,
    )
    assert item.added_by_id == world.users[COORDINATOR].pk
    assert item.position > 1
    after = Meeting.objects.get(pk=meeting.pk)
    assert (after.status, after.agenda_version, after.frozen_at) == (meeting.status, meeting.agenda_version + 1, None)
    assert_people_unchanged(world)


def test_removing_an_agenda_item_records_the_remover_and_nothing_else(world, client):
    meeting = Meeting.objects.get(pk=world.meetings["scheduled"].pk)
    item = world.items[str(meeting.pk)][0]
    client.force_login(world.users[COORDINATOR])
    prefix = f"remove-{item.pk}-"
    data = {f"{prefix}reason": "Discussed last week", "version": meeting.agenda_version}
    data.update(extras(world))
    data.update(extras(world, prefix=prefix))
    data.update({f"{prefix}title": "Injected title", f"{prefix}shooting": world.shootings["atf"].pk})

    response = client.post(reverse("meetings:agenda_remove", args=[meeting.pk, item.pk]), data)

    assert response.status_code == 302
    after = AgendaItem.objects.get(pk=item.pk)
    assert after.removed_by_id == world.users[COORDINATOR].pk
    assert (after.title, after.shooting_id, after.added_by_id) == (item.title, item.shooting_id, item.added_by_id)


def test_recording_an_outcome_changes_only_the_outcome(world, client):
    meeting = Meeting.objects.get(pk=world.meetings["frozen"].pk)
    item = AgendaItem.objects.get(pk=world.items[str(meeting.pk)][1].pk)
    client.force_login(world.users[COORDINATOR])
    prefix = f"record-{item.pk}-"
    data = {f"{prefix}discussed": "on", f"{prefix}outcome": "information", f"{prefix}outcome_text": "Noted."}
    data.update(extras(world))
    data.update(extras(world, prefix=prefix))
    for name in ["title", "text", "shooting", "meeting", "position", "removed_at", "reasons", "group_key"]:
        data[f"{prefix}{name}"] = data[name] = "1"
    data["version"] = meeting.agenda_version

    response = client.post(reverse("meetings:agenda_record", args=[meeting.pk, item.pk]), data)

    assert response.status_code == 302
    after = AgendaItem.objects.get(pk=item.pk)
    assert (after.outcome, after.outcome_text) == ("information", "Noted.")
    kept = ["title", "text", "shooting_id", "meeting_id", "position", "removed_at", "reasons", "group_key", "snapshot"]
    assert {name: getattr(after, name) for name in kept} == {name: getattr(item, name) for name in kept}
    after_meeting = Meeting.objects.get(pk=meeting.pk)
    assert (after_meeting.status, after_meeting.held_at) == (Meeting.Status.FROZEN, None)


def test_a_new_action_item_is_created_by_the_coordinator_open_and_on_the_items_case(world, client):
    meeting = Meeting.objects.get(pk=world.meetings["frozen"].pk)
    item = world.items[str(meeting.pk)][0]
    client.force_login(world.users[COORDINATOR])
    prefix = f"action-{item.pk}-"
    due = timezone.localdate() + timedelta(days=3)
    data = {
        f"{prefix}description": "Interview the shop owner again",
        f"{prefix}assignee": world.users[INVESTIGATOR].pk,
        f"{prefix}due_on": due.isoformat(),
    }
    data.update(extras(world))
    # The prefixed extras too, except the agency: the form offers it (empty: the assignee's).
    data.update({name: value for name, value in extras(world, prefix=prefix).items() if name not in data})
    data.pop(f"{prefix}agency")
    data.update(shooting=world.shootings["atf"].pk, meeting=world.meetings["held"].pk, done_at="2020-01-01T00:00")

    response = client.post(reverse("meetings:agenda_action", args=[meeting.pk, item.pk]), data)

    assert response.status_code == 302
    action = ActionItem.objects.get(description="Interview the shop owner again")
    assert action.created_by_id == world.users[COORDINATOR].pk
    assert (action.status, action.done_at, action.done_by_id) == (ActionItem.Status.OPEN, None, None)
    assert (action.meeting_id, action.agenda_item_id, action.shooting_id) == (meeting.pk, item.pk, item.shooting_id)
    assert action.assignee_id == world.users[INVESTIGATOR].pk
    assert action.agency_id == world.users[INVESTIGATOR].agency_id
    assert_people_unchanged(world)


def test_marking_my_item_done_keeps_what_was_agreed(world, client):
    action = ActionItem.objects.get(assignee=world.users[ADVOCATE])
    client.force_login(world.users[ADVOCATE])
    data = {"note": "Called; safety plan updated."}
    data.update(extras(world))
    data.update(description="Something else", due_on="2030-01-01", meeting=world.meetings["held"].pk)
    data.update(shooting=world.shootings["atf"].pk, status="open")

    response = client.post(reverse("meetings:action_item_done", args=[action.pk]), data)

    assert response.status_code == 302
    after = ActionItem.objects.get(pk=action.pk)
    assert (after.status, after.done_note, after.done_by_id) == (
        ActionItem.Status.DONE,
        "Called; safety plan updated.",
        world.users[ADVOCATE].pk,
    )
    kept = ["description", "assignee_id", "agency_id", "due_on", "created_by_id", "meeting_id", "shooting_id"]
    assert {name: getattr(after, name) for name in kept} == {name: getattr(action, name) for name in kept}
    assert_people_unchanged(world)


def test_meeting_edit_cannot_freeze_hold_or_move_a_meeting_between_series(world, client):
    meeting = Meeting.objects.get(pk=world.meetings["scheduled"].pk)
    client.force_login(world.users[COORDINATOR])
    data = {**extras(world), **rendered_form_data(MeetingForm(meeting=meeting))}
    data.update(
        place="Headquarters, room 5D",
        series=world.series[0].pk,  # shown, but disabled: a meeting stays in its series
        cancel_reason="injected",
        cover_snapshot='{"injected": true}',
        local_date="2020-01-01",
        moved_from="2020-01-01T00:00",
    )

    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    after = Meeting.objects.get(pk=meeting.pk)
    assert after.place == "Headquarters, room 5D"
    kept = [
        "status",
        "series_id",
        "frozen_at",
        "held_at",
        "agenda_version",
        "cancel_reason",
        "cover_snapshot",
        "local_date",
        "moved_from",
        "starts_at",
    ]
    assert {name: getattr(after, name) for name in kept} == {name: getattr(meeting, name) for name in kept}
    assert_people_unchanged(world)


def test_attendance_ignores_a_person_that_is_not_a_number_without_a_server_error(world, client):
    meeting = Meeting.objects.get(pk=world.meetings["frozen"].pk)
    client.force_login(world.users[COORDINATOR])
    client.raise_request_exception = False
    police = world.agencies["police"].pk
    for junk in ["x", "²", "1 OR 1=1"]:
        response = client.post(
            reverse("meetings:agenda_attendance", args=[meeting.pk]),
            {f"present_{police}": "on", f"people_{police}": junk},
        )
        assert response.status_code < 500, junk
    assert not meeting.attendance.filter(people__isnull=False).exists()
