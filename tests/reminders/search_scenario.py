"""Building blocks for the saved-search alert tests: a search saved as a person saves it, and the
words that must never reach a mail."""

from __future__ import annotations

from django.http import QueryDict

from cases.forms import CaseFilterForm
from cases.models import SavedSearch
from cases.saved_searches import services as search_services

# Case detail the mail must never carry (report numbers and links only).
VICTIM = "Perpetua Quillfeather"
SUSPECT = "Thaddeus Grimsworth"
ADDRESS = "4417 Marlowe Terrace"
NOTE_TEXT = "sentinel-grey-sedan"
SENTINELS = [VICTIM, SUSPECT, "Grimsworth", "Marlowe", NOTE_TEXT]


def save(owner, name: str = "Central open cases", alert: str = SavedSearch.Alert.AT_ONCE, **filters) -> SavedSearch:
    """A search saved through the service, its filters cleaned by the case list's form."""
    data = QueryDict(mutable=True)
    for key, value in filters.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    form = CaseFilterForm(data)
    assert form.is_valid(), form.errors
    return search_services.save_search(owner, name, alert, form.to_query())
