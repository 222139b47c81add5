from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

NAME_MAX = 80


class SavedSearch(models.Model):
    """A person's case-list query under a name of their choosing. `params` is the case list's
    query string as the filter form cleaned it (cases.forms.CaseFilterForm), so running it asks the
    case list exactly what the person asked; it is validated by that form again at every run."""

    class Alert(models.TextChoices):
        NONE = "none", "No alerts"
        AT_ONCE = "at_once", "At once"
        DAILY = "daily", "Daily digest"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField("name", max_length=NAME_MAX)
    # {parameter: [values]}: the case list's URL parameters, empty ones left out.
    params = models.JSONField(default=dict, blank=True)
    alert = models.CharField("alerts", max_length=10, choices=Alert.choices, default=Alert.NONE)
    # Changes after this moment alert: set whenever alerts are turned on, so that an alert never
    # tells of what happened before the person asked for it.
    watch_from = models.DateTimeField(null=True, blank=True, editable=False)
    # The last time the alerts looked for changes (meetings.reminders.search_alerts).
    evaluated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name"), "pk"]
        indexes = [
            # The reminder sweep's question: which searches alert.
            models.Index(fields=["alert"], name="savedsearch_alert_idx"),
        ]
        constraints = [
            # One name per person, whatever its case: the list tells searches apart by name.
            models.UniqueConstraint(Lower("name"), "owner", name="savedsearch_unique_name"),
        ]

    def __str__(self) -> str:
        return f"saved search {self.pk} of {self.owner_id}"
