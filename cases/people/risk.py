"""People at risk of retaliation and their follow-up: who is at risk, who has been reached, who
sees and records which contacts.

At risk (derived, never stored): a person with a victim or associate role in an open shooting
flagged as a retaliation risk. The unit of follow-up is the person in that shooting: someone at
risk after two shootings is followed up for each.

Contact made: a contact row in force (not replaced by a correction, not withdrawn) whose outcome
is "reached" (reached and notified, or reached and declined). A custom notification is a contact
only when it reached someone; an attempt that reached no one, or only left a message, does not
clear "no contact yet", whoever recorded it.

Who sees and records (the README's "Who sees what", part people at risk):
- Law enforcement and prosecutors see every person at risk (victims and associates) and record
  contact attempts and custom notifications for any of them.
- Victim advocates see people at risk only as victims (the victim roles they may see anyway;
  never an associate role, never a suspect or witness role), and record their own advocate
  outreach for them.
- Each side sees in full (kind, with whom, outcome, who, note) the contacts recorded by its own
  side: law enforcement those of law-enforcement agencies, advocates those of advocacy agencies.
  Of the other side's contacts it sees only "contact made" or "attempt, no contact", the date
  and the agency: advocates' records stay with advocates (as victim-services notes do), and a
  custom notification's words and the law-enforcement note stay with law enforcement.
- Nobody else (a partner of another kind) sees the follow-up at all.
Contacts hang on victim and associate roles only, which no agency-restricted note ever makes,
so a restricted note never brings a person onto these lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.audit import refuse
from accounts.models import Agency, User

from ..access import LAW_ENFORCEMENT_AGENCIES, is_advocate, sees_investigative_detail
from ..models import PersonRole, Shooting
from .access import roles_visible_to
from .risk_models import REACHED, RiskContact

AT_RISK_KINDS = (PersonRole.Kind.VICTIM, PersonRole.Kind.ASSOCIATE)
ADVOCACY_AGENCIES = {Agency.Kind.VICTIM_ADVOCACY}


# --- Who is at risk, who has been reached -----------------------------------------------------


def at_risk_q(prefix: str = "") -> Q:
    """The filter for person-roles that put a person at risk (`prefix` reaches the role from
    another model, e.g. "person_roles__")."""
    return Q(
        **{
            f"{prefix}kind__in": AT_RISK_KINDS,
            f"{prefix}shooting__status": Shooting.Status.OPEN,
            f"{prefix}shooting__is_retaliation_risk": True,
            f"{prefix}person__merged_into__isnull": True,
        }
    )


def contacts_in_force(queryset: QuerySet | None = None) -> QuerySet[RiskContact]:
    """Contact rows no correction has replaced, withdrawals left out."""
    queryset = queryset if queryset is not None else RiskContact.objects.all()
    return queryset.filter(replaced_by__isnull=True, withdrawn=False)


def _reached_for_role() -> Exists:
    """A contact that reached the role's person about the role's shooting, on any of the person's
    roles in that shooting (after a merge, both records' contacts count)."""
    return Exists(
        contacts_in_force().filter(
            outcome__in=REACHED, shooting_id=OuterRef("shooting_id"), role__person_id=OuterRef("person_id")
        )
    )


def at_risk_roles(queryset: QuerySet | None = None) -> QuerySet[PersonRole]:
    queryset = queryset if queryset is not None else PersonRole.objects.all()
    return queryset.filter(at_risk_q())


def awaiting_contact(queryset: QuerySet | None = None) -> QuerySet[PersonRole]:
    """At-risk roles whose person has not been reached about that shooting."""
    return at_risk_roles(queryset).exclude(_reached_for_role())


def shootings_awaiting_contact() -> QuerySet[Shooting]:
    """Open retaliation-risk shootings with at least one person at risk not yet reached (used by
    the daily reminder to the lead investigator)."""
    return Shooting.objects.filter(Exists(awaiting_contact().filter(shooting_id=OuterRef("pk"))))


def shootings_with_people_at_risk() -> QuerySet[Shooting]:
    return Shooting.objects.filter(Exists(at_risk_roles().filter(shooting_id=OuterRef("pk"))))


# --- Who sees and records ---------------------------------------------------------------------


def sees_follow_up(user) -> bool:
    return sees_investigative_detail(user) or is_advocate(user)


def can_record_contact(user) -> bool:
    return sees_follow_up(user)


def kinds_for(user) -> list[str]:
    """The kinds of contact `user` may record."""
    if sees_investigative_detail(user):
        return [RiskContact.Kind.ATTEMPT, RiskContact.Kind.NOTIFICATION]
    if is_advocate(user):
        return [RiskContact.Kind.OUTREACH]
    return []


def _side(agency_kind: str) -> str:
    if agency_kind in LAW_ENFORCEMENT_AGENCIES:
        return "law"
    return "advocacy" if agency_kind in ADVOCACY_AGENCIES else "other"


def sees_in_full(user, contact: RiskContact) -> bool:
    """Whether `user` sees a contact's kind, with whom, outcome, who and note, or only that a
    contact was made (or tried) on a date by an agency."""
    viewer = "law" if sees_investigative_detail(user) else "advocacy" if is_advocate(user) else "none"
    return viewer == _side(contact.agency.kind)


def can_correct(user, contact: RiskContact) -> bool:
    """The one who recorded it, or a supervisor of their agency (as for notes)."""
    if not can_record_contact(user):
        return False
    return contact.recorded_by_id == user.pk or (
        user.role == User.Role.SUPERVISOR and user.agency_id == contact.agency_id
    )


def risk_roles_visible_to(user) -> QuerySet[PersonRole]:
    """The at-risk roles `user` may follow up: none for those who may not see the follow-up; for
    advocates the victim roles only (roles_visible_to already says so)."""
    if not sees_follow_up(user):
        return PersonRole.objects.none()
    return at_risk_roles(roles_visible_to(user))


# --- Permission-checked lookups: the object, or a refusal (404, audited) ----------------------


def access_people_at_risk(user, request=None) -> None:
    if not sees_follow_up(user):
        refuse(user, "people at risk", "-", request)


def access_role_to_follow_up(user, person, shooting_pk, request=None) -> PersonRole:
    """The at-risk role of `person` in the shooting `user` records a contact for."""
    role = None
    if can_record_contact(user) and str(shooting_pk).isdigit():
        role = (
            risk_roles_visible_to(user)
            .filter(person=person, shooting_id=shooting_pk)
            .select_related("shooting")
            .order_by("kind", "pk")  # "associate" < "victim": the victim role wins below
            .last()
        )
    if role is None:
        refuse(user, "person at risk", f"{person.pk}/{shooting_pk}", request)
    return role


def access_contact_to_correct(user, pk, request=None) -> RiskContact:
    contact = None
    if can_record_contact(user) and str(pk).isdigit():
        contact = (
            contacts_in_force()
            .filter(pk=pk, role__in=risk_roles_visible_to(user))
            .select_related("agency", "role", "shooting")
            .first()
        )
    if contact is None or not can_correct(user, contact):
        refuse(user, "risk contact", pk, request)
    return contact


# --- What a reader sees: one shape for the list, the person page and the agenda ---------------


@dataclass
class ContactLine:
    """One contact as `user` may see it: in full, or reduced to the fact, the date and the agency."""

    pk: int
    on: date
    agency_name: str
    reached: bool
    full: bool
    kind: str = ""
    with_whom: str = ""
    outcome: str = ""
    recorded_by: str = ""
    note: str = ""
    can_correct: bool = False
    corrected: bool = False

    @property
    def summary(self) -> str:
        return "Contact made" if self.reached else "Attempt, no contact"


@dataclass
class AtRisk:
    """A person at risk after one shooting, with the contacts the viewer may see, newest first."""

    person_id: int
    name: str
    role_kind: str
    shooting_id: int
    report_number: str
    occurred_on: date
    days_since: int
    contacts: list[ContactLine] = field(default_factory=list)

    @property
    def contacted(self) -> bool:
        return any(c.reached for c in self.contacts)

    @property
    def last(self) -> ContactLine | None:
        return self.contacts[0] if self.contacts else None


def _line(contact: RiskContact, user) -> ContactLine:
    line = ContactLine(
        pk=contact.pk,
        on=contact.contacted_on,
        agency_name=contact.agency_name,
        reached=contact.reached,
        full=sees_in_full(user, contact),
    )
    if line.full:
        line.kind = contact.get_kind_display()
        line.with_whom = contact.with_whom
        line.outcome = contact.get_outcome_display()
        line.recorded_by = contact.recorded_by_name
        line.note = contact.note
        line.can_correct = can_correct(user, contact)
        line.corrected = contact.replaces_id is not None
    return line


def people_at_risk(user, *, person=None, awaiting_only: bool = False) -> list[AtRisk]:
    """The people at risk `user` may follow up (of one person, or those not yet reached), no
    contact yet first, then the longest waiting first. Two queries: the roles with their
    shootings, the contacts in force with their agencies."""
    roles = risk_roles_visible_to(user)
    if person is not None:
        roles = roles.filter(person=person)
    if awaiting_only:
        roles = roles.exclude(_reached_for_role())
    today = timezone.localdate()
    found: dict[tuple[int, int], AtRisk] = {}
    for role in roles.select_related("shooting").order_by("-kind", "pk"):  # a victim role names the person first
        key = (role.person_id, role.shooting_id)
        if key in found:
            continue
        occurred_on = timezone.localdate(role.shooting.occurred_from)
        found[key] = AtRisk(
            person_id=role.person_id,
            name=role.name or "Unnamed person",
            role_kind=role.get_kind_display(),
            shooting_id=role.shooting_id,
            report_number=role.shooting.report_number,
            occurred_on=occurred_on,
            days_since=(today - occurred_on).days,
        )
    if found:
        contacts = (
            contacts_in_force()
            .filter(shooting_id__in={s for _, s in found}, role__person_id__in={p for p, _ in found})
            .select_related("agency", "role")
            .order_by("-contacted_on", "-pk")
        )
        for contact in contacts:
            entry = found.get((contact.role.person_id, contact.shooting_id))
            if entry is not None:
                entry.contacts.append(_line(contact, user))
    return sorted(found.values(), key=lambda e: (e.contacted, e.occurred_on, e.name, e.shooting_id))
