"""Counting as the city counts: people shot as well as incidents, year to date against the three
years before, the highest year in the data, and clearance for homicides and non-fatal shootings
apart.

The rules, which the cover states in words (`COUNTING_RULES`):

- A person counts by their own injury: killed, a homicide victim; wounded and alive, a non-fatal
  shooting victim; shot at and not hit, not a shooting victim. A double homicide is two homicide
  victims; the wounded of a homicide are non-fatal shooting victims. Incidents count by their kind.
- Only cases that count (Shooting.Counting): an unfounded case never counts; a case on hold does
  not count until it is confirmed, and its victims are listed apart.
- A person is counted on the day the shooting occurred (the cover's dates are local wall-clock).
- Year to date runs from 1 January to the cut-off's calendar date and time; the years before are
  cut at the same date and time, 29 February at the 28th in a year without one.
- Clearance follows the FBI's Uniform Crime Reporting Program: an offense is cleared by arrest
  (someone arrested, charged and turned over for prosecution) or by exceptional means (offender
  identified, with evidence and location enough to arrest, but something outside police control
  prevents it). Murder and aggravated assault are counted one offense per victim, so clearing a
  double homicide clears two. The rate is the clearances recorded this year to date, whatever year
  the shooting happened, over the victims counted this year to date: it can pass 100%. Beside it,
  the share of this year's own victims whose case is cleared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import caches
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from accounts.stored_dates import SAFE_MIN
from cases.access import can_see_cases, shootings_visible_to
from cases.digests import digest
from cases.models import Shooting, Victim

from ..agenda import source_stamp
from .percentages import percent_change, percent_of

COMPARED_YEARS = 3
# Bumped when what compute_people returns changes, so that no kept count of the old shape is used.
PEOPLE_VERSION = 1

COUNTING_RULES = [
    "A person counts by their own injury: killed is a homicide victim (a double homicide is two); "
    "wounded and alive is a non-fatal shooting victim, also when someone else in the same shooting died; "
    "shot at and not hit is not a shooting victim. Incidents count once each, by their kind.",
    "Unfounded cases never count. Cases on hold (needing information) do not count until they are "
    "confirmed; their victims are listed apart.",
    "People and incidents are counted on the day of the shooting. Year to date runs from 1 January "
    "to the cut-off's date and time; each earlier year is cut at the same date and time (29 February "
    "at the 28th in a year without one).",
    "Clearance as the FBI's Uniform Crime Reporting Program counts it: an offense is cleared by arrest "
    "(someone arrested, charged and turned over for prosecution) or by exceptional means (offender "
    "identified and locatable, with evidence enough, but something outside police control prevents "
    "the arrest). Each victim is one offense. The rate is the clearances recorded this year to date, "
    "whatever year the shooting happened, divided by the victims counted this year to date, so it can "
    "pass 100%. \"This year's cleared so far\" is the share of this year's own victims whose case is cleared.",
]


def same_moment_in_year(moment: datetime, year: int) -> datetime:
    """The same local calendar date and wall-clock time in `year`; 29 February becomes the 28th
    in a year without one. Years before 1 have nothing in them: SAFE_MIN."""
    local = timezone.localtime(moment)
    if year < 1:
        return SAFE_MIN
    day = local.day
    if local.month == 2 and day == 29 and not _is_leap(year):
        day = 28
    return timezone.make_aware(local.replace(tzinfo=None).replace(year=year, day=day))


def start_of_year(year: int) -> datetime:
    if year < 1:
        return SAFE_MIN
    return timezone.make_aware(datetime(year, 1, 1))  # noqa: DTZ001 - made aware in local time


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass
class YearToDate:
    """One year's counts from 1 January to the cut-off's date and time in that year."""

    year: int
    end: datetime
    homicide_victims: int = 0
    nonfatal_victims: int = 0
    homicides: int = 0
    nonfatal: int = 0
    shots_fired: int = 0

    @property
    def people_shot(self) -> int:
        return self.homicide_victims + self.nonfatal_victims

    @property
    def end_date(self) -> date:
        return timezone.localtime(self.end).date()


@dataclass
class Clearance:
    """Clearance of one kind of offense, per victim, as the UCR Program counts it."""

    victims: int = 0  # victims counted this year to date: the offenses known
    cleared_arrest: int = 0  # clearances recorded this year to date, by arrest
    cleared_exceptional: int = 0  # ... by exceptional means
    own_cleared: int = 0  # this year's own victims whose case is cleared

    @property
    def cleared(self) -> int:
        return self.cleared_arrest + self.cleared_exceptional

    @property
    def rate(self) -> float | None:
        return percent_of(self.cleared, self.victims)

    @property
    def own_rate(self) -> float | None:
        return percent_of(self.own_cleared, self.victims)


@dataclass
class Highest:
    """The year with the most of something in the data, the year of the cut-off counted to it."""

    year: int | None = None
    count: int = 0
    to_date: bool = False


@dataclass(frozen=True)
class Row:
    """One line of the year-to-date table: this year first, then the three before."""

    label: str
    counts: list[int]
    highest: Highest | None = None
    detail: bool = False

    @property
    def change(self) -> float | None:
        """Against last year's same stretch; None when last year had none."""
        return percent_change(self.counts[0], self.counts[1])


@dataclass
class PeopleCounts:
    """The people side of the cover; kept inside the cover's JSON when an agenda is frozen."""

    window_homicide_victims: int = 0
    window_nonfatal_victims: int = 0
    window_hold_victims: int = 0
    ytd_hold_victims: int = 0
    # This year first, then the three before it.
    years: list[YearToDate] = field(default_factory=list)
    homicide_clearance: Clearance = field(default_factory=Clearance)
    nonfatal_clearance: Clearance = field(default_factory=Clearance)
    highest_homicide_victims: Highest = field(default_factory=Highest)
    highest_nonfatal_victims: Highest = field(default_factory=Highest)

    @property
    def window_people_shot(self) -> int:
        return self.window_homicide_victims + self.window_nonfatal_victims

    @property
    def this_year(self) -> YearToDate:
        return self.years[0]

    @property
    def rows(self) -> list[Row]:
        """The year-to-date table: people first, each beside its incidents."""
        return [
            Row("Homicide victims", [y.homicide_victims for y in self.years], self.highest_homicide_victims),
            Row("Homicides (incidents)", [y.homicides for y in self.years], detail=True),
            Row("Non-fatal shooting victims", [y.nonfatal_victims for y in self.years], self.highest_nonfatal_victims),
            Row("Non-fatal shootings (incidents)", [y.nonfatal for y in self.years], detail=True),
            Row("All people shot", [y.people_shot for y in self.years]),
            Row("Shots fired, no one hit (incidents)", [y.shots_fired for y in self.years], detail=True),
        ]

    def to_json(self) -> dict:
        return {
            "window_homicide_victims": self.window_homicide_victims,
            "window_nonfatal_victims": self.window_nonfatal_victims,
            "window_hold_victims": self.window_hold_victims,
            "ytd_hold_victims": self.ytd_hold_victims,
            "years": [{**vars(y), "end": y.end.isoformat()} for y in self.years],
            "homicide_clearance": vars(self.homicide_clearance),
            "nonfatal_clearance": vars(self.nonfatal_clearance),
            "highest_homicide_victims": vars(self.highest_homicide_victims),
            "highest_nonfatal_victims": vars(self.highest_nonfatal_victims),
        }

    @classmethod
    def from_json(cls, data: dict) -> PeopleCounts:
        return cls(
            window_homicide_victims=data["window_homicide_victims"],
            window_nonfatal_victims=data["window_nonfatal_victims"],
            window_hold_victims=data["window_hold_victims"],
            ytd_hold_victims=data["ytd_hold_victims"],
            years=[YearToDate(**{**y, "end": datetime.fromisoformat(y["end"])}) for y in data["years"]],
            homicide_clearance=Clearance(**data["homicide_clearance"]),
            nonfatal_clearance=Clearance(**data["nonfatal_clearance"]),
            highest_homicide_victims=Highest(**data["highest_homicide_victims"]),
            highest_nonfatal_victims=Highest(**data["highest_nonfatal_victims"]),
        )


KILLED = Q(victims__injury=Victim.Injury.FATAL)
WOUNDED = Q(victims__injury=Victim.Injury.NONFATAL)
COUNTS = Q(counting=Shooting.Counting.COUNTS)
HOLD = Q(counting=Shooting.Counting.HOLD)
HOMICIDE = Q(kind=Shooting.Kind.HOMICIDE)
NONFATAL = Q(kind=Shooting.Kind.NONFATAL)
CLEARED = {
    "arrest": Q(status=Shooting.Status.CLEARED_ARREST),
    "exceptional": Q(status=Shooting.Status.CLEARED_EXCEPTIONAL),
}


def _between(start: datetime, end: datetime, *, include_start: bool = True) -> Q:
    lower = "occurred_from__gte" if include_start else "occurred_from__gt"
    return Q(**{lower: start, "occurred_from__lte": end})


def people_for(window_start: datetime, window_end: datetime, viewer) -> PeopleCounts:
    """`compute_people`, reused while the data it reads stands. Its two queries read every
    shooting and victim of four years and more (the highest year, of all of them), which costs
    far more than the page's other queries at a city's size; the same numbers are kept under the
    stamp that the database gives a new token on every write to a shooting or a victim
    (meetings.agenda.source_stamp), read before the counting so that nothing kept is older than
    its stamp. Every partner who may see cases sees all of them (cases.access), so one kept count
    serves them all; anyone else is counted, to nothing, every time."""
    if not can_see_cases(viewer):
        return compute_people(window_start, window_end, viewer)
    stamp = source_stamp.current()
    if not stamp:
        return compute_people(window_start, window_end, viewer)
    key = "cover-people:" + digest((stamp, PEOPLE_VERSION, window_start, window_end))
    cache = caches["default"]
    kept = cache.get(key)
    if kept is not None:
        return PeopleCounts.from_json(kept)
    counts = compute_people(window_start, window_end, viewer)
    cache.set(key, counts.to_json(), 3600)
    return counts


def compute_people(window_start: datetime, window_end: datetime, viewer) -> PeopleCounts:
    """People and incidents for the window (start, end], year to date for the cut-off's year and
    the three before, clearance by kind and the highest years, for what `viewer` may see.

    Queries: one aggregate over the visible shootings joined to their victims (every number but
    the highest years), one count per calendar year for the highest years. Neither grows with the
    data: the first returns one row, the second one row per year."""
    this_year = timezone.localtime(window_end).year
    periods = [
        (year, start_of_year(year), same_moment_in_year(window_end, year))
        for year in range(this_year, this_year - COMPARED_YEARS - 1, -1)
    ]
    ytd_start, ytd_end = periods[0][1], window_end
    end_date = timezone.localtime(window_end).date()
    earliest = min(window_start, periods[-1][1])
    in_window = _between(window_start, window_end, include_start=False)
    ytd = _between(ytd_start, ytd_end)
    recorded_this_year = Q(cleared_on__gte=ytd_start.date(), cleared_on__lte=end_date)
    cleared_by_cut_off = Q(cleared_on__isnull=True) | Q(cleared_on__lte=end_date)

    def people(condition: Q) -> Count:
        # One row per victim after the join: a double homicide is two.
        return Count("victims", filter=condition)

    def incidents(condition: Q) -> Count:
        return Count("pk", filter=condition, distinct=True)

    aggregates = {
        "window_killed": people(in_window & COUNTS & KILLED),
        "window_wounded": people(in_window & COUNTS & WOUNDED),
        "window_hold": people(in_window & HOLD & (KILLED | WOUNDED)),
        "ytd_hold": people(ytd & HOLD & (KILLED | WOUNDED)),
    }
    for n, (_, start, end) in enumerate(periods):
        period = _between(start, end) & COUNTS
        aggregates[f"y{n}_killed"] = people(period & KILLED)
        aggregates[f"y{n}_wounded"] = people(period & WOUNDED)
        aggregates[f"y{n}_homicides"] = incidents(period & HOMICIDE)
        aggregates[f"y{n}_nonfatal"] = incidents(period & NONFATAL)
        aggregates[f"y{n}_shots_fired"] = incidents(period & Q(kind=Shooting.Kind.SHOTS_FIRED))
    for injury, victims in (("killed", KILLED), ("wounded", WOUNDED)):
        for how, cleared in CLEARED.items():
            aggregates[f"{injury}_{how}"] = people(recorded_this_year & cleared & COUNTS & victims)
        own = ytd & COUNTS & victims & (CLEARED["arrest"] | CLEARED["exceptional"]) & cleared_by_cut_off
        aggregates[f"{injury}_own_cleared"] = people(own)

    visible = shootings_visible_to(viewer)
    row = visible.filter(Q(occurred_from__gte=earliest, occurred_from__lte=window_end) | recorded_this_year).aggregate(
        **aggregates
    )
    years = [
        YearToDate(
            year=year,
            end=end,
            homicide_victims=row[f"y{n}_killed"],
            nonfatal_victims=row[f"y{n}_wounded"],
            homicides=row[f"y{n}_homicides"],
            nonfatal=row[f"y{n}_nonfatal"],
            shots_fired=row[f"y{n}_shots_fired"],
        )
        for n, (year, _, end) in enumerate(periods)
    ]

    def clearance(injury: str, victims: int) -> Clearance:
        return Clearance(
            victims=victims,
            cleared_arrest=row[f"{injury}_arrest"],
            cleared_exceptional=row[f"{injury}_exceptional"],
            own_cleared=row[f"{injury}_own_cleared"],
        )

    highest_killed, highest_wounded = highest_years(visible, window_end, this_year)
    return PeopleCounts(
        window_homicide_victims=row["window_killed"],
        window_nonfatal_victims=row["window_wounded"],
        window_hold_victims=row["window_hold"],
        ytd_hold_victims=row["ytd_hold"],
        years=years,
        homicide_clearance=clearance("killed", years[0].homicide_victims),
        nonfatal_clearance=clearance("wounded", years[0].nonfatal_victims),
        highest_homicide_victims=highest_killed,
        highest_nonfatal_victims=highest_wounded,
    )


def highest_years(visible, end: datetime, this_year: int) -> tuple[Highest, Highest]:
    """The calendar years with the most homicide victims and the most non-fatal shooting
    victims, up to the cut-off (so its own year counts to date). A tie goes to the later year."""
    rows = (
        visible.filter(COUNTS, occurred_from__lte=end)
        .annotate(year=ExtractYear("occurred_from"))
        .order_by()
        .values("year")
        .annotate(killed=Count("victims", filter=KILLED), wounded=Count("victims", filter=WOUNDED))
    )
    best = {"killed": Highest(), "wounded": Highest()}
    for row in rows:
        for key, highest in best.items():
            if row[key] and (row[key], row["year"]) > (highest.count, highest.year or 0):
                best[key] = Highest(year=row["year"], count=row[key], to_date=row["year"] == this_year)
    return best["killed"], best["wounded"]
