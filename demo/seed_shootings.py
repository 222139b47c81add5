"""The demo shootings (see demo.shootings for what they are), written through cases.services
as the app writes them, then dated back so that the timeline reads like ten weeks of work rather
than one seed run.

Idempotent: a case is keyed by its report number and skipped when it exists, so a second run
changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, User
from cases import linking, services
from cases.models import LeadAssignment, NibinLead, Note, NoteRevision, Shooting, ShootingChange, Victim
from cases.note_forms import NOTE_FORMS

from .shootings import (
    CHAINED,
    CHAINED_LEAD,
    EXTRA_INVESTIGATORS,
    FIRST_SEQUENCE,
    HIT_CLUSTER,
    HIT_LEAD,
    LATE_CLUSTER,
    LATE_LEAD,
    VICTIM_DIES,
    CaseSpec,
    build_specs,
)


def seed_demo_cases(users: dict[str, User]) -> int:
    """Create the demo cases that are missing; returns how many were created."""
    users = {**users, **_extra_investigators()}
    specs = build_specs(timezone.localtime())
    existing = Shooting.objects.filter(report_number__startswith="RB").values_list("report_number", flat=True)
    taken = {number[4:] for number in existing}
    created = 0
    with transaction.atomic():
        for spec in specs:
            # Keyed by the sequence part, so a case near New Year is not made twice.
            if f"{FIRST_SEQUENCE + spec.index:06d}" in taken:
                continue
            _create_case(spec, users)
            created += 1
    return created


def _extra_investigators() -> dict[str, User]:
    police = Agency.objects.get(code="RBPD")
    found = {}
    for spec in EXTRA_INVESTIGATORS:
        user, made = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "email": f"{spec['username']}@demo.invalid",
                "agency": police,
                "role": User.Role.INVESTIGATOR,
            },
        )
        if made:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        found[user.username] = user
    return found


def _create_case(spec: CaseSpec, users: dict[str, User]) -> Shooting:
    now = timezone.now()
    year = timezone.localtime(spec.occurred).year % 100
    data = {**spec.data, "report_number": f"RB{year:02d}{FIRST_SEQUENCE + spec.index:06d}"}
    data["lead_investigator"] = users[spec.lead] if spec.lead else None
    creator = users["coordinator"]
    partners = list(Agency.objects.filter(code__in=spec.partners))
    shooting = services.create_shooting(creator, data, victims=spec.victims, partner_agencies=partners)
    victims = list(shooting.victims.all())
    reported = spec.data["reported_at"]
    last = reported

    def at(hours: float) -> datetime:
        return min(reported + timedelta(hours=hours), now - timedelta(minutes=5))

    for note_spec in spec.notes:
        form_data = dict(note_spec.data)
        if "victim" in form_data:
            form_data["victim"] = str(victims[0].pk)
        author = users[note_spec.author]
        had_work = set(LeadAssignment.objects.filter(shooting=shooting).values_list("pk", flat=True))
        note = services.add_note(
            shooting,
            author,
            note_spec.kind,
            _validated(note_spec.kind, shooting, form_data),
            restricted=note_spec.restricted,
        )
        written = at(note_spec.hours_after)
        _date_back(note, written)
        # A lead this note cites joined the case when the note was written.
        LeadAssignment.objects.filter(shooting=shooting).exclude(pk__in=had_work).update(joined_at=written)
        last = max(last, written)
        if note_spec.revision:
            services.revise_note(
                note, author, _validated(note_spec.kind, shooting, note_spec.revision), restricted=note_spec.restricted
            )
            revised = at(note_spec.hours_after + 96)
            NoteRevision.objects.filter(note=note, number=2).update(created_at=revised)
            Note.objects.filter(pk=note.pk).update(updated_at=revised)
            last = max(last, revised)
        if note_spec.retraction:
            services.retract_note(note, author, note_spec.retraction)
            retracted = at(note_spec.hours_after + 3)
            Note.objects.filter(pk=note.pk).update(retracted_at=retracted, updated_at=retracted)
            last = max(last, retracted)
    if spec.index == VICTIM_DIES:
        died_on = (spec.occurred + timedelta(days=3)).date()
        services.record_victim_death(victims[0], users[spec.lead or "investigator"], died_on)
        death_noted = at(3 * 24 + 8)
        ShootingChange.objects.filter(shooting=shooting).update(changed_at=death_noted)
        last = max(last, death_noted)
    last = max(last, _nibin_results(spec, users))
    Victim.objects.filter(shooting=shooting).update(created_at=reported)
    # The prosecution values the case was entered with were recorded when it was entered.
    ShootingChange.objects.filter(shooting=shooting, reason=services.ENTERED_WITH_THE_CASE).update(changed_at=reported)
    Shooting.objects.filter(pk=shooting.pk).update(created_at=reported, updated_at=last, last_activity_at=last)
    return shooting


def _validated(kind: str, shooting: Shooting, data: dict) -> dict:
    """Note fields go through the kind's form, as when a person types them: the demo can never
    hold a note the app itself would refuse."""
    form = NOTE_FORMS[kind](data=data, shooting=shooting)
    if not form.is_valid():
        raise ValueError(f"Demo {kind} note is invalid: {form.errors.as_json()}")
    return form.note_fields()


def _date_back(note: Note, when: datetime) -> None:
    # The services stamp "now"; the demo's ten weeks need the time the note would have been written.
    Note.objects.filter(pk=note.pk).update(created_at=when, updated_at=when)
    NoteRevision.objects.filter(note=note).update(created_at=when)


def _nibin_results(spec: CaseSpec, users: dict[str, User]) -> datetime:
    """The examiner's results come in with the last case of each cluster."""
    i = spec.index
    latest = spec.data["reported_at"]
    if i == HIT_CLUSTER[-1]:
        recovered = spec.occurred + timedelta(hours=2)
        times = {
            "status": NibinLead.Status.HIT,
            "evidence_recovered_at": recovered,
            "entered_at": recovered + timedelta(hours=14),
            "lead_received_at": recovered + timedelta(hours=30),
            "notified_at": recovered + timedelta(hours=41),  # inside the CGIC's 48 hours
        }
        latest = _update_lead(HIT_LEAD, users["atf"], times)
    elif i == LATE_CLUSTER[-1]:
        recovered = spec.occurred + timedelta(hours=3)
        times = {
            "evidence_recovered_at": recovered,
            "entered_at": recovered + timedelta(days=6),  # casings waited in the property room
            "lead_received_at": recovered + timedelta(days=9),
            "notified_at": recovered + timedelta(days=11),
        }
        latest = _update_lead(LATE_LEAD, users["atf"], times)
    elif i == CHAINED[-1]:
        recovered = spec.occurred + timedelta(hours=1)
        times = {"evidence_recovered_at": recovered, "lead_received_at": recovered + timedelta(days=2)}
        latest = _update_lead(CHAINED_LEAD, users["atf"], times)
    return latest


def _update_lead(number: str, user: User, times: dict) -> datetime:
    lead = NibinLead.objects.get(number=number)
    lead = services.update_nibin_lead(lead, user, times)
    received = times["lead_received_at"]
    stamp = times.get("notified_at", received)
    NibinLead.objects.filter(pk=lead.pk).update(
        created_at=received, status_changed_at=stamp if lead.status_changed_at else None
    )
    # The update touched every case citing the lead; their last activity is the notification.
    Shooting.objects.filter(pk__in=linking.shootings_for_lead(lead).values("pk")).update(last_activity_at=stamp)
    return stamp
