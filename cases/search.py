"""Search, filters and sort order of the case list; the CSV export asks the same questions.

Plain functions over `access.shootings_visible_to(user)`, so the list, its htmx fragment and the
export can never disagree about which cases a person gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from . import access
from .models import Note, Shooting
from .people.matching import shootings_of_people_named

# Without a recorded meeting, "since the last meeting" means this many days, and the page says so.
FALLBACK_MEETING_DAYS = 7
# Several words narrow the search (each must match); more than this many are ignored.
MAX_TERMS = 6
# pg_trgm indexes three-letter pieces: a shorter term cannot use the search indexes.
TRIGRAM_MIN_LENGTH = 3

FLAGS: dict[str, tuple[str, str]] = {
    # query value: (Shooting field, label)
    "dv": ("is_domestic_violence", "Domestic violence"),
    "group": ("is_group_involved", "Group-involved"),
    "retaliation": ("is_retaliation_risk", "Retaliation risk"),
    "juvenile": ("is_juvenile_involved", "Juvenile involved"),
}

CLEARED = "cleared"
STATUS_FILTERS: dict[str, Q] = {
    Shooting.Status.OPEN: Q(status=Shooting.Status.OPEN),
    CLEARED: Q(status__in=[Shooting.Status.CLEARED_ARREST, Shooting.Status.CLEARED_EXCEPTIONAL]),
    Shooting.Status.CLEARED_ARREST: Q(status=Shooting.Status.CLEARED_ARREST),
    Shooting.Status.CLEARED_EXCEPTIONAL: Q(status=Shooting.Status.CLEARED_EXCEPTIONAL),
    Shooting.Status.INACTIVE: Q(status=Shooting.Status.INACTIVE),
}

# sort key: (label, model field, direction of the first click on its column heading)
SORTS: dict[str, tuple[str, str, str]] = {
    "report": ("Report number", "report_number", "asc"),
    "occurred": ("Occurred", "occurred_from", "desc"),
    "kind": ("Kind", "kind", "asc"),
    "status": ("Status", "status", "asc"),
}
DEFAULT_SORT = "-occurred"

UPDATED_ANY = ""
UPDATED_SINCE_MEETING = "meeting"
UPDATED_SINCE_DATE = "date"


@dataclass
class HeldMeetings:
    """What the case list reads of the meetings app, which builds on this one and fills it in when
    it loads (meetings.apps), so cases never imports meetings."""

    # The agenda cutoff of the last shoot review held; None while none has been.
    last_cutoff: Callable[[], dt.datetime | None] = lambda: None


held_meetings = HeldMeetings()


def last_meeting_cutoff() -> dt.datetime | None:
    """The agenda cutoff of the last shoot review held; "updated since the last meeting" counts
    from here. None while no meeting has been held."""
    return held_meetings.last_cutoff()


@dataclass(frozen=True)
class UpdatedSince:
    cutoff: dt.datetime
    # True when no meeting is recorded and the cutoff is FALLBACK_MEETING_DAYS ago instead.
    is_fallback: bool = False


def since_last_meeting() -> UpdatedSince:
    cutoff = last_meeting_cutoff()
    if cutoff is None:
        return UpdatedSince(timezone.now() - dt.timedelta(days=FALLBACK_MEETING_DAYS), is_fallback=True)
    return UpdatedSince(cutoff)


@dataclass(frozen=True)
class CaseQuery:
    """What the person asked the case list for, already validated."""

    text: str = ""
    status: str = ""
    kind: str = ""
    division: str = ""
    occurred_after: dt.date | None = None  # local calendar dates, both inclusive
    occurred_before: dt.date | None = None
    flags: tuple[str, ...] = ()
    updated: str = UPDATED_ANY
    updated_since: dt.date | None = None
    sort: str = DEFAULT_SORT

    def updated_cutoff(self) -> UpdatedSince | None:
        if self.updated == UPDATED_SINCE_MEETING:
            return since_last_meeting()
        if self.updated == UPDATED_SINCE_DATE and self.updated_since:
            return UpdatedSince(start_of_local_day(self.updated_since))
        return None

    def params(self) -> QueryDict:
        """The query as URL parameters, empty ones left out: for page, sort and export links."""
        params = QueryDict(mutable=True)
        for name, value in [
            ("q", self.text),
            ("status", self.status),
            ("kind", self.kind),
            ("division", self.division),
            ("occurred_after", self.occurred_after.isoformat() if self.occurred_after else ""),
            ("occurred_before", self.occurred_before.isoformat() if self.occurred_before else ""),
            ("updated", self.updated),
            (
                "updated_since",
                self.updated_since.isoformat() if self.updated == UPDATED_SINCE_DATE and self.updated_since else "",
            ),
            ("sort", "" if self.sort == DEFAULT_SORT else self.sort),
        ]:
            if value:
                params[name] = value
        if self.flags:
            params.setlist("flag", list(self.flags))
        return params


def start_of_local_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_terms(text: str) -> list[str]:
    return text.lower().split()[:MAX_TERMS]


def matching_text(user, term: str) -> Q:
    """Cases whose report number, address or victim names contain `term`, or — for those who may
    search suspects — with a live suspect note they may see whose names contain it."""
    in_case = Q(search_text__icontains=term)
    if not access.can_search_suspects(user):
        return in_case
    suspects = _suspects_named(user, term)
    if len(term) < TRIGRAM_MIN_LENGTH:
        # No index helps a term this short; walking the cases in list order stops at a page.
        return in_case | Q(pk__in=suspects)
    # A UNION of ids lets PostgreSQL use the trigram index of each table; an OR across the two
    # tables leaves it no index to use, so it would test the term against every case.
    return Q(pk__in=Shooting.objects.filter(in_case).order_by().values("pk").union(suspects))


def people_named_like(user, terms: list[str]) -> QuerySet | None:
    """The shootings in which a person named like the search has a role the reader may see
    (cases.people.matching: victim roles only, for advocates): a name or alias containing the
    search, or, for two words or more ("Orin Halbert"), resembling it misspelt. A single word is
    only looked for as part of names: likeness to one word would admit every name sharing its
    ending ("-field"), too many to list by date and too slow to find. A search too short for the
    trigram index looks for no one."""
    text = " ".join(terms)
    if len(text) < TRIGRAM_MIN_LENGTH:
        return None
    return shootings_of_people_named(user, text, typos=len(terms) > 1)


def _suspects_named(user, term: str) -> QuerySet:
    return (
        access.notes_visible_to(user)
        .filter(kind=Note.Kind.SUSPECT, retracted_at__isnull=True, search_text__icontains=term)
        .order_by()
        .values("shooting_id")
    )


def order_by(sort: str) -> list[str]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        return order_by(DEFAULT_SORT)
    column = SORTS[key][1]
    prefix = "-" if descending else ""
    ordering = [prefix + column]
    if column != "occurred_from":
        ordering.append("-occurred_from")
    ordering.append(prefix + "id")
    return ordering


def find_cases(user, query: CaseQuery) -> QuerySet[Shooting]:
    """The cases `user` may see that match `query`, in the asked order."""
    shootings = access.shootings_visible_to(user)
    terms = search_terms(query.text)
    words = [matching_text(user, term) for term in terms]
    people_named = people_named_like(user, terms)
    if people_named is None:
        shootings = shootings.filter(*words)
    else:
        # The cases matching every word, and those of the people named like the search: one list
        # of ids, in which the first part keeps the plan it has without people (for an advocate,
        # the words' trigram indexes ANDed).
        matching = Shooting.objects.filter(*words).order_by().values("pk")
        shootings = shootings.filter(pk__in=matching.union(people_named))
    if query.status in STATUS_FILTERS:
        shootings = shootings.filter(STATUS_FILTERS[query.status])
    if query.kind:
        shootings = shootings.filter(kind=query.kind)
    if query.division:
        shootings = shootings.filter(division=query.division)
    if query.occurred_after:
        shootings = shootings.filter(occurred_from__gte=start_of_local_day(query.occurred_after))
    if query.occurred_before:
        next_day = query.occurred_before + dt.timedelta(days=1)
        shootings = shootings.filter(occurred_from__lt=start_of_local_day(next_day))
    for flag in query.flags:
        if flag in FLAGS:
            shootings = shootings.filter(**{FLAGS[flag][0]: True})
    updated = query.updated_cutoff()
    if updated is not None:
        shootings = shootings.filter(last_activity_at__gte=updated.cutoff)
    return shootings.order_by(*order_by(query.sort))


def counts_with_its_page(query: CaseQuery) -> bool:
    """Whether the list reads how many cases match in the same query as its page (a window
    count) instead of a count query of its own. For a search whose every word can use the
    trigram indexes, both queries would find the matches anew, and the page query has to find
    them all anyway to sort them; a shorter word, or no search, lets the page query stop at its
    fiftieth case in list order, which the window count would prevent."""
    terms = search_terms(query.text)
    return bool(terms) and all(len(term) >= TRIGRAM_MIN_LENGTH for term in terms)


def page_of(shootings: QuerySet, number: str | None, per_page: int, *, with_total: bool) -> Page:
    """Paginator.get_page's page of `shootings` (a values() query): a page number that is not a
    number gives the first page, one out of range the last. With `with_total` the total comes
    with the rows; only a page out of range asks for a count of its own."""
    paginator = Paginator(shootings, per_page)
    if not with_total:
        return paginator.get_page(number)
    try:
        wanted = int(number) if number else 1
    except (TypeError, ValueError):
        wanted = 1
    counted = shootings.annotate(total_matching=Window(Count("*")))
    # Past a billion pages the offset would overflow the database's integer: out of range anyway.
    rows = list(counted[(wanted - 1) * per_page : wanted * per_page]) if 1 <= wanted <= 10**9 else []
    if rows:
        paginator.count = rows[0]["total_matching"]  # fills in the paginator's cached count
    elif wanted == 1:
        paginator.count = 0
    else:
        wanted = paginator.num_pages
        rows = list(counted[(wanted - 1) * per_page : wanted * per_page]) if paginator.count else []
    return Page(rows, wanted, paginator)


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    # "ascending" / "descending" for the column the list is sorted by (aria-sort), else "".
    current: str


def sort_links(query: CaseQuery) -> dict[str, SortLink]:
    """Column headings of the list: a click sorts by the column, a second click reverses it."""
    base = reverse("cases:list")
    current_key = query.sort.lstrip("-")
    current_desc = query.sort.startswith("-")
    links = {}
    for key, (label, _column, first) in SORTS.items():
        if key == current_key:
            descending = not current_desc
            current = "descending" if current_desc else "ascending"
        else:
            descending = first == "desc"
            current = ""
        params = query.params()
        params.pop("page", None)
        sort = f"-{key}" if descending else key
        if sort == DEFAULT_SORT:
            params.pop("sort", None)
        else:
            params["sort"] = sort
        links[key] = SortLink(key, label, f"{base}?{params.urlencode()}" if params else base, current)
    return links
