"""Linked incidents: shootings that share a NIBIN lead or a firearm serial number, or that a
person linked by hand, form a cluster (both ways and transitively)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from .lead_work import open_work
from .models import LinkKey, ManualLink, NibinLead, Note, Shooting


def refresh_link_keys(note: Note) -> set[int]:
    """Rebuild the keys a firearm-trace note contributes; returns the shootings to relink.
    Only live, unrestricted traces contribute."""
    before = set(LinkKey.objects.filter(note=note).values_list("shooting_id", flat=True))
    LinkKey.objects.filter(note=note).delete()
    # A trace restricted to its agency links nothing: links are shown across the partnership (on
    # case pages, agendas and printed packets), so a restricted lead or serial would leak there.
    if note.kind == Note.Kind.FIREARM and not note.is_retracted and not note.restricted_to_agency:
        serial = note.fields.get("serial_number") or ""
        keys = (
            [LinkKey(shooting_id=note.shooting_id, note=note, kind=LinkKey.Kind.SERIAL, value=serial)] if serial else []
        )
        for number in note.fields.get("nibin_leads") or []:
            keys.append(LinkKey(shooting_id=note.shooting_id, note=note, kind=LinkKey.Kind.NIBIN, value=number))
            recovered = note.fields.get("recovered_on")
            NibinLead.objects.get_or_create(
                number=number,
                defaults={"lead_received_at": timezone.now(), "evidence_recovered_at": _start_of_day(recovered)},
            )
        LinkKey.objects.bulk_create(keys)
        open_work({key.value for key in keys if key.kind == LinkKey.Kind.NIBIN}, note.shooting_id)
    return before | {note.shooting_id}


def _start_of_day(iso_date: str | None):
    if not iso_date:
        return None
    from datetime import date, datetime, time

    return timezone.make_aware(datetime.combine(date.fromisoformat(iso_date), time.min))


def _neighbours(ids: set[int]) -> set[int]:
    keys = LinkKey.objects.filter(shooting_id__in=ids).values_list("kind", "value")
    key_q = Q(pk__in=[])
    for kind, value in set(keys):
        key_q |= Q(kind=kind, value=value)
    by_key = set(LinkKey.objects.filter(key_q).values_list("shooting_id", flat=True)) if keys else set()
    manual = ManualLink.objects.filter(removed_at__isnull=True).filter(
        Q(from_shooting_id__in=ids) | Q(to_shooting_id__in=ids)
    )
    by_hand = {sid for pair in manual.values_list("from_shooting_id", "to_shooting_id") for sid in pair}
    return by_key | by_hand


def relink(shooting_ids: set[int]) -> None:
    """Recompute the clusters touching these shootings (and their old cluster mates, since a
    removed key or link can split a cluster)."""
    if not shooting_ids:
        return
    old_clusters = set(
        Shooting.objects.filter(pk__in=shooting_ids, cluster_id__isnull=False).values_list("cluster_id", flat=True)
    )
    affected = set(shooting_ids) | set(
        Shooting.objects.filter(cluster_id__in=old_clusters).values_list("pk", flat=True)
    )
    seen: set[int] = set()
    for start in sorted(affected):
        if start in seen:
            continue
        component = {start}
        frontier = {start}
        while frontier:
            found = _neighbours(frontier) - component
            component |= found
            frontier = found
        seen |= component
        cluster = min(component) if len(component) > 1 else None
        Shooting.objects.filter(pk__in=component).exclude(cluster_id=cluster).update(cluster_id=cluster)
        if cluster is None:
            Shooting.objects.filter(pk__in=component, cluster_id__isnull=False).update(cluster_id=None)


@dataclass
class LinkedCase:
    shooting: Shooting
    reasons: list[str] = field(default_factory=list)
    direct: bool = False


def linked_cases(shooting: Shooting, *, hide_serials: bool = False) -> list[LinkedCase]:
    """The other shootings in this one's cluster, each with why it is linked.

    Queries: cluster members, the keys of the cluster, the leads they cite, the manual links."""
    if shooting.cluster_id is None:
        return []
    members = {s.pk: s for s in Shooting.objects.filter(cluster_id=shooting.cluster_id)}
    keys = list(LinkKey.objects.filter(shooting_id__in=members).values_list("shooting_id", "kind", "value"))
    leads = {
        lead.number: lead
        for lead in NibinLead.objects.filter(number__in={v for _, k, v in keys if k == LinkKey.Kind.NIBIN})
    }
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for sid, kind, value in keys:
        holders[(kind, value)].add(sid)
    mine = {(k, v) for sid, k, v in keys if sid == shooting.pk}
    result = {pk: LinkedCase(s) for pk, s in members.items() if pk != shooting.pk}
    for kind, value in sorted(mine):
        for sid in holders[(kind, value)] - {shooting.pk}:
            if kind == LinkKey.Kind.NIBIN:
                lead = leads.get(value)
                status = lead.get_status_display().split(" (")[0].lower() if lead else "lead"
                reason = f"NIBIN {status} {value}"
            else:
                reason = "same firearm (serial number)" if hide_serials else f"same firearm serial {value}"
            result[sid].reasons.append(reason)
            result[sid].direct = True
    manual = ManualLink.objects.filter(removed_at__isnull=True).filter(
        Q(from_shooting=shooting, to_shooting_id__in=members) | Q(to_shooting=shooting, from_shooting_id__in=members)
    )
    for link in manual:
        other = link.to_shooting_id if link.from_shooting_id == shooting.pk else link.from_shooting_id
        if other in result:
            result[other].reasons.append(f"linked by hand: {link.reason}")
            result[other].direct = True
    for linked in result.values():
        if not linked.direct:
            linked.reasons.append("through another linked case")
    return sorted(result.values(), key=lambda item: (not item.direct, -item.shooting.occurred_from.timestamp()))


def leads_for(shooting: Shooting) -> list[NibinLead]:
    numbers = LinkKey.objects.filter(shooting=shooting, kind=LinkKey.Kind.NIBIN).values("value")
    return list(NibinLead.objects.filter(number__in=numbers).order_by("number"))


def shootings_for_lead(lead: NibinLead):
    ids = LinkKey.objects.filter(kind=LinkKey.Kind.NIBIN, value=lead.number).values("shooting_id")
    return Shooting.objects.filter(pk__in=ids)
