"""Shootings, their victims, the notes partners keep on them, and the links between them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Agency

# Registered in this app through this import; the rest of the code may import them from here.
from .people.models import Person, PersonChange, PersonRole  # noqa: F401
from .people.risk_models import RiskContact  # noqa: F401
from .saved_searches.models import SavedSearch  # noqa: F401

SUMMARY_MAX = 2000
NOTE_TEXT_MAX = 5000
# A victim younger than this is a juvenile, whose age the records withhold.
JUVENILE_UNDER = 18


class Division(models.TextChoices):
    CENTRAL = "Central", "Central"
    EAST = "East", "East"
    METRO = "Metro", "Metro"
    SOUTH = "South", "South"
    NORTH = "North", "North"
    SHOAL_CREEK = "Shoal Creek", "Shoal Creek"
    OTHER = "Other", "Other"


class ShootingQuerySet(models.QuerySet):
    # Who may see which shootings is cases.access.shootings_visible_to: visibility is decided
    # there alone, and the models know nothing of who is asking.

    def open(self) -> ShootingQuerySet:
        return self.filter(status=Shooting.Status.OPEN)


class Shooting(models.Model):
    """One shooting incident, keyed by the records-management (RMS) report number."""

    class Kind(models.TextChoices):
        HOMICIDE = "homicide", "Homicide"
        NONFATAL = "nonfatal", "Non-fatal injury shooting"
        SHOTS_FIRED = "shots_fired", "Shots fired, no injury"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLEARED_ARREST = "cleared_arrest", "Cleared by arrest"
        CLEARED_EXCEPTIONAL = "cleared_exceptional", "Cleared exceptionally"
        INACTIVE = "inactive", "Inactive"

    class Counting(models.TextChoices):
        """The National Police Foundation's counting states for non-fatal shootings."""

        COUNTS = "counts", "Counts"
        HOLD = "hold", "On hold (needs information)"
        UNFOUNDED = "unfounded", "Unfounded (not a qualifying shooting)"

    class Referral(models.TextChoices):
        NONE = "", "Not referred"
        STATE = "state", "State prosecutor"
        FEDERAL = "federal", "Federal prosecutor (US Attorney)"
        BOTH = "both", "State and federal"

    class Custody(models.TextChoices):
        UNKNOWN = "", "Unknown / no suspect"
        AT_LARGE = "at_large", "Suspect at large"
        IN_CUSTODY = "in_custody", "In custody"
        RELEASED_BOND = "released_bond", "Released on bond"
        RELEASED = "released", "Released without charge"

    class Disposition(models.TextChoices):
        NONE = "", "None yet"
        PENDING = "pending", "Charges pending"
        DECLINED = "declined", "Charges declined"
        PLEA = "plea", "Guilty plea"
        CONVICTED = "convicted", "Convicted at trial"
        ACQUITTED = "acquitted", "Acquitted"
        DISMISSED = "dismissed", "Dismissed"

    report_number = models.CharField("report number", max_length=32, unique=True)
    kind = models.CharField("kind", max_length=20, choices=Kind.choices)
    occurred_from = models.DateTimeField("occurred (from)")
    occurred_to = models.DateTimeField("occurred (to)", null=True, blank=True)
    reported_at = models.DateTimeField("reported", null=True, blank=True)
    address = models.CharField("address", max_length=200)
    division = models.CharField("division", max_length=40, choices=Division.choices, blank=True)
    beat = models.CharField("beat", max_length=10, blank=True)
    latitude = models.DecimalField(
        "latitude",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "longitude",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.OPEN)
    cleared_on = models.DateField("date cleared", null=True, blank=True)
    counting = models.CharField("counting state", max_length=12, choices=Counting.choices, default=Counting.COUNTS)
    lead_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lead investigator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_cases",
    )
    partner_agencies = models.ManyToManyField(
        Agency, verbose_name="partner agencies", blank=True, related_name="partner_cases"
    )
    is_domestic_violence = models.BooleanField("domestic-violence related", default=False)
    is_group_involved = models.BooleanField("group-involved", default=False)
    is_retaliation_risk = models.BooleanField("retaliation risk", default=False)
    is_juvenile_involved = models.BooleanField("juvenile involved", default=False)
    summary = models.TextField("summary", max_length=SUMMARY_MAX, blank=True)

    referred_to = models.CharField("referred for prosecution to", max_length=10, choices=Referral.choices, blank=True)
    charges_filed = models.CharField("charges filed", max_length=300, blank=True)
    custody_status = models.CharField("custody / bail", max_length=20, choices=Custody.choices, blank=True)
    disposition = models.CharField("disposition", max_length=20, choices=Disposition.choices, blank=True)

    # Shootings joined by a shared NIBIN lead, firearm serial or manual link share a cluster id
    # (the smallest shooting id in the cluster); kept by cases.linking.relink.
    cluster_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # Victim names and the report number, denormalised for the case-list search.
    search_text = models.TextField(blank=True, editable=False, default="")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save through cases.services; a form posts the version it was built from so
    # that a second, concurrent save is refused instead of overwriting the first.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Last time anything about the case changed (a note, a victim, a field): "updated since".
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ShootingQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_from", "-id"]
        indexes = [
            # Case list default order and the agenda builder's window query.
            models.Index(fields=["-occurred_from", "-id"], name="shooting_occurred_idx"),
            models.Index(fields=["created_at"], name="shooting_created_idx"),
            # Filters on the case list.
            models.Index(fields=["status", "-occurred_from"], name="shooting_status_idx"),
            models.Index(fields=["kind", "-occurred_from"], name="shooting_kind_idx"),
            models.Index(fields=["last_activity_at"], name="shooting_activity_idx"),
            models.Index(fields=["cluster_id"], name="shooting_cluster_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_to__isnull=True) | Q(occurred_to__gte=models.F("occurred_from")),
                name="shooting_to_not_before_from",
            ),
        ]

    def __str__(self) -> str:
        return self.report_number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def is_cleared(self) -> bool:
        return self.status in {self.Status.CLEARED_ARREST, self.Status.CLEARED_EXCEPTIONAL}


class Victim(models.Model):
    """A person shot (or shot at) in a shooting."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    class Injury(models.TextChoices):
        FATAL = "fatal", "Fatal"
        NONFATAL = "nonfatal", "Non-fatal injury"
        NONE = "none", "Not injured"

    class Referral(models.TextChoices):
        """What flows back to police from victim services: the status, not the detail."""

        NOT_REFERRED = "not_referred", "Not referred"
        REFERRED = "referred", "Referred"
        CONTACTED = "contacted", "Contacted"
        ENGAGED = "engaged", "Engaged"
        DECLINED = "declined", "Declined"

    shooting = models.ForeignKey(Shooting, on_delete=models.PROTECT, related_name="victims")
    name = models.CharField("name", max_length=120)
    age = models.PositiveSmallIntegerField("age", null=True, blank=True, validators=[MaxValueValidator(120)])
    is_juvenile = models.BooleanField("juvenile", default=False, help_text=f"Age withheld: under {JUVENILE_UNDER}.")
    sex = models.CharField("sex", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    injury = models.CharField("injury", max_length=10, choices=Injury.choices, default=Injury.NONFATAL)
    died_on = models.DateField("date of death", null=True, blank=True)
    referral_status = models.CharField(
        "advocate referral", max_length=20, choices=Referral.choices, default=Referral.NOT_REFERRED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(age__lte=120) | Q(age__isnull=True), name="victim_age_possible"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age_display(self) -> str:
        return self.age_words(self.age, self.is_juvenile)

    @staticmethod
    def is_minor(age: int | None, is_juvenile: bool) -> bool:
        """Under the age of a juvenile, whether the age is withheld or known; for rows read as plain
        values too (imports, the agenda's snapshot)."""
        return is_juvenile or (age is not None and age < JUVENILE_UNDER)

    @staticmethod
    def age_words(age: int | None, is_juvenile: bool) -> str:
        """The age as shown; also for lists and exports that read victims as plain values."""
        if is_juvenile:
            return "juvenile"
        return str(age) if age is not None else "unknown"


class Note(models.Model):
    """A note on a shooting: suspect, firearm trace, witness, victim services or general.

    The content lives in `fields` (the current revision's values, as validated by the kind's
    form); every version, the first included, is kept in NoteRevision. Notes are never deleted:
    removal is a retraction with a reason.
    """

    class Kind(models.TextChoices):
        SUSPECT = "suspect", "Suspect"
        FIREARM = "firearm", "Firearm trace"
        WITNESS = "witness", "Witness"
        VICTIM_SERVICES = "victim_services", "Victim services"
        GENERAL = "general", "General"

    shooting = models.ForeignKey(Shooting, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField("kind", max_length=20, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notes")
    author_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="notes")
    restricted_to_agency = models.BooleanField(
        "restricted to my agency",
        default=False,
        help_text="Only people in the author's agency will see this note.",
    )
    fields = models.JSONField(default=dict)
    revision_number = models.PositiveIntegerField(default=1)
    # Suspect names and aliases, for search by the roles that may see suspect notes.
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retraction_reason = models.CharField("reason for retraction", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The case detail timeline, and "notes added in the window" for the agenda.
            models.Index(fields=["shooting", "-created_at"], name="note_shooting_created_idx"),
            models.Index(fields=["created_at"], name="note_created_idx"),
            models.Index(fields=["kind", "shooting"], name="note_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note on {self.shooting_id}"

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None


class NoteRevision(models.Model):
    """One version of a note, kept forever: who wrote it, when, and the values it had."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    fields = models.JSONField()
    restricted_to_agency = models.BooleanField(default=False)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["note", "number"]
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="note_revision_unique_number")]

    def __str__(self) -> str:
        return f"revision {self.number} of note {self.note_id}"


class ShootingChange(models.Model):
    """History of a shooting's own fields (kind, status, flags, lead…): who changed what, when."""

    shooting = models.ForeignKey(Shooting, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_by_name = models.CharField(max_length=150)
    changed_at = models.DateTimeField(auto_now_add=True)
    # {"field": [old, new], ...} as display strings
    changes = models.JSONField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # Prosecution changes recorded in the agenda's review window and in the cover's year
            # (meetings.agenda.rules, meetings.cover.stats).
            models.Index(fields=["changed_at"], name="shootingchange_changed_idx"),
        ]

    def __str__(self) -> str:
        return f"change to {self.shooting_id} at {self.changed_at:%Y-%m-%d %H:%M}"


class LinkKey(models.Model):
    """A value that joins shootings: a NIBIN lead number or a normalised firearm serial, taken
    from a live (not retracted) firearm-trace note. Two shootings sharing a key are linked."""

    class Kind(models.TextChoices):
        NIBIN = "nibin", "NIBIN lead"
        SERIAL = "serial", "Firearm serial number"

    shooting = models.ForeignKey(Shooting, on_delete=models.CASCADE, related_name="link_keys")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="link_keys")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="linkkey_value_idx")]  # "who else has this key"
        constraints = [
            models.UniqueConstraint(fields=["note", "kind", "value"], name="linkkey_unique_per_note"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class ManualLink(models.Model):
    """A link between two shootings that a person made, with the reason."""

    from_shooting = models.ForeignKey(Shooting, on_delete=models.PROTECT, related_name="manual_links_from")
    to_shooting = models.ForeignKey(Shooting, on_delete=models.PROTECT, related_name="manual_links_to")
    reason = models.CharField("reason", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(from_shooting=models.F("to_shooting")), name="manuallink_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_shooting_id} ↔ {self.to_shooting_id}"


class NibinLead(models.Model):
    """A NIBIN correlation: a computer *lead* that an examiner confirms as a *hit* or excludes.

    Which shootings it joins comes from the firearm-trace notes that cite its number (LinkKey).
    The CGIC goal is 24–48 hours from recovering the evidence to notifying every investigator.
    """

    class Status(models.TextChoices):
        LEAD = "lead", "Lead (computer correlation)"
        HIT = "hit", "Hit (confirmed by examiner)"
        EXCLUDED = "excluded", "Excluded"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        ROUTINE = "routine", "Routine"

    number = models.CharField("lead number", max_length=64, unique=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.LEAD)
    evidence_recovered_at = models.DateTimeField("evidence recovered", null=True, blank=True)
    entered_at = models.DateTimeField("entered into NIBIN", null=True, blank=True)
    lead_received_at = models.DateTimeField("lead received", null=True, blank=True)
    notified_at = models.DateTimeField("investigators notified", null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The firearms examiner who confirmed or excluded the lead, as the lead report names them.
    examiner = models.CharField("examiner", max_length=120, blank=True)
    priority = models.CharField("triage priority", max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    priority_reason = models.CharField("reason for the priority", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every triage change (cases.lead_work); the triage form posts the version it was
    # built from, so a second, concurrent change is refused instead of overwriting the first.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def turnaround_hours(self) -> float | None:
        """Hours from evidence recovery to notification — the CGIC measure."""
        if not (self.evidence_recovered_at and self.notified_at):
            return None
        return (self.notified_at - self.evidence_recovered_at).total_seconds() / 3600


class LeadAssignment(models.Model):
    """A NIBIN lead as work on one of the cases it joins: who investigates it, how far they are,
    and what came of it. Made when the lead first joins the case (cases.lead_work); kept when the
    citing note is retracted, but shown only while a visible note still cites the lead."""

    class State(models.TextChoices):
        NEW = "new", "New (not yet assigned)"
        ASSIGNED = "assigned", "Assigned"
        INVESTIGATING = "investigating", "Being investigated"
        DONE = "done", "Outcome recorded"

    class Outcome(models.TextChoices):
        NONE = "", "None yet"
        SUSPECT_IDENTIFIED = "suspect_identified", "Suspect identified"
        ARREST = "arrest", "Arrest"
        GUN_RECOVERED = "gun_recovered", "Gun recovered"
        CASES_LINKED = "cases_linked", "Cases linked, investigation continues elsewhere"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    lead = models.ForeignKey(NibinLead, on_delete=models.CASCADE, related_name="assignments")
    shooting = models.ForeignKey(Shooting, on_delete=models.PROTECT, related_name="lead_assignments")
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="assigned investigator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_assignments",
    )
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.NEW)
    outcome = models.CharField("outcome", max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField("outcome note", max_length=1000, blank=True)
    joined_at = models.DateTimeField("joined the case", auto_now_add=True)
    assigned_at = models.DateTimeField("assigned", null=True, blank=True)
    started_at = models.DateTimeField("investigation started", null=True, blank=True)
    outcome_at = models.DateTimeField("outcome recorded", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [
            # The NIBIN queue and the agenda's "open leads past the goal": open work by age.
            models.Index(fields=["state", "joined_at"], name="leadassignment_state_idx"),
            # The reminder planner's "joined or reassigned lately".
            models.Index(fields=["assigned_at"], name="leadassignment_assigned_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lead", "shooting"], name="leadassignment_once_per_case"),
            models.CheckConstraint(
                condition=Q(state="done", outcome__gt="") | (~Q(state="done") & Q(outcome="")),
                name="leadassignment_outcome_with_done",
            ),
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id} on case {self.shooting_id}"

    @property
    def is_open(self) -> bool:
        return self.state != self.State.DONE


class LeadChange(models.Model):
    """History of a lead's triage and of its work on each case: who changed what, when."""

    lead = models.ForeignKey(NibinLead, on_delete=models.CASCADE, related_name="changes")
    assignment = models.ForeignKey(
        LeadAssignment, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_by_name = models.CharField(max_length=150)
    changed_at = models.DateTimeField(auto_now_add=True)
    # {"field": [old, new], ...} as display strings
    changes = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"change to lead {self.lead_id} at {self.changed_at:%Y-%m-%d %H:%M}"
