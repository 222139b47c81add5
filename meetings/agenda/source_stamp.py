"""The stamp of the data a live agenda is drawn from, kept by the database, and the live
snapshots reused under it.

A live agenda's snapshots (`meetings.agenda.snapshot`) take ten queries over hundreds of cases, and most
views of the page come between changes. Triggers (migrations meetings 0006, 0008) give a slot of
`SourceStamp` a new random token for every transaction that writes a table the snapshots read
(and count the writer's own statements, migration 0012), whatever wrote it: a form, a queryset
update, an import, the admin, SQL typed by hand. The slots' tokens together are the stamp, and
snapshots built under one stamp are reused while it stands. Why that is safe:
- the stamp is read before the snapshot's queries, so what is kept under a stamp is at least as
  new as the stamp (a change committed in between gives a newer stamp, and the next view builds
  again);
- tokens are random, not counted, and a writer's own writes are numbered from a sequence: a
  rolled-back transaction's stamp never comes back with other data;
- with no slot at all (an emptied table, as after a test-suite flush) nothing is reused.
The snapshot holds no decision about who sees what, so one kept snapshot serves every viewer.
"""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection
from django.db.models.expressions import RawSQL

from cases.digests import digest

from ..models import AgendaItem, Meeting, SourceStamp
from .snapshot import SNAPSHOT_VERSION, snapshot_items

CACHE = "agenda_snapshots"


def current() -> str:
    """The stamp now, or "" before any slot exists. On PostgreSQL the slots' tokens change once
    per writing transaction, so the stamp also holds the number the transaction's own last write
    took (migration meetings 0012): a writer sees a new stamp after each of its writes."""
    slots = SourceStamp.objects.order_by("slot")
    if connection.vendor == "postgresql":
        own = RawSQL("current_setting('shootreview.stamp_write', true)", [])
        rows = list(slots.annotate(own=own).values_list("slot", "token", "own"))
    else:
        rows = [(slot, token, None) for slot, token in slots.values_list("slot", "token")]
    stamp = ";".join(f"{slot}:{token}" for slot, token, _own in rows)
    own_write = rows[0][2] if rows else None
    return f"{stamp}#{own_write}" if own_write else stamp


def live_snapshots(meeting: Meeting, items: list[AgendaItem]) -> dict[int, dict]:
    """`snapshot_items(meeting, items)`, reused while the stamp stands. One query when reused."""
    stamp = current()
    if not stamp:
        return snapshot_items(meeting, items)
    # Everything of the meeting and the items that the snapshot reads, as they are in memory.
    key = "snapshots:" + digest(
        (
            stamp,
            SNAPSHOT_VERSION,
            meeting.pk,
            meeting.starts_at,
            meeting.local_date,
            [(item.pk, item.shooting_id, item.group_key, item.title, item.text) for item in items],
        )
    )
    cache = caches[CACHE]
    snapshots = cache.get(key)
    if snapshots is None:
        snapshots = snapshot_items(meeting, items)
        cache.set(key, snapshots)
    return snapshots
