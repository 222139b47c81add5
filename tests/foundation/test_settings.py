"""Settings come from the environment and refuse unsafe combinations."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.processes import ROOT

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-with-plenty-of-entropy-3b9f7e1d5a2c8046",
    "DJANGO_ALLOWED_HOSTS": "shootreview.example.invalid",
    "SITE_URL": "https://shootreview.example.invalid",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean["DJANGO_SETTINGS_MODULE"] = "shootreview.settings"
    clean["SHOOTREVIEW_VAR_DIR"] = str(ROOT / "var" / "test-settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_settings_refuse_to_start_with_debug_off_and_no_secret_key():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_on_runs_with_a_development_key():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_is_refused_loudly():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="perhaps")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_ssl_redirect_can_be_turned_off_behind_a_tls_proxy():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    result = _run(["-c", code], **PRODUCTION, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_PROXY_SSL_HEADER="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000", "True"]


def test_database_and_mail_come_from_urls():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "d=s.DATABASES['default'];print(d['ENGINE'],d['NAME'],d['HOST'],d['PORT']);"
        "print(s.EMAIL_HOST,s.EMAIL_PORT,s.EMAIL_HOST_USER,s.EMAIL_USE_TLS,s.TIME_ZONE)"
    )
    result = _run(
        ["-c", code],
        **PRODUCTION,
        DATABASE_URL="postgres://app:pw@db.internal:5433/shoot",
        EMAIL_URL="smtp+tls://mailer:secret@mail.internal:587",
    )
    assert result.returncode == 0, result.stderr
    db, mail = result.stdout.strip().splitlines()
    assert db == "django.db.backends.postgresql shoot db.internal 5433"
    assert mail == "mail.internal 587 mailer True America/Chicago"
