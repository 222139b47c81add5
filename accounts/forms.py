from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .inputs import InputForm
from .models import AuditEvent


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
