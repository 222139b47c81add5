"""How the audit trail reads the cases its rows name (a row keeps only the case's id). Cases are
an app above this one: it fills these in when it loads (cases.apps), so accounts never imports it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class AuditedCases:
    # The ids of the cases a supervisor means by `text`: a report number (any letter case) or an id.
    named: Callable[[str], list[int]] = lambda text: []
    # Each case's report number, by id: people know cases by report number.
    report_numbers: Callable[[Iterable[int]], dict[int, str]] = lambda ids: {}
    # The case a note (by id) is on, for a request about the note.
    case_of_note: Callable[[str], int | None] = lambda note_id: None


audited_cases = AuditedCases()
