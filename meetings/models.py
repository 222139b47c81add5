"""Weekly review meetings, their agendas, what was decided, and the action items that follow."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Agency
from cases.models import Shooting


class MeetingSeries(models.Model):
    """A standing weekly meeting (for instance Wednesdays 09:00 local) that coordinators set up
    once, so the coming meetings exist without typing them."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    name = models.CharField("name", max_length=120, default="Weekly shoot review")
    weekday = models.PositiveSmallIntegerField("day", choices=Weekday.choices, default=Weekday.WEDNESDAY)
    start_time = models.TimeField("start time (local)")
    duration_minutes = models.PositiveSmallIntegerField("length (minutes)", default=90)
    place = models.CharField("place", max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chair",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_agencies = models.ManyToManyField(Agency, verbose_name="invited agencies", blank=True, related_name="+")
    # The agenda's review window closes this long before the meeting starts.
    cutoff_hours = models.PositiveSmallIntegerField("agenda cutoff (hours before)", default=24)
    weeks_ahead = models.PositiveSmallIntegerField("meetings scheduled ahead (weeks)", default=4)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_weekday_display()}s {self.start_time:%H:%M})"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now) -> MeetingQuerySet:
        return self.filter(starts_at__gte=now).exclude(status=Meeting.Status.CANCELLED).order_by("starts_at")

    def involving(self, user) -> MeetingQuerySet:
        """Meetings `user` is expected at: invited by name or through their agency, or chairing
        (the private calendar feed)."""
        invited = Meeting.attendees.through.objects.filter(meeting_id=models.OuterRef("pk"), user_id=user.pk)
        through_agency = Meeting.invited_agencies.through.objects.filter(
            meeting_id=models.OuterRef("pk"), agency_id=user.agency_id
        )
        return self.filter(Q(chair_id=user.pk) | models.Exists(invited) | models.Exists(through_agency))


class Meeting(models.Model):
    """One shoot review. Its agenda covers the window from the previous held meeting's cutoff to
    this meeting's cutoff."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        FROZEN = "frozen", "Agenda frozen"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    series = models.ForeignKey(MeetingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    # The local calendar date of starts_at; one meeting of a series per day.
    local_date = models.DateField(editable=False)
    cutoff_at = models.DateTimeField("agenda cutoff")
    place = models.CharField("place", max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chair",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    invited_agencies = models.ManyToManyField(
        Agency, verbose_name="invited agencies", blank=True, related_name="invited_meetings"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="invited people", blank=True, related_name="meetings"
    )
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField("reason for cancelling", max_length=300, blank=True)
    # Set when a meeting of a series was moved away from the series' usual slot.
    moved_from = models.DateTimeField(null=True, blank=True, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped by every agenda edit; an edit posts the version it saw so concurrent edits by two
    # coordinators are detected instead of silently reordering each other's work.
    agenda_version = models.PositiveIntegerField(default=1, editable=False)
    agenda_built_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The cover numbers and weekly chart as they stood when the agenda was frozen (see
    # meetings.cover.stats.cover_for), so that a frozen agenda prints the same document every time.
    cover_snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_status_start_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "local_date"], condition=~Q(status="cancelled"), name="meeting_one_per_series_day"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(cutoff_at__lte=models.F("starts_at")), name="meeting_cutoff_before"),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"Shoot review {timezone.localtime(self.starts_at):%a %d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status in {self.Status.FROZEN, self.Status.HELD}


class AgendaItem(models.Model):
    """One line of an agenda: a case (with why it is there) or a free-text item."""

    class Kind(models.TextChoices):
        CASE = "case", "Case"
        TEXT = "text", "Free text"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        DECISION = "decision", "Decision"
        INFORMATION = "information", "Information"
        FOLLOW_UP = "follow_up", "Follow-up"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CASE)
    shooting = models.ForeignKey(Shooting, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    title = models.CharField("title", max_length=200, blank=True)
    text = models.TextField("text", max_length=4000, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Why the item is on the agenda: [{"code": "new_in_window", "text": "Occurred in the window"}, …]
    reasons = models.JSONField(default=list, blank=True)
    # Linked incidents share a group (the cluster id) so they stay together.
    group_key = models.CharField(max_length=40, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set when a coordinator added the item by hand.",
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.CharField("reason for removing", max_length=300, blank=True)
    # The item's content as it was when the agenda was frozen (facts, victims, flags, links, the
    # latest notes with their kind, author agency and restriction, so that each audience's
    # need-to-know can still be applied when printing the snapshot).
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    discussed = models.BooleanField("discussed", default=False)
    outcome = models.CharField("outcome", max_length=12, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField("outcome notes", max_length=4000, blank=True)
    review_again = models.BooleanField("review again next week", default=False)
    # The time plan: who presents the item and how long it is given. The agenda adds the time
    # boxes up from the meeting's start (meetings.agenda.time_plan).
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="presenter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time_box = models.PositiveSmallIntegerField("time box (minutes)", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        indexes = [models.Index(fields=["shooting", "meeting"], name="agendaitem_shooting_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "shooting"], condition=Q(shooting__isnull=False), name="agendaitem_one_per_case"
            ),
            models.CheckConstraint(
                condition=(Q(kind="case", shooting__isnull=False) | Q(kind="text", shooting__isnull=True)),
                name="agendaitem_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.title or (self.shooting.report_number if self.shooting_id else f"item {self.pk}")


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> ActionItemQuerySet:
        return self.filter(status=ActionItem.Status.OPEN)

    def open_items_due_by(self, day) -> ActionItemQuerySet:
        """Open items due on or before `day` (a local date): they come back on that day's agenda."""
        return self.open().filter(due_on__lte=day)


class ActionItem(models.Model):
    """Something someone agreed to do; it comes back on every agenda until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    shooting = models.ForeignKey(Shooting, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items")
    description = models.CharField("what", max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="assignee", on_delete=models.PROTECT, related_name="action_items"
    )
    agency = models.ForeignKey(Agency, verbose_name="agency", on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField("due")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.CharField("how it was done", max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # "My items" and the agenda's "open action items due by the meeting".
            models.Index(fields=["assignee", "status", "due_on"], name="actionitem_assignee_idx"),
            models.Index(fields=["status", "due_on"], name="actionitem_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description


class Attendance(models.Model):
    """Who was at the table, by agency."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    others = models.CharField(
        "others present", max_length=300, blank=True, help_text="People without an account, by role (no names needed)."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="attendance_one_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}"


class AgendaEvent(models.Model):
    """An explicit act on an agenda that must be on record: build, freeze, unfreeze, held,
    cancel, move, print, and outcomes corrected after the meeting."""

    class Kind(models.TextChoices):
        BUILT = "built", "Built"
        FROZEN = "frozen", "Frozen"
        UNFROZEN = "unfrozen", "Unfrozen"
        HELD = "held", "Marked held"
        CANCELLED = "cancelled", "Cancelled"
        MOVED = "moved", "Moved"
        PRINTED = "printed", "Printed"
        CORRECTED = "corrected", "Corrected after the meeting"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor_name}"


class PrintedCopy(models.Model):
    """One printed or downloaded copy of an agenda or minutes: its audience, who printed it and
    its number, all of which appear on every page."""

    class Audience(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
        PROSECUTORS = "prosecutors", "Prosecutors"
        COMMUNITY = "community", "Advocates and community partners"

    class Document(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        MINUTES = "minutes", "Minutes"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="printed_copies")
    document = models.CharField(max_length=10, choices=Document.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    copy_number = models.PositiveIntegerField()
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_by_name = models.CharField(max_length=150)
    printed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "document", "copy_number"], name="printedcopy_unique_number"),
        ]

    def __str__(self) -> str:
        return f"copy {self.copy_number} of the {self.document} for {self.meeting}"


class DrawnPacket(models.Model):
    """A packet as laid out from its parts' drawings, before its copy line is stamped on: kept
    under the digests of the HTML of its parts, so the same content is laid out once however often
    it is printed. A cache: any row may be deleted; the next print lays it out again."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="drawn_packets")
    document = models.CharField(max_length=10, choices=PrintedCopy.Document.choices)
    digest = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.document} of {self.meeting} drawn {self.created_at:%Y-%m-%d %H:%M}"


class DrawnPart(models.Model):
    """One part of a packet (its lead, an agenda item, the running header or the page numbers) as
    WeasyPrint drew it, kept under the digest of the HTML it was drawn from: a packet is laid out
    from its parts' drawings (meetings.printing.layout), so a change to one case draws one item
    again, not the whole packet. A cache: any row may be deleted; the next print draws it again."""

    digest = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField()
    pages = models.PositiveIntegerField()
    # Where the part begins on its first page and what follows may begin on its last, in points
    # from the top of the page.
    top = models.FloatField()
    end = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"part {self.digest[:12]} ({self.pages} page{'s' if self.pages != 1 else ''})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private calendar URL for one user's meetings and action-item due dates. Revoking it (a
    new token) makes the old URL stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"

    def rotate(self) -> None:
        self.token = _new_token()
        self.revoked_count += 1
        self.save(update_fields=["token", "revoked_count"])


class Reminder(models.Model):
    """One reminder that has come due for one person: the database, not the queue, is the source
    of truth. A beat task creates the rows that have come due, claims them under a lease with
    SELECT … FOR UPDATE SKIP LOCKED and hands them to workers; a worker sends each at most once
    (a row already sent is skipped) and a lease that runs out (a killed worker, a wiped queue)
    makes the row claimable again."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting reminder (with my open items)"
        MEETING_CHANGED = "meeting_changed", "Meeting moved or cancelled"
        CASE_UPDATE = "case_update", "Please update your cases before the cutoff"
        ACTION_DUE = "action_due", "Action item due tomorrow"
        OVERDUE_DIGEST = "overdue_digest", "Overdue action items (daily)"
        AGENDA_READY = "agenda_ready", "Agenda ready"
        RETALIATION = "retaliation", "Retaliation-risk follow-up (daily)"
        NIBIN_TURNAROUND = "nibin_turnaround", "NIBIN lead not yet notified"
        # Action items reaching people: a new item at once, the minutes once the meeting is held.
        ACTION_ASSIGNED = "action_assigned", "New action item for me"
        MINUTES = "minutes", "Minutes after a meeting (with my open items)"
        # The work on a NIBIN lead (cases.lead_work): told when it joins a case, reminded when it stalls.
        NIBIN_JOINED = "nibin_joined", "NIBIN lead joined my case"
        NIBIN_STALLED = "nibin_stalled", "NIBIN lead still unassigned or not worked"
        # A person's saved searches (cases.saved_searches), each set to alert at once or daily;
        # the search's own setting decides, not the reminder preferences.
        SEARCH_ALERT = "search_alert", "Saved search: cases new or changed"
        SEARCH_DIGEST = "search_digest", "Saved searches: daily digest"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent (no longer applies)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    object_type = models.CharField(max_length=20)
    object_id = models.CharField(max_length=40)
    # Which occurrence of a repeating reminder this is (the lead time and start, the day…).
    occurrence = models.CharField(max_length=60)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    resends = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            # The sweep's claim query: pending rows whose attempt time has come, claimed rows
            # whose lease ran out.
            models.Index(fields=["state", "next_attempt_at"], name="reminder_claim_idx"),
            models.Index(fields=["state", "claimed_until"], name="reminder_lease_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "object_type", "object_id", "occurrence"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id} ({self.occurrence})"


class ReminderPreference(models.Model):
    """Kinds of reminder a person has turned off. Meeting changes always go out."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    disabled_kinds = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"reminder preferences of {self.user_id}"


class SourceStamp(models.Model):
    """One slot of the stamp of the data a live agenda is drawn from (see meetings.agenda.source_stamp).
    Written only by database triggers: every statement that changes a case, a note, a link, an
    agenda or action item, a meeting, a person or an agency gives a slot a new random token."""

    slot = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=36)

    def __str__(self) -> str:
        return f"source stamp slot {self.slot}"


class SearchAlertHit(models.Model):
    """A case that newly matched a person's saved search, or changed in a way that person may see,
    as the reminder sweep found it (meetings.reminders.search_alerts). `reminder` is the mail that
    tells of it: set at once for a search alerting at once, at the digest hour for a daily one.
    Each hit belongs to one reminder, so it is told once."""

    search = models.ForeignKey("cases.SavedSearch", on_delete=models.CASCADE, related_name="alert_hits")
    shooting = models.ForeignKey("cases.Shooting", on_delete=models.CASCADE, related_name="+")
    # The case's latest change the owner may see (cases.saved_searches.changes), when found.
    changed_at = models.DateTimeField()
    # The case was entered after the search last looked.
    is_new = models.BooleanField(default=False)
    found_at = models.DateTimeField(auto_now_add=True)
    reminder = models.ForeignKey(Reminder, null=True, blank=True, on_delete=models.CASCADE, related_name="search_hits")

    class Meta:
        indexes = [
            # What a search has already told of a case (the sweep's check before a new hit).
            models.Index(fields=["search", "shooting", "changed_at"], name="searchhit_told_idx"),
            # Hits waiting for their mail: the at-once and digest steps of each sweep.
            models.Index(fields=["search"], condition=models.Q(reminder__isnull=True), name="searchhit_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"case {self.shooting_id} for saved search {self.search_id}"
