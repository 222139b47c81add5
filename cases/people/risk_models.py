"""The follow-up of people at risk of retaliation: each contact attempt, custom notification and
advocate outreach, kept as a row that is never changed (a correction is a new row).

Kept beside cases/people/models.py and imported by cases/models.py, like the person models.
Who is at risk is derived, never stored (cases/people/risk.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

RISK_NOTE_MAX = 2000


class RiskContact(models.Model):
    """One try to reach a person at risk of retaliation after a shooting, or one contact made:
    when, who from which agency, with whom, and what came of it.

    Append-only. A correction is a new row that `replaces` the one it corrects (and may withdraw
    it: recorded on the wrong person, never happened); the row in force is the one no other row
    replaces. The role (victim or associate) ties the contact to the person and the shooting
    that put them at risk, and follows the role through a merge or an undone link of person
    records; `person` keeps whom the contact was about when it was recorded.
    """

    class Kind(models.TextChoices):
        ATTEMPT = "attempt", "Contact attempt"
        NOTIFICATION = "notification", "Custom notification"
        OUTREACH = "outreach", "Advocate outreach"

    class Outcome(models.TextChoices):
        REACHED_NOTIFIED = "reached_notified", "Reached and notified"
        REACHED_DECLINED = "reached_declined", "Reached, declined to talk or help"
        MESSAGE_LEFT = "message_left", "Not reached, message left"
        NOT_REACHED = "not_reached", "Not reached"

    # The role follows the person through merges and undone links. An associate removed as
    # recorded in error takes its role away: the contact stays, about the person it named then,
    # and no longer counts for anyone.
    role = models.ForeignKey(
        "cases.PersonRole", null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_contacts"
    )
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="risk_contacts")
    # The role's shooting, kept on the row: the date bound and the lists read it without the role.
    shooting = models.ForeignKey("cases.Shooting", on_delete=models.PROTECT, related_name="risk_contacts")
    kind = models.CharField("kind", max_length=20, choices=Kind.choices)
    contacted_on = models.DateField("date")
    with_whom = models.CharField("with whom", max_length=120)
    outcome = models.CharField("outcome", max_length=20, choices=Outcome.choices)
    note = models.TextField("note", max_length=RISK_NOTE_MAX, blank=True)
    # Who recorded it, and for which agency; the names are kept as they were (the account or the
    # agency may be renamed later, as the audit trail keeps them).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(max_length=150)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    agency_name = models.CharField(max_length=200)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    withdrawn = models.BooleanField("withdrawn", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-id"]
        indexes = [
            # "Has this person been reached about this shooting?": the lists, the reminder
            # planner and the agenda's section look contacts up by shooting.
            models.Index(fields=["shooting", "outcome"], name="riskcontact_shooting_idx"),
        ]
        constraints = [
            # Only a correction withdraws a contact: the first record of one always says something.
            models.CheckConstraint(
                condition=Q(withdrawn=False) | Q(replaces__isnull=False), name="riskcontact_withdraw_corrects"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.contacted_on} ({self.shooting_id})"

    @property
    def reached(self) -> bool:
        return not self.withdrawn and self.outcome in REACHED


REACHED = {RiskContact.Outcome.REACHED_NOTIFIED, RiskContact.Outcome.REACHED_DECLINED}
