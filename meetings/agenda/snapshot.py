"""An agenda item's content as a JSON-safe dict: the same data whether the agenda is live or
frozen, so the page, the minutes and every printed packet come from one source.

A snapshot holds everything that anyone at the table might be allowed to see (all live notes of
the item, with their kind, author agency and restriction) and no decision about who sees what:
`meetings.agenda.presentation` applies the viewer's and the audience's need-to-know to it when it is
shown or printed. Snapshots are built for many items at once in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db import connection
from django.db.models import F, Max, Q, Window
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import RowNumber
from django.utils.dateparse import parse_date, parse_datetime

from cases import prosecution
from cases.indicators import NOTE_SIGNALS, signal_fields, signal_notes
from cases.models import LeadAssignment, LinkKey, ManualLink, NibinLead, Note, Shooting, ShootingChange, Victim
from cases.people.overlaps import role_facts

from ..models import ActionItem, AgendaItem, Meeting

# "What is new since the last review": at most this many of the latest notes of each kind.
LATEST_PER_KIND = 3
# Marks the free-text item that lists open action items without a case.
ACTION_ITEMS_SECTION = "section:action_items"
SNAPSHOT_VERSION = 1

SHOOTING_FACTS = [
    "pk",
    "report_number",
    "kind",
    "occurred_from",
    "address",
    "division",
    "beat",
    "status",
    "counting",
    "is_domestic_violence",
    "is_group_involved",
    "is_retaliation_risk",
    "is_juvenile_involved",
    "cluster_id",
]
ACTION_FACTS = [
    "id",
    "description",
    "due_on",
    "shooting_id",
    "agency__code",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
]
KIND_LABELS = dict(Shooting.Kind.choices)
STATUS_LABELS = dict(Shooting.Status.choices)
INJURY_LABELS = dict(Victim.Injury.choices)
REFERRAL_LABELS = dict(Victim.Referral.choices)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def as_datetime(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def as_date(value: str | None) -> date | None:
    return parse_date(value) if value else None


def _action_row(row: dict) -> dict:
    name = " ".join(filter(None, [row["assignee__first_name"], row["assignee__last_name"]]))
    return {
        "id": row["id"],
        "description": row["description"],
        "assignee": name or row["assignee__username"],
        "agency": row["agency__code"],
        "due_on": _iso(row["due_on"]),
        "shooting_id": row["shooting_id"],
    }


def loose_action_items(meeting: Meeting) -> list[dict]:
    """Open action items with no case, due by the meeting: the "Open action items" section."""
    actions = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN, shooting__isnull=True, due_on__lte=meeting.local_date
    ).values(*ACTION_FACTS)
    return [_action_row(a) for a in actions]


def snapshot_items(meeting: Meeting, items: list[AgendaItem]) -> dict[int, dict]:
    """item id → snapshot, for every item given.

    Queries (whatever the number of items): shootings with lead investigators; victims; earlier
    appearances; latest notes per kind (a window function); notes behind the indicators; open
    action items; cluster members; their link keys; the leads those cite; manual links; the work
    on those leads; prosecution changes; the roles of the cases' people everywhere; and the loose
    action items when the section is on the agenda."""
    case_ids = [item.shooting_id for item in items if item.shooting_id]
    cases = _case_snapshots(meeting, case_ids) if case_ids else {}
    out: dict[int, dict] = {}
    loose: list[dict] | None = None
    for item in items:
        if item.shooting_id:
            out[item.pk] = {"v": SNAPSHOT_VERSION, "kind": "case", **cases[item.shooting_id]}
            continue
        content = {"v": SNAPSHOT_VERSION, "kind": "text", "title": item.title, "text": item.text}
        if item.group_key == ACTION_ITEMS_SECTION:
            if loose is None:
                loose = loose_action_items(meeting)
            content["action_items"] = loose
        out[item.pk] = content
    return out


def _id_set(ids) -> list[int] | RawSQL:
    """`ids` for an `__in` filter: on PostgreSQL one array parameter instead of a placeholder per
    id. An agenda passes hundreds of ids to each of its queries, and the driver's parsing of the
    query text grew with every placeholder."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def _case_snapshots(meeting: Meeting, case_ids: list[int]) -> dict[int, dict]:
    # Plain rows rather than model instances: an agenda may hold hundreds of cases.
    ids = _id_set(case_ids)
    shootings = _shootings(ids)
    victims = _victims(ids)
    since = _last_reviewed(meeting, ids)
    notes = _new_notes(ids, since)
    signals = _signals(ids)
    actions = _open_actions(ids)
    links = _links(shootings)
    prosecution_changes = _prosecution_changes(ids, since)
    work = _lead_work(ids)
    # Each person's roles here and elsewhere, with what decides who may see each
    # (cases.people.overlaps); the presentation words them for each reader.
    people = role_facts(case_ids, id_filter=ids)
    return {
        sid: {
            "shooting": _shooting(sid, s),
            "victims": victims.get(sid, []),
            "since": _iso(since.get(sid)),
            "notes": notes.get(sid, []),
            "signals": signals.get(sid, []),
            "leads": [{**lead, "work": work.get((sid, lead["number"]))} for lead in links["leads"].get(sid, [])],
            "linked": links["linked"].get(sid, []),
            "action_items": actions.get(sid, []),
            "prosecution": prosecution_changes.get(sid, []),
            "people": people.get(sid, []),
        }
        for sid, s in shootings.items()
    }


def _shootings(ids) -> dict[int, dict]:
    return {
        row["pk"]: row
        for row in Shooting.objects.filter(pk__in=ids)
        .values(
            *SHOOTING_FACTS,
            "lead_investigator__first_name",
            "lead_investigator__last_name",
            "lead_investigator__username",
        )
        .order_by()
    }


def _shooting(sid: int, s: dict) -> dict:
    lead = " ".join(filter(None, [s["lead_investigator__first_name"], s["lead_investigator__last_name"]]))
    return {
        "id": sid,
        "report_number": s["report_number"],
        "kind": s["kind"],
        "kind_label": KIND_LABELS.get(s["kind"], s["kind"]),
        "occurred_from": _iso(s["occurred_from"]),
        "address": s["address"],
        "division": s["division"],
        "beat": s["beat"],
        "status": s["status"],
        "status_label": STATUS_LABELS.get(s["status"], s["status"]),
        "counting": s["counting"],
        "lead_investigator": lead or s["lead_investigator__username"] or "",
        "is_domestic_violence": s["is_domestic_violence"],
        "is_group_involved": s["is_group_involved"],
        "is_retaliation_risk": s["is_retaliation_risk"],
        "is_juvenile_involved": s["is_juvenile_involved"],
        "cluster_id": s["cluster_id"],
    }


def _victims(ids) -> dict[int, list[dict]]:
    victims: dict[int, list[dict]] = defaultdict(list)
    for v in (
        Victim.objects.filter(shooting_id__in=ids)
        .order_by("id")
        .values("pk", "shooting_id", "name", "age", "is_juvenile", "sex", "injury", "died_on", "referral_status")
    ):
        age = v["age"]
        victims[v["shooting_id"]].append(
            {
                "id": v["pk"],
                "name": v["name"],
                "age": age,
                "age_display": Victim.age_words(age, v["is_juvenile"]),
                "sex": v["sex"],
                "injury": v["injury"],
                "injury_label": INJURY_LABELS.get(v["injury"], v["injury"]),
                "died_on": _iso(v["died_on"]),
                "is_juvenile": v["is_juvenile"] or (age is not None and age < 18),
                "referral": REFERRAL_LABELS.get(v["referral_status"], v["referral_status"]),
            }
        )
    return victims


def _last_reviewed(meeting: Meeting, ids) -> dict[int, datetime]:
    """Each case's last review: the cutoff of the last held meeting that had it ("new since")."""
    return dict(
        AgendaItem.objects.filter(
            shooting_id__in=ids,
            removed_at__isnull=True,
            meeting__status=Meeting.Status.HELD,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .exclude(meeting=meeting)
        .values("shooting_id")
        .annotate(last=Max("meeting__cutoff_at"))
        .values_list("shooting_id", "last")
    )


NOTE_META = ("id", "shooting_id", "kind", "author_agency_id", "author_agency__kind", "author_agency__code")


def _new_notes(ids, since: dict[int, datetime]) -> dict[int, list[dict]]:
    """The latest notes of each (kind, author agency, restriction) since the case's last review:
    within one partition every note is visible to the same people, so the latest visible notes
    of a kind, for any reader, are among these."""
    latest = (
        Note.objects.filter(shooting_id__in=ids, retracted_at__isnull=True)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("shooting_id"), F("kind"), F("author_agency_id"), F("restricted_to_agency")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=LATEST_PER_KIND)
        .values(*NOTE_META, "restricted_to_agency", "created_at", "fields")
    )
    notes: dict[int, list[dict]] = defaultdict(list)
    for row in sorted(latest, key=lambda r: (r["created_at"], r["id"]), reverse=True):
        cutoff = since.get(row["shooting_id"])
        if cutoff is not None and row["created_at"] <= cutoff:
            continue
        notes[row["shooting_id"]].append(_note(row, row["fields"]))
    return notes


def _signals(ids) -> dict[int, list[dict]]:
    """Indicators look at every live note, not only the new ones: keep just the field that raises
    a signal (cases.indicators), of the notes that raise one (the rest would be read only to be
    dropped here)."""
    signals: dict[int, list[dict]] = defaultdict(list)
    names = sorted({signal.field for signal in NOTE_SIGNALS})
    read = {f"signal_{name}": KeyTransform(name, "fields") for name in names}
    signal_rows = (
        Note.objects.filter(shooting_id__in=ids, retracted_at__isnull=True)
        .filter(signal_notes())
        .values(*NOTE_META, "restricted_to_agency", "created_at", **read)
        .order_by()
    )
    for row in signal_rows:
        fields = signal_fields(row["kind"], {name: row[f"signal_{name}"] for name in names})
        if fields:
            signals[row["shooting_id"]].append(_note(row, fields))
    return signals


def _prosecution_changes(ids, since: dict[int, datetime]) -> dict[int, list[dict]]:
    """Each case's recorded changes of referral, charges, custody and disposition since its last
    review, oldest first, with the moment each was recorded (cases.prosecution)."""
    changes: dict[int, list[dict]] = defaultdict(list)
    rows = (
        ShootingChange.objects.filter(prosecution.touches_prosecution(), shooting_id__in=ids)
        .order_by("changed_at", "id")
        .values_list("shooting_id", "changed_at", "changes")
    )
    for sid, changed_at, recorded in rows:
        cutoff = since.get(sid)
        if cutoff is None or changed_at > cutoff:
            changes[sid].append({"changed_at": _iso(changed_at), "fields": prosecution.changed_fields(recorded)})
    return changes


def _open_actions(ids) -> dict[int, list[dict]]:
    actions: dict[int, list[dict]] = defaultdict(list)
    for row in ActionItem.objects.filter(shooting_id__in=ids, status=ActionItem.Status.OPEN).values(*ACTION_FACTS):
        actions[row["shooting_id"]].append(_action_row(row))
    return actions


def _note(row: dict, fields: dict) -> dict:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "author_agency_id": row["author_agency_id"],
        "author_agency_kind": row["author_agency__kind"],
        "author_agency_code": row["author_agency__code"],
        "restricted": row["restricted_to_agency"],
        "created_at": _iso(row["created_at"]),
        "fields": fields,
    }


def _lead_work(ids) -> dict[tuple[int, str], dict]:
    """(case, lead number) → the work on that lead there (cases.lead_work): its state, owner and
    times. The presentation shows it only to readers who see investigative detail."""
    rows = LeadAssignment.objects.filter(shooting_id__in=ids).values(
        "shooting_id",
        "lead__number",
        "state",
        "outcome",
        "joined_at",
        "outcome_at",
        "investigator__first_name",
        "investigator__last_name",
        "investigator__username",
    )
    states, outcomes = dict(LeadAssignment.State.choices), dict(LeadAssignment.Outcome.choices)
    return {
        (row["shooting_id"], row["lead__number"]): {
            "state": row["state"],
            "state_label": states.get(row["state"], row["state"]),
            "outcome_label": outcomes.get(row["outcome"], "") if row["outcome"] else "",
            "owner": " ".join(filter(None, [row["investigator__first_name"], row["investigator__last_name"]]))
            or row["investigator__username"]
            or "",
            "joined_at": _iso(row["joined_at"]),
            "outcome_at": _iso(row["outcome_at"]),
        }
        for row in rows
    }


def _links(shootings: dict[int, dict]) -> dict[str, dict[int, list[dict]]]:
    """The NIBIN leads of each case and its linked incidents with how each is linked (the values
    are kept; the presentation decides who sees a serial number or a manual link's reason)."""
    clusters = {s["cluster_id"] for s in shootings.values() if s["cluster_id"] is not None}
    members: dict[int, dict] = {}
    if clusters:
        for row in Shooting.objects.filter(cluster_id__in=clusters).values(
            "pk", "report_number", "kind", "occurred_from", "cluster_id", "status"
        ):
            members[row["pk"]] = row
    everyone = set(members) | set(shootings)
    keys = list(
        LinkKey.objects.filter(shooting_id__in=_id_set(everyone)).values_list("shooting_id", "kind", "value").distinct()
    )
    numbers = {value for _, kind, value in keys if kind == LinkKey.Kind.NIBIN}
    lead_status = dict(NibinLead.objects.filter(number__in=numbers).values_list("number", "status")) if numbers else {}
    manual = (
        list(
            ManualLink.objects.filter(removed_at__isnull=True)
            .filter(Q(from_shooting_id__in=members) & Q(to_shooting_id__in=members))
            .values_list("from_shooting_id", "to_shooting_id", "reason")
        )
        if members
        else []
    )

    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    own_keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for sid, kind, value in keys:
        holders[(kind, value)].add(sid)
        own_keys[sid].add((kind, value))
    status_labels = dict(NibinLead.Status.choices)

    by_cluster: dict[int, list[dict]] = defaultdict(list)
    for row in members.values():
        by_cluster[row["cluster_id"]].append(row)

    leads: dict[int, list[dict]] = {}
    linked: dict[int, list[dict]] = {}
    for sid, s in shootings.items():
        leads[sid] = [
            {
                "number": value,
                "status": lead_status.get(value, NibinLead.Status.LEAD),
                "status_label": status_labels[lead_status.get(value, NibinLead.Status.LEAD)],
            }
            for kind, value in sorted(own_keys[sid])
            if kind == LinkKey.Kind.NIBIN
        ]
        if s["cluster_id"] is None:
            continue
        entries: dict[int, dict] = {}
        for row in by_cluster[s["cluster_id"]]:
            other = row["pk"]
            if other == sid:
                continue
            entries[other] = {
                "id": other,
                "report_number": row["report_number"],
                "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
                "occurred_from": _iso(row["occurred_from"]),
                "status_label": STATUS_LABELS.get(row["status"], row["status"]),
                "how": [],
            }
        for kind, value in sorted(own_keys[sid]):
            for other in holders[(kind, value)] - {sid}:
                if other in entries:
                    how = {"kind": kind, "value": value}
                    if kind == LinkKey.Kind.NIBIN:
                        how["status"] = lead_status.get(value, NibinLead.Status.LEAD)
                    entries[other]["how"].append(how)
        for a, b, reason in manual:
            other = b if a == sid else a if b == sid else None
            if other in entries:
                entries[other]["how"].append({"kind": "manual", "value": reason})
        linked[sid] = sorted(
            entries.values(), key=lambda e: (not e["how"], -(as_datetime(e["occurred_from"]).timestamp()))
        )
    return {"leads": leads, "linked": linked}
