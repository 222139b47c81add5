from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .inputs import InputForm
from .models import AuditEvent, User
from .security import is_locked


class LoginForm(AuthenticationForm):
    """Sign-in with the system-use notice acknowledged (CJIS AC-8)."""

    acknowledge = forms.BooleanField(
        label="I understand this is a restricted system and that my use is monitored and recorded.",
        error_messages={"required": "Please acknowledge the system-use notice to sign in."},
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": (
            "This account is locked after too many failed sign-ins. A supervisor or an administrator can release it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            user = User.objects.filter(username=username).first()
            if user is not None and is_locked(user):
                # Still count the attempt: a locked account stays locked under a guessing attack.
                from django.contrib.auth import authenticate

                authenticate(self.request, username=username, password=self.cleaned_data.get("password") or "")
                raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()


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
