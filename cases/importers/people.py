"""What an import did about people: the victims it linked to someone already recorded (exact name
and date of birth, cases.people.services.attach_victim) and those it left with a person of their
own although similar people are recorded, for someone to review at the person suggestions page.
Read after the import's transaction, as the importer sees people (cases.people.access)."""

from __future__ import annotations

from ..models import PersonChange, PersonRole
from ..people.matching import likely_matches
from ..people.services import LINKED_ON_IMPORT
from .common import ImportReport, LeftSuggestion, LinkedVictim, Outcome

# Each victim looked at costs two queries; past this many the rest are counted, not listed.
MAX_CHECKED = 200


def report_people(report: ImportReport, user, written: list[Outcome]) -> None:
    """Fill in `report.linked`, `report.suggestions` and `report.unchecked` for the victims the
    outcomes `written` added (those of formats that name their victims)."""
    added = {outcome.shooting_id: set(outcome.victims_added) for outcome in written if outcome.victims_added}
    if not added:
        return
    roles = list(
        PersonRole.objects.filter(kind=PersonRole.Kind.VICTIM, shooting_id__in=added)
        .select_related("shooting")
        .order_by("shooting__report_number", "pk")
    )
    roles = [role for role in roles if role.name in added[role.shooting_id]]
    linked = set(
        PersonChange.objects.filter(
            role__in=roles, action=PersonChange.Action.LINKED_ON_MIGRATION, reason=LINKED_ON_IMPORT
        ).values_list("role_id", flat=True)
    )
    unlinked = []
    for role in roles:
        if role.pk in linked:
            report.linked.append(LinkedVictim(role.name, role.shooting.report_number, role.shooting_id, role.person_id))
        else:
            unlinked.append(role)
    report.unchecked = max(0, len(unlinked) - MAX_CHECKED)
    for role in unlinked[:MAX_CHECKED]:
        found = likely_matches(
            user, role.name, born=role.date_of_birth, age=role.approximate_age, exclude=role.person_id
        )
        if found:
            report.suggestions.append(
                LeftSuggestion(role.name, role.shooting.report_number, role.shooting_id, role.person_id, len(found))
            )
