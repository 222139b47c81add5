"""Every write to a case goes through these functions: they own the transaction, keep history,
and keep links and search text current."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.stored_dates import minute_text

from . import lead_work, linking
from .display import shooting_value
from .models import ManualLink, NibinLead, Note, NoteRevision, Person, Shooting, ShootingChange, Victim
from .people import services as people
from .prosecution import PROSECUTION_FIELDS

# Shooting fields a form may change; everything else (version, cluster, search text, creator)
# is the app's to keep, so extra POSTed fields can never reach them.
EDITABLE_FIELDS = [
    "report_number",
    "kind",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "address",
    "division",
    "beat",
    "latitude",
    "longitude",
    "status",
    "cleared_on",
    "counting",
    "lead_investigator",
    "is_domestic_violence",
    "is_group_involved",
    "is_retaliation_risk",
    "is_juvenile_involved",
    "summary",
    "referred_to",
    "charges_filed",
    "custody_status",
    "disposition",
]


class EditConflict(Exception):
    """Someone else saved the case after this form was loaded."""

    def __init__(self, current: Shooting):
        super().__init__("The case was changed by someone else.")
        self.current = current


def refresh_search_text(shooting: Shooting) -> None:
    names = " ".join(shooting.victims.values_list("name", flat=True))
    text = f"{shooting.report_number} {shooting.address} {names}".lower()
    Shooting.objects.filter(pk=shooting.pk).update(search_text=text)
    shooting.search_text = text


def _touch(shooting_id: int) -> None:
    Shooting.objects.filter(pk=shooting_id).update(last_activity_at=timezone.now())


@transaction.atomic
def create_shooting(user: User, data: dict, victims: Iterable[dict] = (), partner_agencies=()) -> Shooting:
    shooting = Shooting(created_by=user, last_activity_at=timezone.now())
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(shooting, name, data[name])
    if shooting.is_cleared and not shooting.cleared_on:
        shooting.cleared_on = timezone.localdate()
    shooting.full_clean()
    shooting.save()
    if partner_agencies:
        shooting.partner_agencies.set(partner_agencies)
    for victim in victims:
        # An import may give a date of birth: the person's, not a field of the victim.
        victim = dict(victim)
        born = victim.pop("date_of_birth", None)
        people.attach_victim(Victim.objects.create(shooting=shooting, **victim), user, born=born)
    refresh_search_text(shooting)
    _record_prosecution_on_entry(shooting, user)
    return shooting


# The reason the history gives for the prosecution values a case was entered with.
ENTERED_WITH_THE_CASE = "Entered with the case"


def _record_change(shooting: Shooting, user: User, changes: dict, reason: str) -> None:
    """One line of the case's history, keeping the editor's name as it read then."""
    ShootingChange.objects.create(
        shooting=shooting,
        changed_by=user,
        changed_by_name=user.get_full_name() or user.username,
        changes=changes,
        reason=reason,
    )


def _record_prosecution_on_entry(shooting: Shooting, user: User) -> None:
    """A referral or charges entered with a new case start its history, dated at entry: the
    agenda and the cover read prosecution follow-through from the history (cases.prosecution),
    and a case entered already charged was charged as far as the review knows then."""
    entered = {
        name: ["", shooting_value(shooting, name)] for name in PROSECUTION_FIELDS if shooting_value(shooting, name)
    }
    if entered:
        _record_change(shooting, user, entered, ENTERED_WITH_THE_CASE)


@transaction.atomic
def update_shooting(
    shooting: Shooting, user: User, data: dict, *, expected_version: int, partner_agencies=None, reason: str = ""
) -> Shooting:
    """Save changed fields if nobody saved since `expected_version`; record what changed."""
    current = Shooting.objects.select_for_update().get(pk=shooting.pk)
    if current.version != expected_version:
        raise EditConflict(current)
    changes = {}
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        before, old = getattr(current, name), shooting_value(current, name)
        setattr(current, name, data[name])
        new = shooting_value(current, name)
        # The history shows times to the minute; a time moved by seconds is still a change.
        if old != new or (isinstance(before, datetime) and before != data[name]):
            changes[name] = [old, new]
    if current.is_cleared and not current.cleared_on:
        current.cleared_on = timezone.localdate()
        changes["cleared_on"] = ["", str(current.cleared_on)]
    if partner_agencies is not None:
        old = sorted(current.partner_agencies.values_list("code", flat=True))
        new = sorted(a.code for a in partner_agencies)
        if old != new:
            current.partner_agencies.set(partner_agencies)
            changes["partner_agencies"] = [", ".join(old), ", ".join(new)]
    if not changes:
        return current
    current.full_clean()
    current.version = F("version") + 1
    current.last_activity_at = timezone.now()
    current.save()
    current.refresh_from_db()
    _record_change(current, user, changes, reason)
    if "report_number" in changes or "address" in changes:  # both are in the search text
        refresh_search_text(current)
    return current


@transaction.atomic
def add_victim(shooting: Shooting, user: User, data: dict, *, person: Person | None = None) -> Victim:
    """A victim, and their person: `person` when the user confirmed a suggested match, else (by
    an import's date of birth, `data["date_of_birth"]`) the one of exactly the same name and date
    of birth, else a new one."""
    data = dict(data)
    born = data.pop("date_of_birth", None)
    victim = Victim(shooting=shooting, **data)
    victim.full_clean()
    victim.save()
    people.attach_victim(victim, user, person, born=born)
    refresh_search_text(shooting)
    _touch(shooting.pk)
    return victim


@transaction.atomic
def record_victim_death(victim: Victim, user: User, died_on: date) -> Shooting:
    """A victim of a non-fatal shooting died: the case becomes a homicide and keeps its history."""
    victim.injury = Victim.Injury.FATAL
    victim.died_on = died_on
    victim.save(update_fields=["injury", "died_on"])
    shooting = victim.shooting
    data = {"kind": Shooting.Kind.HOMICIDE} if shooting.kind != Shooting.Kind.HOMICIDE else {}
    reason = f"Victim {victim.pk} died on {died_on.isoformat()}"
    updated = update_shooting(
        shooting, user, data, expected_version=Shooting.objects.get(pk=shooting.pk).version, reason=reason
    )
    if not data:
        _record_change(updated, user, {"victim": ["non-fatal", "fatal"]}, reason)
    return updated


def _search_text(kind: str, fields: dict) -> str:
    if kind == Note.Kind.SUSPECT:
        return f"{fields.get('name', '')} {fields.get('aliases', '')}".lower().strip()
    return ""


def _apply_referral_status(note: Note) -> None:
    """Victim services: the referral status (not the detail) flows back to the victim record."""
    if note.kind != Note.Kind.VICTIM_SERVICES or note.is_retracted:
        return
    victim_id = note.fields.get("victim")
    status = note.fields.get("referral_status")
    if victim_id and status:
        Victim.objects.filter(pk=victim_id, shooting_id=note.shooting_id).update(referral_status=status)


@transaction.atomic
def add_note(
    shooting: Shooting, user: User, kind: str, fields: dict, *, restricted: bool = False, person: Person | None = None
) -> Note:
    """A note; a suspect or witness note also gives its person a role (`person` when the user
    confirmed a suggested match, else a new person)."""
    note = Note.objects.create(
        shooting=shooting,
        kind=kind,
        author=user,
        author_agency_id=user.agency_id,
        restricted_to_agency=restricted,
        fields=fields,
        search_text=_search_text(kind, fields),
    )
    _record_revision(note, user)
    people.attach_note(note, user, person)
    return note


class NoteConflict(Exception):
    """Someone revised the note after the caller read the revision it names."""

    def __init__(self, current: Note):
        super().__init__("The note was changed by someone else.")
        self.current = current


@transaction.atomic
def revise_note(
    note: Note, user: User, fields: dict, *, restricted: bool, expected_revision: int | None = None
) -> Note:
    """An edit is a new revision; the old one stays viewable. With `expected_revision` (the API
    sends the revision it read) a note revised since is refused with NoteConflict."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.is_retracted:
        raise ValueError("A retracted note cannot be edited.")
    if expected_revision is not None and expected_revision != note.revision_number:
        raise NoteConflict(note)
    if fields == note.fields and restricted == note.restricted_to_agency:
        return note
    note.revision_number += 1
    note.fields = fields
    note.restricted_to_agency = restricted
    note.search_text = _search_text(note.kind, fields)
    note.save()
    _record_revision(note, user)
    people.refresh_note_role(note)
    return note


@transaction.atomic
def retract_note(note: Note, user: User, reason: str) -> Note:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A retraction needs a reason.")
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.is_retracted:
        return note
    note.retracted_at = timezone.now()
    note.retracted_by = user
    note.retraction_reason = reason[:500]
    note.save(update_fields=["retracted_at", "retracted_by", "retraction_reason", "updated_at"])
    _after_note_change(note)
    return note


def _record_revision(note: Note, user: User) -> None:
    """Keep the note's current content as its newest revision, then update what depends on it."""
    NoteRevision.objects.create(
        note=note,
        number=note.revision_number,
        fields=note.fields,
        restricted_to_agency=note.restricted_to_agency,
        edited_by=user,
        edited_by_name=user.get_full_name() or user.username,
    )
    _after_note_change(note)


def _after_note_change(note: Note) -> None:
    _apply_referral_status(note)
    _touch(note.shooting_id)
    if note.kind == Note.Kind.FIREARM:
        linking.relink(linking.refresh_link_keys(note))


@transaction.atomic
def link_manually(a: Shooting, b: Shooting, user: User, reason: str) -> ManualLink:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A manual link needs a reason.")
    if a.pk == b.pk:
        raise ValueError("A case cannot be linked to itself.")
    link = ManualLink.objects.create(from_shooting=a, to_shooting=b, reason=reason[:300], created_by=user)
    linking.relink({a.pk, b.pk})
    _touch(a.pk)
    _touch(b.pk)
    return link


@transaction.atomic
def remove_manual_link(link: ManualLink, user: User, reason: str) -> None:
    if not (reason or "").strip():
        raise ValueError("Removing a link needs a reason.")
    link.removed_at = timezone.now()
    link.removed_by = user
    link.removal_reason = reason.strip()[:300]
    link.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    linking.relink({link.from_shooting_id, link.to_shooting_id})


# What the lead page (and the feed of lead reports) may set besides the status.
LEAD_FIELDS = ["evidence_recovered_at", "entered_at", "lead_received_at", "notified_at", "examiner"]


@transaction.atomic
def update_nibin_lead(lead: NibinLead, user: User, data: dict, *, expected_version: int | None = None) -> NibinLead:
    """Change a lead's status or times; a status change is stamped with who and when. A change
    bumps the lead's version; with `expected_version` (the API sends the version it read) a lead
    changed since is refused with LeadConflict."""
    lead = NibinLead.objects.select_for_update().get(pk=lead.pk)
    if expected_version is not None and expected_version != lead.version:
        raise lead_work.LeadConflict(current=lead)
    status = data.get("status", lead.status)
    changed = False
    if status != lead.status:
        lead.status = status
        lead.status_changed_at = timezone.now()
        lead.status_changed_by = user
        changed = True
    for name in LEAD_FIELDS:
        if name in data and data[name] != getattr(lead, name):
            setattr(lead, name, data[name])
            changed = True
    if changed:
        lead.version += 1
    lead.full_clean()
    lead.save()
    for shooting in linking.shootings_for_lead(lead):
        _touch(shooting.pk)
    return lead


# How a change by hand names each field in the lead's history (as the lead report import does).
LEAD_HISTORY_NAMES = {
    "examiner": "examiner",
    "evidence_recovered_at": "evidence recovered",
    "entered_at": "entered into NIBIN",
    "lead_received_at": "lead received",
    "notified_at": "investigators notified",
}


def _lead_history_value(value) -> str:
    if isinstance(value, datetime):
        return minute_text(timezone.localtime(value))
    return value or ""


def _stored_times_kept(lead: NibinLead, data: dict) -> dict:
    """`data`, where a time given to the minute (as the lead's page shows it) is the minute of the
    stored time, with the stored time: saving the form as shown must not move a time by its
    seconds, nor write that as a change."""
    kept = dict(data)
    for name in LEAD_HISTORY_NAMES:
        given, stored = kept.get(name), getattr(lead, name)
        to_the_minute = isinstance(given, datetime) and not (given.second or given.microsecond)
        if to_the_minute and isinstance(stored, datetime) and given == stored.replace(second=0, microsecond=0):
            kept[name] = stored
    return kept


@transaction.atomic
def change_lead_by_hand(lead: NibinLead, user: User, data: dict, *, version: int) -> NibinLead:
    """A person's change to the lead's status, examiner or times (its page, the API): refused with
    LeadConflict when the lead changed since they read `version`, and kept in the lead's history
    with who, when, and each value before and after."""
    before = NibinLead.objects.select_for_update().get(pk=lead.pk)
    after = update_nibin_lead(before, user, _stored_times_kept(before, data), expected_version=version)
    changes = {}
    if after.status != before.status:
        changes["status"] = [before.get_status_display(), after.get_status_display()]
    for name, label in LEAD_HISTORY_NAMES.items():
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[label] = [_lead_history_value(old), _lead_history_value(new)]
    if changes:
        lead_work.record_change(lead.pk, user, changes)
    return after
