from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from .inputs import InputForm
from .models import Agency, AuditEvent, User
from .tokens import INTEGRATION_ROLES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, max_expiry_date


class LoginForm(AuthenticationForm):
    """Sign-in with the system-use notice acknowledged (CJIS AC-8).

    A wrong password, an unknown username, a locked or a disabled account all get the same
    answer, word for word: telling them apart would tell a stranger which accounts exist. The
    backend refuses a locked account even with the right password (accounts/backends.py), and
    the failure is counted and recorded like any other (accounts/security.py)."""

    acknowledge = forms.BooleanField(
        label="I understand this is a restricted system and that my use is monitored and recorded.",
        error_messages={"required": "Please acknowledge the system-use notice to sign in."},
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive. "
            "After several failed sign-ins an account is locked until a supervisor or an administrator "
            "releases it."
        ),
    }


class TOTPCodeForm(InputForm):
    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("The code is six digits.")
        return code


class AuditSearchForm(InputForm):
    user = forms.CharField(label="User (username)", required=False, max_length=150)
    case = forms.CharField(label="Case (report number or id)", required=False, max_length=32)
    event = forms.CharField(
        label="Event",
        required=False,
        max_length=80,
        help_text="For example login.failure, cases:detail.view, account.lockout.",
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices])
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "“To” is before “From”.")
        return data


# --- API tokens and integration accounts ---------------------------------------------------------


class TokenForm(InputForm):
    """A new API token: what it is for, and when it stops working (at most TOKEN_MAX_DAYS ahead)."""

    name = forms.CharField(
        label="What the token is for",
        max_length=100,
        help_text="For example “case export script”. Shown in your list of tokens, never in the token.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"The token stops working at the end of this day; at most {TOKEN_MAX_DAYS} days from today.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"expires_on": timezone.localdate() + timedelta(days=TOKEN_DEFAULT_DAYS)})
        super().__init__(*args, **kwargs)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError("Choose today or a later day.")
        if value > max_expiry_date(today):
            raise forms.ValidationError(f"A token lives at most {TOKEN_MAX_DAYS} days: choose an earlier day.")
        return value


class IntegrationAccountForm(InputForm):
    """An account for a system, with the agency and role whose view of the cases it gets."""

    username = forms.CharField(
        label="Account name",
        max_length=150,
        help_text="Letters, digits and . - _ only, for example “rms-feed”. Shown in the audit trail.",
    )
    name = forms.CharField(label="System", max_length=150, help_text="What the system is, for people reading lists.")
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.none(), empty_label=None)
    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, role.label) for role in INTEGRATION_ROLES],
        help_text="The system sees exactly what a person of this role in this agency sees.",
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if not re.fullmatch(r"[A-Za-z0-9._-]+", value):
            raise forms.ValidationError("Use letters, digits, dots, dashes and underscores only.")
        if User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError("An account with this name exists already.")
        return value
