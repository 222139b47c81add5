"""People and the agencies they work for; the role decides what a person may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Agency(models.Model):
    """A partner at the table: a police department, a federal field office, a prosecutor's
    office, a victim advocacy centre."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        FEDERAL = "federal", "Federal (ATF)"
        PROSECUTOR = "prosecutor", "Prosecutor"
        VICTIM_ADVOCACY = "advocacy", "Victim advocacy"
        OTHER = "other", "Other"

    name = models.CharField("name", max_length=200, unique=True)
    code = models.SlugField("short code", max_length=20, unique=True, help_text="For example KCPD or ATF-KC.")
    kind = models.CharField("kind", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Superusers are administrators; everyone else has one role."""

    class Role(models.TextChoices):
        INVESTIGATOR = "investigator", "Investigator"
        FEDERAL_AGENT = "federal_agent", "Federal agent"
        PROSECUTOR = "prosecutor", "Prosecutor"
        VICTIM_ADVOCATE = "victim_advocate", "Victim advocate"
        COORDINATOR = "coordinator", "Coordinator"
        SUPERVISOR = "supervisor", "Supervisor"

    agency = models.ForeignKey(
        Agency, verbose_name="agency", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField("role", max_length=20, choices=Role.choices, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
