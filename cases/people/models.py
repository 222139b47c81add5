"""A person, their roles in shootings, and the history of every link made, undone or merged.

Kept beside cases/models.py (and imported by it, so Django registers them in the cases app)
because the models refer to shootings, victims and notes by name only and never import them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Person(models.Model):
    """One human being, whatever name a case recorded them under.

    The identity fields are those of the record that first named the person (a victim, or a
    suspect or witness note); a merge keeps the surviving record's. Pages, search and matching
    read a person through the roles the reader may see (each role keeps what its source says of
    the person), never through these fields, which may come from a record the reader may not see.
    """

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    name = models.CharField("name", max_length=120)
    aliases = models.CharField("aliases", max_length=200, blank=True, help_text="Separate with commas.")
    date_of_birth = models.DateField("date of birth", null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField("approximate age", null=True, blank=True)
    # The day the approximate age was given, so that the age band moves on with time.
    age_noted_on = models.DateField(null=True, blank=True)
    sex = models.CharField("sex", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    # Set when a supervisor merged this record into another; undone by undoing the merge.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Exact-name lookups of the conservative linking (migration and import).
            models.Index(fields=["name", "date_of_birth"], name="person_name_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:person", args=[self.pk])


class PersonRole(models.Model):
    """A person's part in one shooting, taken from the record that says so: a victim row, a
    suspect or witness note, or an associate recorded by hand. Who may see a role is decided
    by what they may see of its source (cases/people/access.py)."""

    class Kind(models.TextChoices):
        VICTIM = "victim", "Victim"
        SUSPECT = "suspect", "Suspect"
        WITNESS = "witness", "Witness"
        ASSOCIATE = "associate", "Associate"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField("role", max_length=10, choices=Kind.choices)
    shooting = models.ForeignKey("cases.Shooting", on_delete=models.PROTECT, related_name="person_roles")
    victim = models.OneToOneField(
        "cases.Victim", null=True, blank=True, on_delete=models.CASCADE, related_name="person_role"
    )
    note = models.OneToOneField(
        "cases.Note", null=True, blank=True, on_delete=models.CASCADE, related_name="person_role"
    )
    # What this source says of the person, copied when the role is made and kept in step with
    # it: names, search and matching read these through the role's visibility, so a record
    # restricted to its agency never lends its name or aliases to anyone outside it.
    name = models.CharField("name", max_length=120)
    aliases = models.CharField("aliases", max_length=200, blank=True)
    date_of_birth = models.DateField("date of birth", null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField("approximate age", null=True, blank=True)
    search_text = models.CharField(max_length=330, blank=True, default="")
    # An associate's tie to the shooting, in the meeting's words.
    description = models.CharField("how connected", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The person page and the overlaps: a person's roles.
            models.Index(fields=["person", "kind"], name="personrole_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="victim", victim__isnull=False, note__isnull=True)
                    | Q(kind__in=["suspect", "witness"], note__isnull=False, victim__isnull=True)
                    | Q(kind="associate", note__isnull=True, victim__isnull=True)
                ),
                name="personrole_source_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.shooting_id}"

    def age_on(self, day) -> int | None:
        """The age on `day`: exact from a date of birth, or the approximate age moved on since the
        role was recorded."""
        if self.date_of_birth:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.approximate_age is not None:
            noted = self.created_at.date() if self.created_at else day
            return self.approximate_age + max(0, day.year - noted.year)
        return None


class PersonChange(models.Model):
    """One decision about who is who: a link confirmed, a suggestion rejected, a link undone, a
    merge or its undoing. Kept forever, with who and when (the audit log has the request too)."""

    class Action(models.TextChoices):
        CREATED = "created", "New person recorded"
        CONFIRMED = "confirmed", "Confirmed as the same person"
        REJECTED = "rejected", "Rejected as not the same person"
        UNLINKED = "unlinked", "Link undone"
        MERGED = "merged", "Merged"
        MERGE_UNDONE = "merge_undone", "Merge undone"
        LINKED_ON_MIGRATION = "migrated", "Linked by exact name and date of birth"
        ASSOCIATE_REMOVED = "associate_removed", "Associate removed"

    action = models.CharField(max_length=20, choices=Action.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="changes")
    other_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.ForeignKey(PersonRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    # A merge: the roles it moved, so that undoing it moves exactly those back.
    moved_role_ids = models.JSONField(default=list, blank=True)
    reason = models.CharField("reason", max_length=500, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_by_name = models.CharField(max_length=150, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # "Was this pair rejected?" when suggesting matches.
            models.Index(fields=["action", "person", "other_person"], name="personchange_pair_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.person_id})"
