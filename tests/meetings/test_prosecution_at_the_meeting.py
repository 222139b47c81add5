"""Prosecution at the meeting: a case whose charges were filed, declined or disposed since the last
review comes to the agenda with that reason; each item shows the changes of referral, charges,
custody and disposition since the case's last review, with the day each was recorded, on the page,
its fragment and every packet; the cover counts the cases referred, charged, declined and disposed.

Victim advocates see prosecution follow-through as they do on the case page (cases.access.
sees_prosecution_status); what they must not see of the same items stays out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.agenda.rules import plan_agenda
from meetings.cover import stats
from meetings.models import AgendaItem, Meeting
from tests.factories import make_shooting

from .agenda_helpers import SUSPECT_NAME, at, local, meeting_at, suspect
from .test_pdf import download, meeting_soon, pdf_text

pytestmark = pytest.mark.django_db

CHARGES = "Assault in the first degree; armed criminal action"
EARLIER_CHARGES = "Unlawful use of a weapon"


def charge(shooting: Shooting, user, moment: datetime, **fields) -> Shooting:
    """Change prosecution fields of `shooting` at `moment`, through the case service."""
    with at(moment):
        current = Shooting.objects.get(pk=shooting.pk)
        return case_services.update_shooting(current, user, fields, expected_version=current.version)


def old_case(user, moment: datetime, **fields) -> Shooting:
    with at(moment):
        return make_shooting(user, occurred_from=moment - timedelta(hours=3), **fields)


def day_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b} {local.year}"


@pytest.fixture
def review(investigator, prosecutor, coordinator):
    """Last week's held meeting (which reviewed every case below) and this week's, with:
    charged — referred before the last review, charged and taken into custody since;
    declined — referred before, charges declined since;
    disposed — charged before, a guilty plea since;
    referred — referred since, nothing decided;
    quiet — charged before the last review, nothing since."""
    now = timezone.now()
    held = meeting_at(now - timedelta(days=6), status=Meeting.Status.HELD)
    this = meeting_soon()
    before, since = now - timedelta(days=9), now - timedelta(days=2)
    cases = {name: old_case(investigator, now - timedelta(days=30)) for name in ["charged", "declined", "disposed"]}
    cases["referred"] = old_case(investigator, now - timedelta(days=30))
    cases["quiet"] = old_case(investigator, now - timedelta(days=30))
    for position, case in enumerate(cases.values()):
        AgendaItem.objects.create(meeting=held, shooting=case, position=position)

    charge(cases["charged"], investigator, before, referred_to=Shooting.Referral.STATE)
    charge(cases["charged"], prosecutor, since, charges_filed=CHARGES, custody_status=Shooting.Custody.IN_CUSTODY)
    charge(cases["declined"], investigator, before, referred_to=Shooting.Referral.FEDERAL)
    charge(cases["declined"], prosecutor, since, disposition=Shooting.Disposition.DECLINED)
    charge(cases["disposed"], prosecutor, before, referred_to=Shooting.Referral.STATE, charges_filed=EARLIER_CHARGES)
    charge(cases["disposed"], prosecutor, since, disposition=Shooting.Disposition.PLEA)
    charge(cases["referred"], investigator, since, referred_to=Shooting.Referral.BOTH)
    charge(cases["quiet"], prosecutor, before, referred_to=Shooting.Referral.STATE, charges_filed=EARLIER_CHARGES)
    # A suspect named on the charged case, for what an advocate must not see beside it.
    with at(since):
        case_services.add_note(cases["charged"], investigator, Note.Kind.SUSPECT, suspect())
    agenda_services.build_agenda(this, coordinator)
    this.refresh_from_db()
    return held, this, cases, since


def reasons(meeting: Meeting) -> dict[str, dict[str, str]]:
    """report number → reason code → text."""
    return {item.report_number: {r["code"]: r["text"] for r in item.reasons} for item in plan_agenda(meeting).items}


# --- The rule ---------------------------------------------------------------------------------


def test_charges_filed_declined_or_disposed_since_the_last_review_bring_a_case_back(review):
    _, this, cases, _ = review

    planned = reasons(this)

    assert planned[cases["charged"].report_number]["prosecution"] == "Charges filed since the last review"
    assert planned[cases["declined"].report_number]["prosecution"] == "Charges declined since the last review"
    assert planned[cases["disposed"].report_number]["prosecution"] == "Case disposed since the last review"


def test_a_referral_alone_or_charges_before_the_last_review_bring_nothing(review):
    _, this, cases, _ = review

    planned = reasons(this)

    assert cases["referred"].report_number not in planned
    assert cases["quiet"].report_number not in planned


def test_a_change_after_the_cutoff_waits_for_next_week(investigator, review):
    _, this, cases, _ = review
    late = old_case(investigator, timezone.now() - timedelta(days=30))
    charge(late, investigator, this.cutoff_at + timedelta(minutes=1), charges_filed=CHARGES)
    on_time = old_case(investigator, timezone.now() - timedelta(days=30))
    charge(on_time, investigator, this.cutoff_at, disposition=Shooting.Disposition.DISMISSED)

    planned = reasons(this)

    assert late.report_number not in planned
    assert planned[on_time.report_number] == {"prosecution": "Case disposed since the last review"}


def test_charges_and_a_disposition_in_one_week_give_one_reason_naming_both(investigator, review):
    _, this, _, since = review
    case = old_case(investigator, timezone.now() - timedelta(days=30))
    charge(case, investigator, since, charges_filed=CHARGES)
    charge(case, investigator, since + timedelta(hours=1), disposition=Shooting.Disposition.CONVICTED)

    planned = reasons(this)

    assert planned[case.report_number] == {"prosecution": "Charges filed and case disposed since the last review"}


def test_the_built_agenda_shows_the_reason_on_the_page(client_for, coordinator, review):
    _, this, cases, _ = review

    html = client_for(coordinator).get(reverse("meetings:detail", args=[this.pk])).content.decode()

    assert "Charges declined since the last review" in html
    assert cases["referred"].report_number not in html


# --- The item, as each role -------------------------------------------------------------------


def item_html(html: str, report_number: str) -> str:
    """The page's HTML from the item of `report_number` to the next item."""
    start = html.index(f">{report_number}</a>")
    end = html.find('<li class="agenda-item', start)
    return html[start : end if end != -1 else len(html)]


@pytest.mark.parametrize("role", ["investigator", "atf_agent", "prosecutor", "coordinator", "supervisor", "advocate"])
def test_every_role_at_the_table_sees_the_prosecution_changes_with_their_day(request, client_for, role, review):
    _, this, cases, since = review
    viewer = request.getfixturevalue(role)

    html = client_for(viewer).get(reverse("meetings:detail", args=[this.pk])).content.decode()

    charged = item_html(html, cases["charged"].report_number)
    assert "Prosecution since the review of" in charged
    assert f"{day_text(since)} — Charges filed: none → {CHARGES}; Custody / bail: none → In custody" in charged
    # The referral was recorded before the last review: not news.
    assert "State prosecutor" not in charged
    disposed = item_html(html, cases["disposed"].report_number)
    assert "Disposition: none → Guilty plea" in disposed
    assert EARLIER_CHARGES not in disposed


def test_an_advocate_sees_the_charges_but_not_the_suspect_beside_them(client_for, advocate, investigator, review):
    _, this, cases, _ = review

    for_advocate = client_for(advocate).get(reverse("meetings:detail", args=[this.pk])).content.decode()
    for_investigator = client_for(investigator).get(reverse("meetings:detail", args=[this.pk])).content.decode()

    assert SUSPECT_NAME in item_html(for_investigator, cases["charged"].report_number)
    assert SUSPECT_NAME not in for_advocate
    assert CHARGES in item_html(for_advocate, cases["charged"].report_number)


def test_the_agenda_fragment_shows_the_prosecution_changes(client_for, advocate, review):
    _, this, cases, since = review

    response = client_for(advocate).get(reverse("meetings:detail", args=[this.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert f"{day_text(since)} — Disposition: none → Charges declined" in item_html(
        html, cases["declined"].report_number
    )


def test_a_case_reviewed_for_the_first_time_shows_what_it_was_entered_with(client_for, investigator, coordinator):
    meeting = meeting_soon()
    entered = make_shooting(investigator, referred_to=Shooting.Referral.STATE, charges_filed=CHARGES)
    agenda_services.build_agenda(meeting, coordinator)

    html = client_for(coordinator).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    item = item_html(html, entered.report_number)
    assert "Prosecution since the case was entered (first review)" in item
    assert f"Referred for prosecution to: none → State prosecutor; Charges filed: none → {CHARGES}" in item


def test_an_item_without_prosecution_changes_has_no_prosecution_section(client_for, coordinator, investigator):
    meeting = meeting_soon()
    plain = make_shooting(investigator)
    agenda_services.build_agenda(meeting, coordinator)

    html = client_for(coordinator).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert "Prosecution since" not in item_html(html, plain.report_number)


def test_a_frozen_agenda_keeps_the_changes_it_was_frozen_with(client_for, coordinator, prosecutor, review):
    _, this, cases, _ = review
    agenda_services.freeze(this, coordinator, expected_version=Meeting.objects.get(pk=this.pk).agenda_version)
    charge(cases["charged"], prosecutor, timezone.now(), charges_filed="Murder in the second degree")

    html = client_for(coordinator).get(reverse("meetings:detail", args=[this.pk])).content.decode()

    assert CHARGES in item_html(html, cases["charged"].report_number)
    assert "Murder in the second degree" not in html


@pytest.mark.parametrize("persona", ["coordinator", "advocate", "prosecutor"])
def test_the_minutes_show_the_prosecution_changes_the_meeting_saw(
    request, client_for, coordinator, prosecutor, review, persona
):
    _, this, cases, _ = review
    agenda_services.freeze(this, coordinator, expected_version=Meeting.objects.get(pk=this.pk).agenda_version)
    agenda_services.mark_held(this, coordinator)
    charge(cases["charged"], prosecutor, timezone.now(), charges_filed="Murder in the second degree")

    html = (
        client_for(request.getfixturevalue(persona)).get(reverse("meetings:minutes", args=[this.pk])).content.decode()
    )
    row = re.search(rf'<tr id="minutes-item-{this.items.get(shooting=cases["charged"]).pk}">(.*?)</tr>', html, re.S)

    assert row and "Prosecution, as the agenda showed it" in row.group(1)
    assert f"Charges filed: none → {CHARGES}" in row.group(1)
    # What changed after the meeting is not what the meeting saw; the suspect is never in minutes.
    assert "Murder in the second degree" not in html
    assert SUSPECT_NAME not in html


# --- Packets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["law_enforcement", "prosecutors", "community"])
def test_every_packet_prints_the_prosecution_changes(client_for, coordinator, review, audience):
    _, this, _, since = review

    text = pdf_text(download(client_for(coordinator), this, audience).content)

    assert "Prosecution since the review of" in text
    assert CHARGES in text
    assert "Guilty plea" in text
    assert day_text(since) in text


def test_the_advocates_packet_holds_the_charges_and_no_suspect(client_for, advocate, coordinator, review):
    _, this, _, _ = review

    by_advocate = pdf_text(download(client_for(advocate), this).content)
    community = pdf_text(download(client_for(coordinator), this, "community").content)
    full = pdf_text(download(client_for(coordinator), this, "law_enforcement").content)

    assert SUSPECT_NAME in full
    for text in [by_advocate, community]:
        assert "For advocates and community partners" in text
        assert CHARGES in text
        assert "Charges declined" in text
        assert SUSPECT_NAME not in text


# --- Cost ---------------------------------------------------------------------------------------


def test_the_agenda_page_costs_the_same_queries_with_many_prosecution_changes(
    client_for, advocate, investigator, prosecutor, coordinator, review, django_assert_max_num_queries
):
    _, this, _, since = review
    for n in range(20):
        case = old_case(investigator, timezone.now() - timedelta(days=30))
        charge(case, investigator, since - timedelta(hours=n), referred_to=Shooting.Referral.STATE)
        charge(case, prosecutor, since + timedelta(minutes=n), charges_filed=f"{CHARGES} ({n})")
        charge(case, prosecutor, since + timedelta(hours=1, minutes=n), disposition=Shooting.Disposition.DISMISSED)
    agenda_services.build_agenda(this, coordinator)
    client = client_for(advocate)

    # session, user (with agency); meeting; items; source stamp; snapshot: shootings, victims,
    # earlier appearances, latest notes, indicator notes, open action items, link keys, the work
    # on leads, prosecution changes, people's roles; previous held meeting (window); action items
    # recorded at this meeting; the audit row (insert; on SQLite the last hash first, the
    # cases the page shows)
    with django_assert_max_num_queries(21):
        response = client.get(reverse("meetings:detail", args=[this.pk]))

    html = response.content.decode()
    assert html.count("Prosecution since") == 23
    assert f"{CHARGES} (19)" in html


# --- The cover ----------------------------------------------------------------------------------


@pytest.fixture
def cover_cases(investigator, prosecutor, review):
    """Beyond the review fixture's cases: one referred and charged early this year, one charged
    and disposed last year, one charged twice this week (counted once) and one charged early this
    year whose charges were amended this week."""
    _, this, _, since = review
    now = timezone.now()
    year_start = stats.start_of_local_year(this.cutoff_at)
    early = old_case(investigator, year_start + timedelta(hours=1))
    charge(early, prosecutor, year_start + timedelta(days=1), referred_to=Shooting.Referral.STATE)
    charge(early, prosecutor, year_start + timedelta(days=2), charges_filed=CHARGES)
    last_year = old_case(investigator, year_start - timedelta(days=60))
    charge(last_year, prosecutor, year_start - timedelta(days=50), referred_to="state", charges_filed=CHARGES)
    charge(last_year, prosecutor, year_start - timedelta(days=10), disposition=Shooting.Disposition.ACQUITTED)
    twice = old_case(investigator, now - timedelta(days=30))
    charge(twice, prosecutor, since, charges_filed=CHARGES)
    charge(twice, prosecutor, since + timedelta(hours=1), charges_filed="")
    charge(twice, prosecutor, since + timedelta(hours=2), charges_filed=EARLIER_CHARGES)
    # Charged early this year, the charges amended this week: charged this year, not this week.
    amended = old_case(investigator, year_start + timedelta(hours=2))
    charge(amended, prosecutor, year_start + timedelta(days=3), charges_filed=EARLIER_CHARGES)
    charge(amended, prosecutor, since, charges_filed=CHARGES)
    return this


@pytest.fixture
def mid_year():
    """The clock in mid-June, so the review fixture's month of history lies inside this year
    whatever day the suite runs on."""
    with time_machine.travel(datetime(2026, 6, 17, 15, tzinfo=UTC), tick=True):
        yield


def test_the_cover_counts_cases_referred_charged_declined_and_disposed(mid_year, investigator, review, cover_cases):
    counts = stats.compute_cover(cover_cases, investigator).prosecution

    # Window: referred — "referred"; charged — "charged", "twice"; declined; disposed (the plea).
    assert counts == {
        "referred_window": 1,
        "charged_window": 2,
        "declined_window": 1,
        "disposed_window": 1,
        # Year: + four referrals before the window and "early"; + "disposed", "quiet", "early" and
        # "amended" charged; last year's case in neither.
        "referred_ytd": 6,
        "charged_ytd": 6,
        "declined_ytd": 1,
        "disposed_ytd": 1,
    }


def test_the_cover_page_and_the_packet_show_the_prosecution_counts(client_for, coordinator, review, cover_cases):
    html = client_for(coordinator).get(reverse("meetings:cover", args=[cover_cases.pk])).content.decode()
    text = pdf_text(download(client_for(coordinator), cover_cases, "community").content)

    window = "in the window 1 referred, 2 charged, 1 declined, 1 disposed;"
    assert window in " ".join(html.split())
    assert "Prosecution (cases, by when it was recorded)" in text
    assert window in text


def test_a_cover_kept_before_prosecution_was_counted_shows_no_prosecution_counts(
    client_for, coordinator, investigator, review
):
    _, this, _, _ = review
    kept = stats.compute_cover(this, investigator).to_json()
    del kept["prosecution"]
    Meeting.objects.filter(pk=this.pk).update(status=Meeting.Status.FROZEN, cover_snapshot=kept)

    html = client_for(coordinator).get(reverse("meetings:cover", args=[this.pk])).content.decode()

    assert "The numbers" in html
    assert "Prosecution</strong>" not in html


def test_a_first_week_of_january_counts_the_window_across_the_new_year(investigator, prosecutor, coordinator):
    held = meeting_at(local(2026, 12, 30, 9, 0), status=Meeting.Status.HELD)
    this = meeting_at(local(2027, 1, 6, 9, 0))
    case = old_case(investigator, held.cutoff_at - timedelta(days=20))
    charge(case, prosecutor, timezone.make_aware(datetime(2026, 12, 31, 15)), charges_filed=CHARGES)

    counts = stats.compute_cover(this, coordinator).prosecution

    assert (counts["charged_window"], counts["charged_ytd"]) == (1, 0)
