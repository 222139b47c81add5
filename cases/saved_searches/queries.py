"""A saved search's query: kept as the case list's URL parameters, checked by the case list's own
filter form whenever it is saved or run, and run by the case list's own search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from .. import search
from ..forms import CaseFilterForm
from ..models import Shooting


@dataclass(frozen=True)
class CheckedQuery:
    """A stored query as the filter form reads it today: `query` is None when some parameter no
    longer validates, and `problems` says why (label: message), so the search is shown with the
    reason instead of being run wider than it was saved."""

    form: CaseFilterForm
    query: search.CaseQuery | None
    problems: list[str]


def query_dict(params: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in (params or {}).items():
        data.setlist(str(name), [str(v) for v in (values if isinstance(values, list) else [values])])
    return data


def params_of(query: search.CaseQuery) -> dict[str, list[str]]:
    """What a saved search keeps: the tidy form of the query, as the case list's links build it."""
    params = query.params()
    return {name: params.getlist(name) for name in params}


def check(data: QueryDict | dict, since: search.UpdatedSince | None = None) -> CheckedQuery:
    """`since`: the last meeting's cutoff, when the caller checks many queries at once."""
    form = CaseFilterForm(data if isinstance(data, QueryDict) else query_dict(data), since=since)
    if form.is_valid():
        return CheckedQuery(form, form.to_query(), [])
    problems = [
        f"{form.fields[name].label or name}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]
    return CheckedQuery(form, None, problems)


def filters_in(data: QueryDict) -> QueryDict:
    """The case-list parameters among what was sent, as typed (a page number is not part of a
    search; the save form carries the filters as hidden fields beside its own)."""
    found = QueryDict(mutable=True)
    for name in CaseFilterForm.base_fields:
        values = [value for value in data.getlist(name) if value != ""]
        if values:
            found.setlist(name, values)
    return found


def list_url(query: search.CaseQuery) -> str:
    """The case list with these filters, in the order its own links write them: what "run" opens."""
    encoded = query.params().urlencode()
    return reverse("cases:list") + (f"?{encoded}" if encoded else "")


def matching(user, query: search.CaseQuery) -> QuerySet[Shooting]:
    """The cases `user` may see that match: the case list's own question, unordered."""
    return search.find_cases(user, query).order_by()


def describe(checked: CheckedQuery) -> list[tuple[str, str]]:
    """The filters of a query in words, as (label, value): for the list of saved searches."""
    form = checked.form
    query = checked.query
    if query is None:
        return []
    found: list[tuple[str, str]] = []
    if query.text:
        found.append(("Search", f"“{query.text}”"))
    for name in ["status", "kind", "division"]:
        value = getattr(query, name)
        if value:
            found.append((str(form.fields[name].label), dict(form.fields[name].choices).get(value, value)))
    if query.occurred_after:
        found.append(("Occurred from", query.occurred_after.isoformat()))
    if query.occurred_before:
        found.append(("Occurred to", query.occurred_before.isoformat()))
    if query.flags:
        found.append(("Flagged", ", ".join(search.FLAGS[flag][1] for flag in query.flags if flag in search.FLAGS)))
    if query.updated == search.UPDATED_SINCE_MEETING:
        found.append(("Updated", "since the last meeting"))
    elif query.updated == search.UPDATED_SINCE_DATE and query.updated_since:
        found.append(("Updated", f"since {query.updated_since.isoformat()}"))
    if query.sort != search.DEFAULT_SORT:
        key = query.sort.lstrip("-")
        direction = "descending" if query.sort.startswith("-") else "ascending"
        found.append(("Sorted by", f"{search.SORTS[key][0].lower()}, {direction}"))
    return found
