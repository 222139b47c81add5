"""People and the agencies they work for; the role decides what a person may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction

from .user_cache_removal import forget


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


class AccountQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Signals do not see a queryset's update: the cached copies of the accounts it changes
        # (accounts.user_cache) are removed here.
        with transaction.atomic(savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            forget(pks)
            return super().update(**kwargs)


class AccountManager(UserManager.from_queryset(AccountQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Superusers are administrators; everyone else has one role."""

    objects = AccountManager()

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
    # Set when too many failed logins lock the account; a supervisor or administrator releases it.
    locked_at = models.DateTimeField("locked", null=True, blank=True)
    # A system (a records feed, a lab's software) rather than a person: it reaches the API only,
    # with tokens a supervisor of its agency creates, and never signs in (accounts.backends).
    is_integration = models.BooleanField("integration account", default=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditEvent(models.Model):
    """One row per security-relevant event (CJIS AU-2/AU-3). Append-only: on PostgreSQL a trigger
    refuses UPDATE (but the one-time seal), DELETE and TRUNCATE, and each row's hash chains to the
    row before, so an altered or missing row is found by `manage.py verify_audit`.

    Never holds a password, a code, a note's text or a witness's name: only who, when, from
    where, what kind of event, on which object, and the outcome."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        REFUSED = "refused", "Refused"
        ERROR = "error", "Error"

    at = models.DateTimeField("when (UTC)", db_index=True)
    # Plain columns, not foreign keys: the row must outlive the account and must never be
    # rewritten by an ON DELETE action.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_name = models.CharField(max_length=300, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    event = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The shooting the event concerns, for "who has seen this case" (used by the supervisors' page).
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    session_hash = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # The chain (accounts.audit.seal): empty until the row is sealed, then set once. NULL, not "",
    # for a row not yet sealed: the columns are unique among sealed rows.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    row_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)  # noqa: DJ001
    chain_seq = models.BigIntegerField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["event", "at"], name="audit_event_at_idx"),
            # The rows the sealer has still to chain: few, however long the log.
            models.Index(fields=["id"], condition=models.Q(chain_seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S.%f} {self.actor_username or '-'} {self.event} {self.outcome}"


class AuditEventCase(models.Model):
    """A case an audited request showed besides (or instead of) the one it was about: every case
    on an agenda page or fragment, in a printed packet or in the minutes. Read by "who has seen
    this case". Part of its event's row: the event's hash covers its cases, and on PostgreSQL the
    same trigger as the event's refuses UPDATE, DELETE and TRUNCATE."""

    # DO_NOTHING: an event is never deleted but by the purge, which removes its cases first.
    # No index of its own: the unique constraint (event, case) serves lookups by event.
    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, related_name="shown_cases", db_index=False)
    case_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "case_id"], name="audit_event_case_once")]
        # "Who has seen this case" looks the case's events up here.
        indexes = [models.Index(fields=["case_id", "event"], name="audit_case_event_idx")]

    def __str__(self) -> str:
        return f"case {self.case_id} shown by audit event {self.event_id}"


class LoginFailure(models.Model):
    """A failed login or second-factor attempt, counted per account (AC-7) and per source
    address (the sign-in throttle, accounts/throttle.py). Kept for unknown usernames too, so that
    guessing names counts against the address like guessing passwords."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    # The address the throttle counts by: the IPv4 address, or the IPv6 /64 it is in.
    source_network = models.CharField(max_length=64, blank=True, default="")
    second_factor = models.BooleanField(default=False)
    # Set when the account signs in or is released: the failure stops counting towards the
    # account's lock (failures must be consecutive) but still counts against the address, so that
    # neither gives a guessing address its attempts back.
    cleared = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # The throttle's one query per sign-in attempt: this address's latest failures.
            models.Index(fields=["source_network", "-at"], name="loginfailure_network_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """Which sessions belong to whom, so that deactivating a user or changing their role ends
    every session they have at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of {self.user}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A credential for the REST API (`Authorization: Bearer <token>`), acting as its user: a
    person's own (made on their profile after a sign-in that passed the second factor) or an
    integration account's (made by a supervisor). Only a SHA-256 hash of the token is kept; the
    token itself is shown once, when it is made. The prefix names it in lists and audit rows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("name", max_length=100)
    # The token's first characters, shown in lists and the audit trail; not enough to use it.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField("expires")
    last_used_at = models.DateTimeField("last used", null=True, blank=True)
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # The profile page and the integration page list one account's tokens.
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
