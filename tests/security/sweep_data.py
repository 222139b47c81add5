"""The world the security sweeps run against: eight people (every role, an outsider of another
police agency and an advocate of a second advocacy agency), cases of several agencies, notes of
every kind carrying sentinel words that only some people may ever see, and meetings in every
state (scheduled, frozen, held) with agendas, outcomes and action items.

Also here: every URL pattern of the project, read from the URL resolver, and the ways to fill
its parameters with these objects, so that a page added later is swept without anyone listing it.

Every name is fictional. Sentinels are single made-up words, so that they are found whatever the
format (HTML, htmx fragment, CSV, PDF text, iCalendar) and wherever a line wraps.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import time, timedelta
from io import BytesIO

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts import tokens as api_tokens
from accounts.models import Agency, ApiToken, AuditEvent, User
from cases import lead_work
from cases import services as case_services
from cases.models import (
    LeadAssignment,
    ManualLink,
    NibinLead,
    Note,
    Person,
    PersonRole,
    RiskContact,
    SavedSearch,
    Shooting,
    Victim,
)
from cases.people import risk_services
from cases.people import services as people_services
from cases.saved_searches import services as search_services
from cases.search import CaseQuery
from meetings import services as meeting_services
from meetings.access import printable_audiences
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, AgendaItem, Meeting, MeetingSeries, PrintedCopy, Reminder
from tests.factories import UserFactory
from tests.personas import AGENCIES, make_agency, make_persona

# --- People -----------------------------------------------------------------------------------

INVESTIGATOR = "investigator"
ATF_AGENT = "atf_agent"
PROSECUTOR = "prosecutor"
ADVOCATE = "advocate"
COORDINATOR = "coordinator"
SUPERVISOR = "supervisor"
OUTSIDER = "outsider"
ADVOCATE2 = "advocate2"
PERSONAS = [INVESTIGATOR, ATF_AGENT, PROSECUTOR, ADVOCATE, COORDINATOR, SUPERVISOR, OUTSIDER, ADVOCATE2]

LAW_ENFORCEMENT = frozenset({INVESTIGATOR, ATF_AGENT, PROSECUTOR, COORDINATOR, SUPERVISOR, OUTSIDER})
RIVERBEND_POLICE = frozenset({INVESTIGATOR, COORDINATOR, SUPERVISOR})
ADVOCATES = frozenset({ADVOCATE, ADVOCATE2})

# --- Sentinels: word → the people who may see it (the matrix in cases/access.py's docstring) ---

SUSPECT_NAME = "Vendramoor"
SUSPECT_ALIAS = "Ketterwick"
SUSPECT_BASIS = "Gorsemantle"
WITNESS_NAME = "Quillanbrae"
WITNESS_CONTACT = "816-555-0187"
WITNESS_ACCOUNT = "Sorrelgate"
WITNESS_RELATION = "Brackwater"
PURCHASER = "Tamblewood"
DEALER = "Harrowgate"
FIREARM_TEXT = "Brindlemarsh"
# Serial numbers look like serials, not words: distinctive enough that no other value holds them.
SERIAL = "SWQ7730419"
RECOVERED_WHERE = "Pembertarn"
SUSPECT_TEXT = "Mallowcrest"
OUTSIDER_SERIAL = "LCX5521086"
SERVICES_TEXT = "Lindenmoor"
SERVICES_AGENCY = "Corriebrook"
SERVICES_RESTRICTED = "Pellucidra"
OUTSIDER_RESTRICTED = "Zanthorpe"
POLICE_RESTRICTED = "Gravenhurst"
POLICE_GENERAL = "Ottercombe"
OUTSIDER_WITNESS = "Drewsbury"
OUTSIDER_PURCHASER = "Oakhollow"
OUTSIDER_LEAD = "LCNIB7734"
ADVOCATE2_RESTRICTED = "Fenwarrow"
ADVOCATE2_SERVICES = "Thistlecombe"
# The work on a NIBIN lead (its priority's reason, an outcome's note): never for advocates.
LEAD_PRIORITY_REASON = "Cindervale"
LEAD_OUTCOME_NOTE = "Wrenthorpe"
# A victim who is also a suspect elsewhere (people across shootings): the alias of that suspect
# note is for law enforcement; the same person in a note restricted to the outsider's agency
# stays there. An advocate who reads the victim's person page must learn neither.
OVERLAP_ALIAS = "Corvistane"
OUTSIDER_OVERLAP_ALIAS = "Ulverholm"
# The risk follow-up of the police case (flagged as a retaliation risk): an associate at risk is
# for law enforcement only; a custom notification's note and "with whom" stay with law
# enforcement, an advocate's outreach note with the advocates (each side sees only "contact
# made, date, agency" of the other's).
RISK_ASSOCIATE = "Ravensmoor"
RISK_LAW_NOTE = "Quenwillow"
RISK_WITH = "Marrowdene"
RISK_ADVOCATE_NOTE = "Hazelbrook"
# An associate the meeting recorded on the police case (name and how connected): law enforcement
# only, on the case page, the person pages and their link charts.
ASSOCIATE_NAME = "Halvergate"
ASSOCIATE_TIE = "Mirewold"
# What the agenda items and packets say of that person (cases.people.overlaps): that the victim
# was a suspect elsewhere, and that the suspect was shot, are for law enforcement. The outsider's
# agency recorded the person under a name of its own (with its alias), so the item of its case
# names them only to the outsider.
OVERLAP_WAS_SUSPECT = "was a suspect in"
OVERLAP_WAS_SHOT = "was shot in"

SENTINELS: dict[str, frozenset[str]] = {
    # Suspects, witness identities, purchasers and dealers: sworn law enforcement and prosecutors.
    SUSPECT_NAME: LAW_ENFORCEMENT,
    SUSPECT_ALIAS: LAW_ENFORCEMENT,
    SUSPECT_BASIS: LAW_ENFORCEMENT,
    WITNESS_NAME: LAW_ENFORCEMENT,
    WITNESS_CONTACT: LAW_ENFORCEMENT,
    WITNESS_ACCOUNT: LAW_ENFORCEMENT,
    WITNESS_RELATION: LAW_ENFORCEMENT,
    PURCHASER: LAW_ENFORCEMENT,
    DEALER: LAW_ENFORCEMENT,
    FIREARM_TEXT: LAW_ENFORCEMENT,
    SERIAL: LAW_ENFORCEMENT,
    RECOVERED_WHERE: LAW_ENFORCEMENT,
    SUSPECT_TEXT: LAW_ENFORCEMENT,
    # A general note of the police: law enforcement, not advocates.
    POLICE_GENERAL: LAW_ENFORCEMENT,
    LEAD_PRIORITY_REASON: LAW_ENFORCEMENT,
    LEAD_OUTCOME_NOTE: LAW_ENFORCEMENT,
    OVERLAP_ALIAS: LAW_ENFORCEMENT,
    RISK_ASSOCIATE: LAW_ENFORCEMENT,
    RISK_LAW_NOTE: LAW_ENFORCEMENT,
    RISK_WITH: LAW_ENFORCEMENT,
    ASSOCIATE_NAME: LAW_ENFORCEMENT,
    ASSOCIATE_TIE: LAW_ENFORCEMENT,
    OVERLAP_WAS_SUSPECT: LAW_ENFORCEMENT,
    OVERLAP_WAS_SHOT: LAW_ENFORCEMENT,
    # Victim services stay with the advocates; restricted ones with the author's agency.
    SERVICES_TEXT: ADVOCATES,
    SERVICES_AGENCY: ADVOCATES,
    RISK_ADVOCATE_NOTE: ADVOCATES,
    SERVICES_RESTRICTED: frozenset({ADVOCATE}),
    ADVOCATE2_SERVICES: frozenset({ADVOCATE2}),
    ADVOCATE2_RESTRICTED: frozenset({ADVOCATE2}),
    # Restricted to an agency: its members only, whatever their role.
    POLICE_RESTRICTED: RIVERBEND_POLICE,
    OUTSIDER_RESTRICTED: frozenset({OUTSIDER}),
    OUTSIDER_WITNESS: frozenset({OUTSIDER}),
    OUTSIDER_PURCHASER: frozenset({OUTSIDER}),
    OUTSIDER_LEAD: frozenset({OUTSIDER}),
    OUTSIDER_SERIAL: frozenset({OUTSIDER}),
    OUTSIDER_OVERLAP_ALIAS: frozenset({OUTSIDER}),
}


def forbidden_for(persona: str) -> list[str]:
    return [word for word, allowed in SENTINELS.items() if persona not in allowed]


def allowed_for(persona: str) -> list[str]:
    return [word for word, allowed in SENTINELS.items() if persona in allowed]


# --- The world --------------------------------------------------------------------------------


@dataclass
class World:
    agencies: dict[str, Agency]
    users: dict[str, User]
    shootings: dict[str, Shooting]
    notes: dict[str, Note]
    victims: list[Victim]
    links: list[ManualLink]
    leads: list[NibinLead]
    lead_work: list[LeadAssignment]
    meetings: dict[str, Meeting]
    items: dict[str, list[AgendaItem]]
    actions: list[ActionItem]
    series: list[MeetingSeries]
    reminders: list[Reminder]
    locked_user: User
    feed_tokens: dict[str, str] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    person_roles: list[PersonRole] = field(default_factory=list)
    risk_contacts: list[RiskContact] = field(default_factory=list)
    # One per persona, each seen and changed by its owner only.
    saved_searches: list[SavedSearch] = field(default_factory=list)
    # API tokens: each persona's own (persona → the token), and the integration accounts' (an
    # advocacy centre's system with the advocate's role, a police system with the investigator's).
    api_tokens: dict[str, str] = field(default_factory=dict)
    integration_accounts: dict[str, User] = field(default_factory=dict)
    integration_tokens: dict[str, str] = field(default_factory=dict)
    token_rows: list[ApiToken] = field(default_factory=list)


def _people() -> tuple[dict[str, Agency], dict[str, User]]:
    """The shared personas (tests/personas.py), in a namespace of the sweep's own."""
    agencies = {key: make_agency(key, namespace="sw") for key in AGENCIES}
    users = {persona: make_persona(persona, namespace="sw") for persona in PERSONAS}
    return agencies, users


def _general_note(case: Shooting, author: User, text: str, *, follow_up_contact=False, restricted=False) -> Note:
    return case_services.add_note(
        case,
        author,
        Note.Kind.GENERAL,
        {"text": text, "follow_up_contact": follow_up_contact},
        restricted=restricted,
    )


def _restricted_referral(case: Shooting, author: User, referral_status: str, text: str) -> Note:
    """A victim-services note kept within the author's agency, on no victim in particular."""
    fields = {
        "victim": None,
        "service_agency": "",
        "referral_status": referral_status,
        "services_offered": "",
        "services_accepted": "",
        "safety_planning": False,
        "text": text,
    }
    return case_services.add_note(case, author, Note.Kind.VICTIM_SERVICES, fields, restricted=True)


def _overlapping_roles(users: dict[str, User], police_case: Shooting, outsider_case: Shooting, atf_case: Shooting):
    """The police case's first victim, confirmed as a suspect in the ATF case and, in a note
    restricted to the outsider's agency, in the outsider's case."""
    person = police_case.victims.order_by("pk").first().person_role.person
    fields = {"name": "Avery Lindqvist", "date_of_birth": None, "approximate_age": 24, "status": "suspect"}
    fields |= {"basis": "", "text": ""}
    return {
        "overlap_suspect": case_services.add_note(
            atf_case,
            users[ATF_AGENT],
            Note.Kind.SUSPECT,
            {**fields, "aliases": OVERLAP_ALIAS},
            person=person,
        ),
        "outsider_overlap_suspect": case_services.add_note(
            outsider_case,
            users[OUTSIDER],
            Note.Kind.SUSPECT,
            {**fields, "name": f"Avery {OUTSIDER_OVERLAP_ALIAS}", "aliases": OUTSIDER_OVERLAP_ALIAS},
            restricted=True,
            person=person,
        ),
    }


def _risk_follow_up(users: dict[str, User], police_case: Shooting) -> list[RiskContact]:
    """An associate at risk beside the two victims; Avery (a suspect elsewhere) notified by the
    police and tried by the advocates; the other victim and the associate not yet reached."""
    cousin = Person.objects.create(name=f"Tobin {RISK_ASSOCIATE}")
    people_services.add_associate(police_case, cousin, users[INVESTIGATOR], "Cousin, named in the threats")
    avery = police_case.victims.order_by("pk").first().person_role
    base = {"contacted_on": timezone.localdate(), "outcome": RiskContact.Outcome.REACHED_NOTIFIED}
    police = risk_services.record_contact(
        avery,
        users[INVESTIGATOR],
        {**base, "kind": "notification", "with_whom": f"his aunt {RISK_WITH}", "note": f"{RISK_LAW_NOTE} letter"},
    )
    outreach = risk_services.record_contact(
        avery,
        users[ADVOCATE],
        {**base, "kind": "outreach", "with_whom": "the person", "note": f"{RISK_ADVOCATE_NOTE} safety plan"},
    )
    return [police, outreach]


def _notes(users: dict[str, User], police_case: Shooting, outsider_case: Shooting, atf_case: Shooting):
    add = case_services.add_note
    victim = police_case.victims.first()
    notes = {
        "suspect": add(
            police_case,
            users[INVESTIGATOR],
            Note.Kind.SUSPECT,
            {
                "name": f"Lucius {SUSPECT_NAME}",
                "aliases": SUSPECT_ALIAS,
                "date_of_birth": None,
                "approximate_age": 23,
                "status": "suspect",
                "basis": f"Seen near the {SUSPECT_BASIS} laundromat on a doorbell camera",
                "text": f"Drives a car registered on {SUSPECT_TEXT} Avenue.",
            },
        ),
        "witness": add(
            police_case,
            users[INVESTIGATOR],
            Note.Kind.WITNESS,
            {
                "name": f"Ysolde {WITNESS_NAME}",
                "contact": WITNESS_CONTACT,
                "relation": f"{WITNESS_RELATION} neighbour",
                "account": f"Heard four shots from the {WITNESS_ACCOUNT} courtyard.",
                "cooperation": "reluctant",
                "intimidation_concern": True,
                "relocation_requested": True,
                "referred_to_advocate": True,
            },
        ),
        "firearm": add(
            police_case,
            users[ATF_AGENT],
            Note.Kind.FIREARM,
            {
                "recovered": True,
                "recovered_where": f"Storm drain on {RECOVERED_WHERE} Lane",
                "recovered_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
                "make": "Taurus",
                "model": "G2C",
                "caliber": "9mm",
                "serial_number": SERIAL,
                "casings_recovered": 4,
                "projectiles_recovered": 1,
                "nibin_leads": ["SW-NIBIN-0091"],
                "etrace_number": "T2026-0091",
                "etrace_status": "completed",
                "purchaser": f"Osric {PURCHASER}",
                "dealer": f"{DEALER} Sporting Arms",
                "time_to_crime_days": 41,
                "text": f"Bought at the {FIREARM_TEXT} gun show.",
            },
        ),
        "firearm_linked": add(
            atf_case,
            users[ATF_AGENT],
            Note.Kind.FIREARM,
            {
                "recovered": False,
                # The same gun as the police case's: a link advocates see as "same firearm".
                "serial_number": SERIAL,
                "nibin_leads": ["SW-NIBIN-0091"],
                "etrace_status": "not_submitted",
                "caliber": "9mm",
                "text": "",
            },
        ),
        "services": add(
            police_case,
            users[ADVOCATE],
            Note.Kind.VICTIM_SERVICES,
            {
                "victim": victim.pk,
                "service_agency": f"{SERVICES_AGENCY} Family Centre",
                "referral_status": "engaged",
                "services_offered": "Safety planning, relocation",
                "services_accepted": "Safety planning",
                "safety_planning": True,
                "text": f"Staying at the {SERVICES_TEXT} shelter for now.",
            },
        ),
        "services_restricted": _restricted_referral(
            police_case,
            users[ADVOCATE],
            "contacted",
            f"Counselling at {SERVICES_RESTRICTED} House, kept within our centre.",
        ),
        "advocate2_services": _restricted_referral(
            outsider_case, users[ADVOCATE2], "referred", f"Family met at {ADVOCATE2_SERVICES} Lane, our alliance only."
        ),
        "advocate2_general": _general_note(
            police_case,
            users[ADVOCATE2],
            f"Our {ADVOCATE2_RESTRICTED} outreach team has called the family.",
            restricted=True,
        ),
        "advocate_general": _general_note(
            police_case, users[ADVOCATE], "Victim advocates are in touch with the family."
        ),
        "outsider_general": _general_note(
            police_case, users[OUTSIDER], f"Our {OUTSIDER_RESTRICTED} informant says the car was ours.", restricted=True
        ),
        "police_restricted": _general_note(
            police_case,
            users[INVESTIGATOR],
            f"The {POLICE_RESTRICTED} undercover operation is still running.",
            restricted=True,
        ),
        "police_general": _general_note(
            police_case, users[INVESTIGATOR], f"Canvass of {POLICE_GENERAL} Street finished.", follow_up_contact=True
        ),
        "outsider_witness": add(
            outsider_case,
            users[OUTSIDER],
            Note.Kind.WITNESS,
            {
                "name": f"Fennick {OUTSIDER_WITNESS}",
                "contact": "",
                "relation": "",
                "account": "",
                "cooperation": "cooperative",
                "intimidation_concern": False,
                "relocation_requested": False,
                "referred_to_advocate": False,
            },
            restricted=True,
        ),
        "outsider_firearm": add(
            outsider_case,
            users[OUTSIDER],
            Note.Kind.FIREARM,
            {
                "recovered": True,
                "caliber": ".40",
                "serial_number": OUTSIDER_SERIAL,
                "nibin_leads": [OUTSIDER_LEAD],
                "etrace_status": "pending",
                "purchaser": f"Mara {OUTSIDER_PURCHASER}",
                "dealer": "",
                "text": "",
            },
            restricted=True,
        ),
    }
    return notes


def _meeting(start, *, place: str) -> Meeting:
    # At ten in the morning of that day, as the meeting form has it (on the minute, so saving the
    # form unchanged is no move); a time taken from the clock would make a meeting built late in
    # the evening end after midnight, which the form refuses.
    start = timezone.localtime(start).replace(hour=10, minute=0, second=0, microsecond=0)
    return Meeting.objects.create(
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        local_date=timezone.localtime(start).date(),
        cutoff_at=start - timedelta(hours=24),
        place=place,
    )


def _agenda(meeting: Meeting, coordinator: User, shootings: list[Shooting]) -> None:
    for shooting in shootings:
        meeting.refresh_from_db()
        agenda_services.add_case(meeting, coordinator, shooting.report_number, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    agenda_services.add_text_item(
        meeting, coordinator, "Retaliation watch list", "Two names to watch.", expected_version=meeting.agenda_version
    )
    meeting.refresh_from_db()


def _work_on_leads(users: dict[str, User]) -> list[LeadAssignment]:
    """The shared lead triaged with a reason; its work concluded on one case, assigned on the other."""
    lead = NibinLead.objects.get(number="SW-NIBIN-0091")
    lead_work.triage(lead, users[ATF_AGENT], priority="high", reason=f"{LEAD_PRIORITY_REASON} crew", version=1)
    first, second = LeadAssignment.objects.filter(lead=lead).order_by("pk")
    lead_work.change_work(
        first,
        users[ATF_AGENT],
        investigator=users[INVESTIGATOR],
        state=LeadAssignment.State.DONE,
        outcome=LeadAssignment.Outcome.ARREST,
        outcome_note=f"Arrested at the {LEAD_OUTCOME_NOTE} motel.",
        version=first.version,
    )
    lead_work.change_work(second, users[ATF_AGENT], investigator=users[ATF_AGENT], state="assigned", version=1)
    return list(LeadAssignment.objects.order_by("pk"))


def build_world() -> World:
    agencies, users = _people()
    now = timezone.now()
    police_case = case_services.create_shooting(
        users[INVESTIGATOR],
        {
            "report_number": "SW26000101",
            "kind": Shooting.Kind.NONFATAL,
            "occurred_from": now - timedelta(days=2),
            "address": "4100 E Harbor St",
            "division": "Central",
            "beat": "114",
            "summary": "Two men shot outside a corner store.",
            # On the case map (cases:map); the outsider's case has no coordinates and is listed
            # under it instead.
            "latitude": "39.099700",
            "longitude": "-94.578600",
            "lead_investigator": users[INVESTIGATOR],
            "is_retaliation_risk": True,
        },
        victims=[{"name": "Avery Lindqvist", "age": 24, "sex": "M"}, {"name": "Rowan Petrakis", "age": 31}],
    )
    outsider_case = case_services.create_shooting(
        users[OUTSIDER],
        {
            "report_number": "SW26000202",
            "kind": Shooting.Kind.HOMICIDE,
            "occurred_from": now - timedelta(days=3),
            "address": "77 Lakeshore Rd",
            "division": "Other",
            "summary": "Shooting on the county side of the line.",
            "lead_investigator": users[OUTSIDER],
        },
        victims=[{"name": "Juno Abernethy", "age": 40, "sex": "F", "injury": Victim.Injury.FATAL}],
    )
    atf_case = case_services.create_shooting(
        users[ATF_AGENT],
        {
            "report_number": "SW26000303",
            "kind": Shooting.Kind.SHOTS_FIRED,
            "occurred_from": now - timedelta(days=4),
            "address": "12 Mill Race Ave",
            "division": "East",
            "latitude": "39.112300",
            "longitude": "-94.541200",
        },
        victims=[],
    )
    notes = _notes(users, police_case, outsider_case, atf_case)
    notes |= _overlapping_roles(users, police_case, outsider_case, atf_case)
    people_services.record_associate(
        police_case, users[INVESTIGATOR], f"Lent the {ASSOCIATE_TIE} car", name=f"Ezra {ASSOCIATE_NAME}"
    )
    link = case_services.link_manually(police_case, outsider_case, users[INVESTIGATOR], "Same grey sedan seen")
    work_on_leads = _work_on_leads(users)
    risk_contacts = _risk_follow_up(users, police_case)
    coordinator = users[COORDINATOR]
    shootings = [police_case, outsider_case, atf_case]

    scheduled = _meeting(now + timedelta(days=6), place="Headquarters, room 4B")
    _agenda(scheduled, coordinator, shootings)

    frozen = _meeting(now + timedelta(days=2), place="Headquarters, room 2A")
    _agenda(frozen, coordinator, shootings)
    agenda_services.freeze(frozen, coordinator, expected_version=frozen.agenda_version)
    frozen_items = list(frozen.items.order_by("position"))
    agenda_services.record_item(
        frozen,
        coordinator,
        frozen_items[0].pk,
        discussed=True,
        outcome=AgendaItem.Outcome.FOLLOW_UP,
        outcome_text="Check the second camera.",
        review_again=True,
    )
    due = timezone.localdate() + timedelta(days=7)
    actions = [
        agenda_services.create_action_item(
            frozen,
            coordinator,
            item_id=frozen_items[0].pk,
            description="Pull the store camera footage",
            assignee=users[INVESTIGATOR],
            due_on=due,
        ),
        agenda_services.create_action_item(
            frozen,
            coordinator,
            item_id=frozen_items[1].pk,
            description="Call the family about the safety plan",
            assignee=users[ADVOCATE],
            due_on=due,
        ),
    ]

    held = _meeting(now - timedelta(days=5), place="Headquarters, room 1C")
    _agenda(held, coordinator, shootings)
    agenda_services.freeze(held, coordinator, expected_version=held.agenda_version)
    held_items = list(held.items.order_by("position"))
    agenda_services.record_item(
        held,
        coordinator,
        held_items[0].pk,
        discussed=True,
        outcome=AgendaItem.Outcome.DECISION,
        outcome_text="Refer for federal charges.",
        review_again=False,
    )
    actions.append(
        agenda_services.create_action_item(
            held,
            coordinator,
            item_id=held_items[2].pk,
            description="Send the casings to the lab",
            assignee=users[ATF_AGENT],
            due_on=due,
        )
    )
    agenda_services.record_attendance(
        held,
        coordinator,
        [agenda_services.AttendanceRow(agency=agencies["police"], present=True, people=[users[INVESTIGATOR]])],
    )
    held = agenda_services.mark_held(held, coordinator)

    series = MeetingSeries.objects.create(
        name="Weekly sweep review", start_time=time(9, 0), place="Headquarters, room 4B", is_active=False
    )
    reminder = Reminder.objects.create(
        kind=Reminder.Kind.MEETING,
        recipient=coordinator,
        object_type="meeting",
        object_id=str(scheduled.pk),
        occurrence="48h@sweep",
        due_at=now,
        next_attempt_at=now,
        state=Reminder.State.FAILED,
    )
    locked_user = UserFactory(
        username="sw_locked", agency=agencies["police"], role=User.Role.INVESTIGATOR, locked_at=now
    )
    feed_tokens = {persona: meeting_services.calendar_feed_for(user).token for persona, user in users.items()}
    saved_searches = [
        search_services.save_search(
            user,
            f"Watch of {persona}",
            SavedSearch.Alert.AT_ONCE,
            CaseQuery(text="SW26000101", status=Shooting.Status.OPEN, flags=("retaliation",)),
        )
        for persona, user in users.items()
    ]
    expires = timezone.localdate() + timedelta(days=30)
    own_tokens = {
        persona: api_tokens.create_token(user, name="Sweep script", expires_on=expires, created_by=user).secret
        for persona, user in users.items()
    }
    integrations = {
        ADVOCATE: api_tokens.create_integration_account(
            username="sw-advocacy-system",
            name="Advocacy case system",
            agency=agencies["advocacy"],
            role=User.Role.VICTIM_ADVOCATE,
            created_by=users[SUPERVISOR],
        ),
        INVESTIGATOR: api_tokens.create_integration_account(
            username="sw-police-rms",
            name="Police records feed",
            agency=agencies["police"],
            role=User.Role.INVESTIGATOR,
            created_by=users[SUPERVISOR],
        ),
    }
    integration_secrets = {
        persona: api_tokens.create_token(account, name="Feed", expires_on=expires, created_by=users[SUPERVISOR]).secret
        for persona, account in integrations.items()
    }
    return World(
        agencies=agencies,
        users=users,
        shootings={"police": police_case, "outsider": outsider_case, "atf": atf_case},
        notes=notes,
        victims=list(Victim.objects.filter(shooting__in=shootings).order_by("pk")),
        links=[link],
        leads=list(NibinLead.objects.order_by("pk")),
        lead_work=work_on_leads,
        meetings={"scheduled": scheduled, "frozen": frozen, "held": held},
        items={
            str(m.pk): list(AgendaItem.objects.filter(meeting=m).order_by("position"))
            for m in [scheduled, frozen, held]
        },
        actions=actions,
        series=[series],
        reminders=[reminder],
        locked_user=locked_user,
        feed_tokens=feed_tokens,
        people=list(Person.objects.filter(roles__shooting__in=shootings).distinct().order_by("pk")),
        person_roles=list(PersonRole.objects.filter(shooting__in=shootings).order_by("pk")),
        risk_contacts=risk_contacts,
        saved_searches=saved_searches,
        api_tokens=own_tokens,
        integration_accounts=integrations,
        integration_tokens=integration_secrets,
        token_rows=list(ApiToken.objects.order_by("pk")),
    )


@contextmanager
def seeded(django_db_blocker) -> Iterator[World]:
    """Build the world once for a test module, inside a transaction that is rolled back after the
    module's last test. Each test (with the `db` fixture) runs in a savepoint inside it, so what a
    test changes is undone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Every URL pattern ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "cases:detail", or "login" for a pattern without a namespace
    namespace: str
    kwargs: tuple[str, ...]


# Django's admin is left out: it has its own permission system (staff and model permissions,
# none of which the personas hold) and is not a page of the shoot review; it answers every
# persona with its login page. Static files are served by WhiteNoise outside the URL conf.
SKIPPED_NAMESPACES = {"admin"}


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if inner in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                if not pattern.name:
                    raise AssertionError(f"URL pattern {pattern.pattern} has no name; the sweep needs one")
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                routes.append(Route(name, namespace, tuple(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return routes


class UnknownParameter(AssertionError):
    pass


def _pk_values(route: Route, world: World) -> list[int]:
    if route.namespace == "meetings":
        return [m.pk for m in world.meetings.values()]
    if route.namespace == "cases" or route.name == "case_viewers":
        return [s.pk for s in world.shootings.values()]
    raise UnknownParameter(f"{route.name}: which objects does its pk name? Teach sweep_data._pk_values.")


def fill(route: Route, world: World, persona: str) -> list[dict]:
    """Every combination of seeded objects for the pattern's parameters."""
    if not route.kwargs:
        return [{}]
    if set(route.kwargs) == {"pk", "item_pk"}:
        pairs = [(int(pk), item.pk) for pk, items in world.items.items() for item in items]
        # And an item of another meeting, which must be refused like a missing one.
        meetings = [int(pk) for pk in world.items]
        shifted = meetings[1:] + meetings[:1]
        pairs += [(pk, world.items[str(other)][0].pk) for pk, other in zip(meetings, shifted, strict=True)]
        return [{"pk": pk, "item_pk": item_pk} for pk, item_pk in pairs]
    values: dict[str, list] = {}
    for name in route.kwargs:
        if name == "pk":
            values[name] = _pk_values(route, world)
        elif name == "shooting_pk":
            values[name] = [s.pk for s in world.shootings.values()]
        elif name == "note_pk":
            values[name] = [note.pk for note in world.notes.values()]
        elif name == "person_pk":
            values[name] = [person.pk for person in world.people]
        elif name == "role_pk":
            values[name] = [role.pk for role in world.person_roles]
        elif name == "contact_pk":
            values[name] = [contact.pk for contact in world.risk_contacts]
        elif name == "victim_pk":
            values[name] = [victim.pk for victim in world.victims]
        elif name == "link_pk":
            values[name] = [link.pk for link in world.links]
        elif name == "lead_pk":
            values[name] = [lead.pk for lead in world.leads]
        elif name == "work_pk":
            values[name] = [work.pk for work in world.lead_work]
        elif name == "action_pk":
            values[name] = [action.pk for action in world.actions]
        elif name == "user_pk":
            values[name] = [world.locked_user.pk]
        elif name == "reminder_pk":
            values[name] = [reminder.pk for reminder in world.reminders]
        elif name == "search_pk":
            values[name] = [saved.pk for saved in world.saved_searches]
        elif name == "series_pk":
            values[name] = [series.pk for series in world.series]
        elif name == "meeting_pk":
            values[name] = [m.pk for m in world.meetings.values()]
        elif name == "token_pk":
            values[name] = [token.pk for token in world.token_rows]
        elif name == "account_pk":
            values[name] = [account.pk for account in world.integration_accounts.values()]
        elif name == "kind":
            values[name] = [*Note.Kind.values, "not-a-kind"]
        elif name == "token":
            # The token is the credential of a calendar program; each person fetches their own.
            values[name] = [world.feed_tokens[persona]]
        else:
            raise UnknownParameter(f"{route.name}: no seeded objects for <{name}>. Teach sweep_data.fill.")
    names = list(values)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(values[n] for n in names))]


# Query strings that change what a GET shows, tried besides the bare URL.
EXTRA_QUERIES: dict[str, list[str]] = {
    "cases:detail": [*(f"kind={kind}" for kind in Note.Kind.values), "reviews=all"],
    "cases:list": ["q=SW26000101", "sort=-occurred"],
    # The API's list takes the case list's search: a suspect's name finds the case for law
    # enforcement only (misspelt, as above, so that an echo of the query is no sentinel).
    "api:case_list": ["q=SW26000101", f"q={SUSPECT_NAME[:-2]}r", "status=open&flag=retaliation"],
    "api:lead_list": ["status=lead"],
    "api:action_items": ["scope=all", "status=open"],
    "cases:export": ["q=SW26000101"],
    "cases:saved_search_save": ["q=SW26000101&status=open&flag=dv"],
    "cases:map": ["q=SW26000101", "kind=homicide"],
    "cases:nibin_list": ["status=lead"],
    # People: by a victim's name, a suspect's, a witness's and a suspect alias of a victim, each
    # misspelt (the search forgives it) so that the search box's own echo is no sentinel.
    "cases:people": [
        "q=Avery Lindqvist",
        f"q={SUSPECT_NAME[:-2]}r",
        f"q={WITNESS_NAME[:-1]}",
        f"q={OVERLAP_ALIAS[:-1]}",
        f"q={OUTSIDER_OVERLAP_ALIAS[:-1]}",
    ],
    # Recording an associate looks people up as the person search does.
    "cases:add_associate": [
        "q=Avery Lindqvist",
        f"q={ASSOCIATE_NAME[:-1]}",
        f"q={SUSPECT_NAME[:-2]}r",
        f"q={OUTSIDER_OVERLAP_ALIAS[:-1]}",
    ],
    "cases:person_matches": ["name=Avery Lindqvist", f"name=Lucius {SUSPECT_NAME}", f"name={OUTSIDER_WITNESS}"],
    "meetings:reminders": ["state=failed", "state=sent"],
    "meetings:my_items": ["agency=", "assignee="],
}


PDF_ROUTES = {"meetings:agenda_pdf", "meetings:minutes_pdf"}


def _pdf_queries(persona: str, world: World) -> list[str]:
    """A packet is drawn for the widest audience the person may print (the default) and, for
    every audience they may not print, asked for to see it refused. Narrower packets of a
    printer hold a subset of the widest one; what each audience may read is tested with the
    printing tests. Drawing a PDF takes about a second, so no more are drawn than that."""

    allowed = printable_audiences(world.users[persona])
    return [f"audience={audience}" for audience in PrintedCopy.Audience.values if audience not in allowed]


def urls_for(route: Route, world: World, persona: str, *, queries: bool = True) -> list[str]:
    urls = []
    extra = _pdf_queries(persona, world) if route.name in PDF_ROUTES else EXTRA_QUERIES.get(route.name, [])
    extra = extra if queries else []
    for kwargs in fill(route, world, persona):
        if route.name == "meetings:agenda_pdf" and kwargs["pk"] == world.meetings["held"].pk:
            # Drawn from snapshots exactly as the frozen meeting's agenda is.
            continue
        url = reverse(route.name, kwargs=kwargs)
        urls.append(url)
        urls += [f"{url}?{query}" for query in extra]
    return urls


# --- Reading what came back -------------------------------------------------------------------


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def pdf_text(content: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(BytesIO(content)).pages)


def ics_text(text: str) -> str:
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    return unfolded.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\N", "\n")


def readable_text(response, content: bytes | None = None) -> str:
    """What a person reading the response would read: HTML with entities decoded, CSV and
    iCalendar as text, a PDF's extracted text."""
    content = body_of(response) if content is None else content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(content)
    text = content.decode("utf-8", errors="replace")
    if kind.startswith("text/calendar"):
        return ics_text(text)
    return html.unescape(text)


def squeeze(text: str) -> str:
    """Lower case without any whitespace, so a word broken over two lines is still found."""
    return re.sub(r"\s+", "", text).lower()


def sentinels_in(text: str, words) -> list[str]:
    squeezed = squeeze(text)
    return [word for word in words if squeeze(word) in squeezed]


# --- Fetching every page ----------------------------------------------------------------------

HTMX = {"HX-Request": "true"}


@dataclass
class Fetch:
    how: str  # "page", or "htmx" for the same URL asked for as an htmx fragment
    url: str
    route: Route
    response: object
    audit_rows: list[dict]  # the audit rows written while answering


def _last_audit_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def fetch_everything(client, world: World, persona: str, *, skip_routes=frozenset()) -> Iterator[Fetch]:
    """GET every URL of every pattern with `persona`'s objects; each HTML page that answers 200
    also as an htmx fragment (views answer `HX-Request` with a partial)."""

    for route in all_routes():
        if route.name in skip_routes:
            continue
        for url in urls_for(route, world, persona):
            for how, headers in (("page", {}), ("htmx", HTMX)):
                before = _last_audit_id()
                response = client.get(url, headers=headers)
                rows = list(AuditEvent.objects.filter(id__gt=before).values("outcome", "actor_id", "event"))
                yield Fetch(how, url, route, response, rows)
                is_page = response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")
                if not is_page:
                    break
