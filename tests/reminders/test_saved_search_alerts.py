"""Saved searches that alert, judged without a worker: which changes become hits (only those the
owner may see on the case page), that each is told once, and that what a mail would say is checked
again when it is sent. The mail itself, through a real worker: test_saved_search_mail.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from cases import services as case_services
from cases.models import Note, SavedSearch, Shooting
from cases.saved_searches import services as search_services
from meetings.forms import PreferenceForm
from meetings.models import Reminder, SearchAlertHit
from meetings.reminders import messages, planning, search_alerts
from tests.factories import make_shooting

from .search_scenario import SUSPECT, VICTIM, save


def hits_of(search: SavedSearch) -> list[int]:
    return sorted(SearchAlertHit.objects.filter(search=search).values_list("shooting_id", flat=True))


def rows(kind: str = Reminder.Kind.SEARCH_ALERT) -> list[Reminder]:
    return list(Reminder.objects.filter(kind=kind).order_by("pk"))


def told_in(reminder: Reminder) -> list[int]:
    return [
        told.shooting_id for news in search_alerts.still_to_tell(reminder, reminder.recipient) for told in news.cases
    ]


def test_a_case_entered_after_the_search_was_saved_that_matches_is_told_at_once(investigator):
    search = save(investigator, division="Central")
    matching = make_shooting(division="Central")
    make_shooting(division="North")

    planning.plan_due()

    [row] = rows()
    assert (row.recipient, row.object_type, row.object_id) == (investigator, "saved_search", str(search.pk))
    assert told_in(row) == [matching.pk]
    assert SearchAlertHit.objects.get().is_new


def test_what_happened_before_the_search_was_saved_is_never_told(investigator):
    earlier = make_shooting(division="Central")
    case_services.add_note(earlier, investigator, Note.Kind.GENERAL, {"text": "before"})
    save(investigator, division="Central")

    planning.plan_due()

    assert rows() == []


def test_a_visible_change_to_a_matching_case_is_told_and_a_second_sweep_tells_nothing_more(investigator, atf_agent):
    shooting = make_shooting(division="Central")
    search = save(investigator, division="Central")

    case_services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "canvass done"})
    planning.plan_due()
    planning.plan_due()

    assert hits_of(search) == [shooting.pk]
    [row] = rows()
    assert told_in(row) == [shooting.pk]
    assert not SearchAlertHit.objects.get().is_new


def test_a_later_change_to_the_same_case_is_told_again(investigator, atf_agent):
    shooting = make_shooting(division="Central")
    save(investigator, division="Central")
    case_services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "first"})
    planning.plan_due()

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        case_services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "second"})
        planning.plan_due()

    assert [told_in(row) for row in rows()] == [[shooting.pk], [shooting.pk]]


def test_a_suspect_note_never_alerts_an_advocate_but_alerts_an_investigator(advocate, investigator, atf_agent):
    shooting = make_shooting(division="Central")
    advocate_search = save(advocate, division="Central")
    investigator_search = save(investigator, division="Central")

    case_services.add_note(shooting, atf_agent, Note.Kind.SUSPECT, {"name": SUSPECT})
    planning.plan_due()

    assert hits_of(advocate_search) == []
    assert hits_of(investigator_search) == [shooting.pk]
    assert [row.recipient for row in rows()] == [investigator]


def test_a_note_restricted_to_another_agency_alerts_no_one_outside_it(investigator, outsider, coordinator):
    shooting = make_shooting(division="Central")
    outsider_search = save(outsider, division="Central")
    colleague_search = save(coordinator, division="Central")  # the author's own agency

    case_services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "restricted"}, restricted=True)
    planning.plan_due()

    assert hits_of(outsider_search) == []
    assert hits_of(colleague_search) == [shooting.pk]


def test_a_persons_own_change_does_not_alert_them(investigator):
    shooting = make_shooting(division="Central")
    search = save(investigator, division="Central")

    case_services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "my own note"})
    planning.plan_due()

    assert hits_of(search) == []


def test_a_status_change_that_makes_a_case_match_is_told(investigator, supervisor):
    shooting = make_shooting(division="Central")
    search = save(investigator, status="cleared")

    case_services.update_shooting(
        shooting,
        supervisor,
        {"status": Shooting.Status.CLEARED_ARREST},
        expected_version=shooting.version,
    )
    planning.plan_due()

    assert hits_of(search) == [shooting.pk]


def test_a_search_without_alerts_is_not_evaluated(investigator):
    search = save(investigator, alert=SavedSearch.Alert.NONE, division="Central")
    make_shooting(division="Central")

    planning.plan_due()

    assert hits_of(search) == [] and rows() == []


def test_alerts_switched_off_and_on_again_do_not_tell_what_happened_meanwhile(investigator):
    search = save(investigator, division="Central")
    search_services.update_search(search, search.name, SavedSearch.Alert.NONE)
    make_shooting(division="Central")
    planning.plan_due()

    search_services.update_search(search, search.name, SavedSearch.Alert.AT_ONCE)
    planning.plan_due()

    assert rows() == []


def test_a_daily_search_waits_for_the_digest_hour_and_lists_all_the_persons_daily_searches(
    investigator, atf_agent, settings
):
    settings.REMINDER_DIGEST_HOUR = 7
    local = timezone.get_current_timezone()
    early = timezone.make_aware(datetime(2026, 3, 10, 6, 0), local)
    with time_machine.travel(early, tick=True):
        central = save(investigator, "Central", SavedSearch.Alert.DAILY, division="Central")
        homicides = save(investigator, "Homicides", SavedSearch.Alert.DAILY, kind="homicide")
        a = make_shooting(division="Central")
        b = make_shooting(division="North", kind=Shooting.Kind.HOMICIDE)
        planning.plan_due()
        assert rows(Reminder.Kind.SEARCH_DIGEST) == []
        assert hits_of(central) == [a.pk] and hits_of(homicides) == [b.pk]

    with time_machine.travel(early + timedelta(hours=1, minutes=1), tick=True):
        planning.plan_due()
        [digest] = rows(Reminder.Kind.SEARCH_DIGEST)
        assert (digest.recipient, digest.occurrence) == (investigator, "2026-03-10")
        news = search_alerts.still_to_tell(digest, investigator)
        assert [(n.search_id, [t.shooting_id for t in n.cases]) for n in news] == [
            (central.pk, [a.pk]),
            (homicides.pk, [b.pk]),
        ]
        # Found after today's digest: tomorrow's.
        c = make_shooting(division="Central")
        planning.plan_due()
        assert len(rows(Reminder.Kind.SEARCH_DIGEST)) == 1
        assert SearchAlertHit.objects.get(shooting=c).reminder is None

    with time_machine.travel(early + timedelta(days=1, hours=1, minutes=1), tick=True):
        planning.plan_due()
        tomorrow = rows(Reminder.Kind.SEARCH_DIGEST)[1]
        assert told_in(tomorrow) == [c.pk]


# --- Checked again when the mail goes out ---------------------------------------------------------


def test_a_person_deactivated_before_the_mail_goes_out_gets_none(investigator):
    save(investigator, division="Central")
    make_shooting(division="Central")
    planning.plan_due()
    [row] = rows()

    investigator.is_active = False
    investigator.save(update_fields=["is_active"])

    assert messages.compose(Reminder.objects.select_related("recipient").get(pk=row.pk)) is None


def test_a_person_who_lost_their_agency_before_the_mail_goes_out_gets_none(investigator):
    save(investigator, division="Central")
    make_shooting(division="Central")
    planning.plan_due()
    [row] = rows()

    investigator.agency = None
    investigator.save(update_fields=["agency"])

    assert messages.compose(Reminder.objects.select_related("recipient").get(pk=row.pk)) is None


def test_a_change_no_longer_visible_when_the_mail_goes_out_is_not_told(investigator, atf_agent):
    shooting = make_shooting(division="Central")
    save(investigator, division="Central")
    note = case_services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "first"})
    planning.plan_due()
    [row] = rows()
    assert messages.compose(row) is not None

    # The note is restricted to its author's agency (ATF) before the mail goes out.
    Note.objects.filter(pk=note.pk).update(restricted_to_agency=True)

    assert messages.compose(row) is None


def test_a_case_that_no_longer_matches_when_the_mail_goes_out_is_not_told(investigator, supervisor):
    save(investigator, division="Central")
    other = make_shooting(division="Central")
    planning.plan_due()
    [row] = rows()
    assert told_in(row) == [other.pk]

    case_services.update_shooting(other, supervisor, {"division": "North"}, expected_version=other.version)

    assert told_in(row) == [] and messages.compose(row) is None


def test_a_search_deleted_or_switched_off_before_the_mail_goes_out_tells_nothing(investigator):
    kept = save(investigator, "kept", division="Central")
    gone = save(investigator, "gone", division="Central")
    make_shooting(division="Central")
    planning.plan_due()
    by_search = {row.object_id: row for row in rows()}
    kept_row, gone_row = by_search[str(kept.pk)], by_search[str(gone.pk)]
    assert messages.compose(kept_row) is not None and messages.compose(gone_row) is not None

    search_services.update_search(kept, kept.name, SavedSearch.Alert.NONE)
    search_services.delete_search(gone)

    assert messages.compose(kept_row) is None
    assert messages.compose(gone_row) is None


def test_the_mail_names_report_numbers_and_links_only(investigator, settings):
    search = save(investigator, f"Halbert {VICTIM}", q="Marlowe")
    shooting = make_shooting(address="4417 Marlowe Terrace", victims=[{"name": VICTIM, "age": 30, "sex": "F"}])
    planning.plan_due()
    [row] = rows()

    message = messages.compose(row)

    text = " ".join([message.subject, message.intro, *(f"{t} {link}" for t, link in message.lines)])
    assert shooting.report_number in text
    assert f"{settings.SITE_URL}/cases/{shooting.pk}/" in text
    assert f"{settings.SITE_URL}/cases/searches/{search.pk}/run/" in text
    for secret in [VICTIM, "Halbert", "Marlowe"]:
        assert secret not in text


# --- What a sweep costs ------------------------------------------------------------------------------


def test_a_sweep_with_nothing_changed_costs_no_query_per_search(investigator, django_assert_max_num_queries):
    for n in range(5):
        save(investigator, f"search {n}", division="Central")
    make_shooting(division="Central")
    planning.plan_due()

    later = timezone.now() + search_alerts.OVERLAP + timedelta(minutes=1)
    with time_machine.travel(later):
        # A last look at what a late commit could still have added (search_alerts.OVERLAP)…
        planning.plan_due()
    # …and from then on a search that saw every change costs nothing: the latest activity, the
    # last meeting, the alerting searches, the hits waiting (at once and daily), and the other
    # planners' own queries.
    with (
        time_machine.travel(later + timedelta(minutes=1)),
        django_assert_max_num_queries(25) as captured,
    ):
        planning.plan_due()
    assert not any("saved_search" in q["sql"] and "FOR UPDATE" in q["sql"] for q in captured.captured_queries)


def test_a_sweep_reads_only_the_cases_changed_since_it_last_looked(investigator, atf_agent, django_assert_num_queries):
    shootings = [make_shooting(division="Central") for _ in range(30)]
    search = save(investigator, division="Central")
    case_services.add_note(shootings[0], atf_agent, Note.Kind.GENERAL, {"text": "one change"})
    now = timezone.now()

    # Lock the search, the last meeting (its filter form), the cases changed since it last looked
    # (one), when each last changed as the owner sees it (nine: the case, its history, victims,
    # notes, revisions, links both ways made and removed), what was told already, the new hits,
    # the time of the look, and the savepoints around them: 30 cases unchanged add nothing.
    with django_assert_num_queries(17) as captured:
        search_alerts.evaluate(search.pk, now)

    assert hits_of(search) == [shootings[0].pk]
    assert not any("IN (" in q["sql"] and q["sql"].count("%s") >= 30 for q in captured.captured_queries)


def test_saved_search_alerts_are_set_on_each_search_not_among_the_reminder_preferences():
    fields = PreferenceForm().fields
    assert Reminder.Kind.MEETING in fields
    assert Reminder.Kind.SEARCH_ALERT not in fields and Reminder.Kind.SEARCH_DIGEST not in fields
