"""What the audit trail (in accounts, below this app) reads of cases: a case by report number, the
report numbers of cases, the case of a note. `install` hands these to it when the app loads."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from accounts.audited_cases import audited_cases

from .models import Note, Shooting


def cases_named(text: str) -> list[int]:
    pk = int(text) if text.isdigit() else 0
    return list(Shooting.objects.filter(Q(report_number__iexact=text) | Q(pk=pk)).values_list("pk", flat=True))


def report_numbers(ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    return dict(Shooting.objects.filter(pk__in=ids).values_list("pk", "report_number")) if ids else {}


def case_of_note(note_id: str) -> int | None:
    return Note.objects.filter(pk=note_id).values_list("shooting_id", flat=True).first()


def install() -> None:
    audited_cases.named = cases_named
    audited_cases.report_numbers = report_numbers
    audited_cases.case_of_note = case_of_note
