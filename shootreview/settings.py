"""Settings for shootreview, read from the environment.

Every variable is listed in the README's configuration table. Bad values fail loudly at start-up
rather than running with a silently wrong configuration.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOOTREVIEW_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-4c1f9a7e2b"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "cases",
    "meetings",
    # The REST API: imports the apps, none imports it.
    "api",
    # Demo and bulk data (seed_demo, seed_bulk): imports the apps, none imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SignInThrottleMiddleware",
    "accounts.middleware.CachedOTPMiddleware",
    "accounts.middleware.LoadedUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.AppNotFoundPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Innermost, so it sees the view's own outcome (a refusal is a 404 from accounts.audit.refuse).
    "accounts.middleware.AuditMiddleware",
]

ROOT_URLCONF = "shootreview.urls"
WSGI_APPLICATION = "shootreview.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meetings.context_processors.sensitivity",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shootreview.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not memory) test database, so that a Celery worker started by the tests sees it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-shootreview.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# NIST SP 800-63B / ASVS 5.0: length, not composition rules; spaces and Unicode allowed; refuse
# passwords on the common-password list shipped with Django (20,000 drawn from breach corpora).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutAwareBackend"]

# Lockout (CJIS AC-7): this many failures within the window lock the account until a supervisor
# or administrator releases it; LOCKOUT_RELEASE_MINUTES turns on a timed release (off: 0).
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_WINDOW_MINUTES = env_int("LOCKOUT_WINDOW_MINUTES", 15)
LOCKOUT_RELEASE_MINUTES = env_int("LOCKOUT_RELEASE_MINUTES", 0)
# Per-address sign-in throttle (accounts/throttle.py), so that one address cannot lock account
# after account: after SIGNIN_ADDRESS_SLOW_AFTER failed sign-ins within the window each further
# attempt waits twice as long as the last (2 s, 4 s, 8 s, ...); at SIGNIN_ADDRESS_FAILURES the
# address is refused (429) until its oldest counted failure leaves the window.
SIGNIN_ADDRESS_SLOW_AFTER = env_int("SIGNIN_ADDRESS_SLOW_AFTER", 5)
SIGNIN_ADDRESS_FAILURES = env_int("SIGNIN_ADDRESS_FAILURES", 10)
SIGNIN_ADDRESS_WINDOW_MINUTES = env_int("SIGNIN_ADDRESS_WINDOW_MINUTES", 60)
if SIGNIN_ADDRESS_FAILURES < 1 or SIGNIN_ADDRESS_SLOW_AFTER < 1 or SIGNIN_ADDRESS_WINDOW_MINUTES < 1:
    raise ImproperlyConfigured(
        "SIGNIN_ADDRESS_FAILURES, SIGNIN_ADDRESS_SLOW_AFTER and SIGNIN_ADDRESS_WINDOW_MINUTES must be 1 or more."
    )
# Two-factor sign-in with TOTP (CJIS IA-2(1)/(2)); on unless turned off (the demo turns it off).
REQUIRE_MFA = env_bool("REQUIRE_MFA", True)
OTP_TOTP_ISSUER = "Shoot review"
# Sessions end on the server after this long idle / this long after sign-in (AC-11, AC-12).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
# Audit rows are kept at least this long (AU-11); purge_audit refuses anything younger.
AUDIT_RETENTION_DAYS = max(365, env_int("AUDIT_RETENTION_DAYS", 365))
# Audit rows are written without waiting for one another and chained (sealed) by a beat task this
# often (accounts.audit.seal); verify_audit and purge_audit seal before they read the chain.
AUDIT_SEAL_SECONDS = env_int("AUDIT_SEAL_SECONDS", 5)
if AUDIT_SEAL_SECONDS < 1:
    raise ImproperlyConfigured(f"AUDIT_SEAL_SECONDS must be 1 or more; got {AUDIT_SEAL_SECONDS}")

SESSION_ENGINE = "accounts.sessions"
SESSION_CACHE_ALIAS = "shared"
# A signed-in person's cached account lives at most this long (it is removed at once on every
# change; this bounds a copy read while a change was in flight).
USER_CACHE_SECONDS = env_int("USER_CACHE_SECONDS", 60)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Caches -----------------------------------------------------------------------------------
# The case list and case pages are kept for their viewer while the case data is unchanged
# (cases.kept_pages); 0 draws every view afresh (make bench-http's "drawn" rows).
KEEP_PAGES = env_bool("KEEP_PAGES", True)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# "shared" is Redis, so that every server process reads the same copies and sees the same
# removals: the sessions (accounts.sessions, also kept in the database) and the signed-in person's
# account and agency (accounts.user_cache). Accounts only, never anything about a case.
# "agenda_items" keeps each agenda item's drawn HTML under a digest of what it shows
# (meetings.agenda.item_html). In the process's own memory on purpose: it holds witness and suspect
# details, which must not sit in a shared store, and it refills itself from the database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "shared": {
        "BACKEND": "accounts.redis_cache.SharedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "shootreview",
        "TIMEOUT": SESSION_ABSOLUTE_SECONDS,
        # An unanswered Redis must not hold a request for long: reads then go to the database.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "agenda_items": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "agenda-items",
        "TIMEOUT": 24 * 3600,
        # A week's agenda seen in each of its modes by each kind of reader, with room to spare.
        "OPTIONS": {"MAX_ENTRIES": env_int("AGENDA_ITEM_CACHE_ENTRIES", 8000)},
    },
    # The case timeline's notes' drawn HTML under a digest of what each shows (cases.note_html).
    # In the process's own memory on purpose, like "agenda_items": it holds what notes say.
    "note_html": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "note-html",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": env_int("NOTE_HTML_CACHE_ENTRIES", 20000)},
    },
    # The case list and case pages as drawn for one viewer, under the stamp of the case data
    # (cases.kept_pages). In the process's own memory on purpose: pages name witnesses.
    "kept_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kept-pages",
        # Each page is kept for cases.kept_pages.KEEP_SECONDS, given as it is stored.
        # About 40 KB a page.
        "OPTIONS": {"MAX_ENTRIES": env_int("KEPT_PAGE_CACHE_ENTRIES", 1000)},
    },
    # Live agendas' snapshots, each under the stamp of the data it was built from
    # (meetings.agenda.source_stamp): a superseded one is never asked for again and ages out.
    "agenda_snapshots": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "agenda-snapshots",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 32},
    },
}

# The API's rate-limit counters (api.throttling), shared by every web process. Counters only:
# no case material goes into a shared cache. If Redis is down they are counted per process.
CACHES["api_throttle"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "KEY_PREFIX": "shootreview",
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}
CACHES["api_throttle_fallback"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "api-throttle",
}

# --- REST API ---------------------------------------------------------------------------------
# Calls per token (or per signed-in person) per minute; more answer 429 with Retry-After.
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 300)
if API_REQUESTS_PER_MINUTE < 1:
    raise ImproperlyConfigured(f"API_REQUESTS_PER_MINUTE must be 1 or more; got {API_REQUESTS_PER_MINUTE}")
# Where the REST API lives (shootreview/urls.py, api/): its answers are JSON, never a page.
API_PATH_PREFIX = "/api/v1/"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SignedInSession",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenRateThrottle"],
    # JSON unless a browser asks for the browsable API (?format=api or Accept: text/html).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shoot review API",
    "DESCRIPTION": (
        "Cases, notes, NIBIN leads, meetings and action items, as the caller may see them. "
        "Authenticate with `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Like every page of the app, the schema is for people and systems with an account.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": API_PATH_PREFIX.rstrip("/"),
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# --- Time and language ------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (favicon.ico), served there by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------------------------
# Behind a TLS-terminating proxy that already redirects, set DJANGO_SECURE_SSL_REDIRECT=0 and
# DJANGO_SECURE_PROXY_SSL_HEADER=1 (trusts X-Forwarded-Proto from that proxy only).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# How many proxies of our own stand in front of the app (accounts/addresses.py): the client's
# address is read from X-Forwarded-For only as far as they vouch for it. 0: REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more; got {TRUSTED_PROXY_COUNT}")
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: htmx is configured (meta htmx-config) not to inject styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Map ----------------------------------------------------------------------------------------
# The case map draws its points on a plain background. With MAP_TILE_URL (a tile server the
# deployment trusts, e.g. https://tiles.example.org/{z}/{x}/{y}.png) it draws them over that
# server's tiles, and the page may load images from that one origin and no other.


def map_tile_origin(url: str) -> str:
    """The scheme and host (with port) of a tile URL template, checked so that a typo fails at
    start-up instead of showing an empty map: http(s), a host, {z}, {x} and {y} once each, and no
    other placeholder (a {s} subdomain would need a wildcard in the content security policy)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ImproperlyConfigured(f"MAP_TILE_URL must be an http(s) URL with a host; got {url!r}")
    if any(ch.isspace() or ch in "\"'<>\\" for ch in url) or parsed.username or parsed.password:
        raise ImproperlyConfigured(f"MAP_TILE_URL must have no spaces, quotes or credentials; got {url!r}")
    placeholders = re.findall(r"\{([^{}]*)\}", url)
    if sorted(placeholders) != ["x", "y", "z"] or url.count("{") != 3 or url.count("}") != 3:
        raise ImproperlyConfigured(
            f"MAP_TILE_URL must hold {{z}}, {{x}} and {{y}} once each and no other placeholder; got {url!r}"
        )
    if parsed.hostname.startswith("{") or "{" in parsed.netloc:
        raise ImproperlyConfigured(f"MAP_TILE_URL may not have a placeholder in its host; got {url!r}")
    try:
        port = parsed.port
    except ValueError:
        raise ImproperlyConfigured(f"MAP_TILE_URL has a bad port; got {url!r}") from None
    host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
    return f"{parsed.scheme}://{host}" + (f":{port}" if port else "")


MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip()
MAP_TILE_ORIGIN = map_tile_origin(MAP_TILE_URL) if MAP_TILE_URL else ""
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "").strip()
if MAP_TILE_ATTRIBUTION and not MAP_TILE_URL:
    raise ImproperlyConfigured("MAP_TILE_ATTRIBUTION is set but MAP_TILE_URL is not: set both or neither.")
if MAP_TILE_ORIGIN:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(MAP_TILE_ORIGIN)

if env_bool("DJANGO_HSTS_PRELOAD", False) is False:
    # Preload is a one-way commitment for the whole domain; it is the operator's call.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every button of the agenda page sends the fields of every item (they all belong to the page's
# one form, see meetings.agenda.item_html): a held week of 300 items is over 1000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Redis and Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tasks must finish well inside the visibility timeout, or Redis hands them to a second worker.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "shootreview")
CELERY_BEAT_SCHEDULE = {
    # Chain the audit rows written since the last run (accounts.audit.seal).
    "seal-audit": {
        "task": "accounts.tasks.seal_audit",
        "schedule": AUDIT_SEAL_SECONDS,
        "options": {"expires": max(1, AUDIT_SEAL_SECONDS - 1)},
    },
    "disable-inactive-accounts": {
        "task": "accounts.tasks.disable_inactive_accounts",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 23 * 60 * 60},
    },
    # Failed sign-ins older than the lockout and throttle windows count for nothing any more.
    "prune-login-failures": {
        "task": "accounts.tasks.prune_login_failures",
        "schedule": 60 * 60,
        "options": {"expires": 55 * 60},
    },
    # Weekly series stay `weeks_ahead` meetings ahead without anyone typing them.
    "ensure-upcoming-meetings": {
        "task": "meetings.tasks.ensure_upcoming_meetings",
        "schedule": 6 * 60 * 60,
        "options": {"expires": 5 * 60 * 60},
    },
    # Reminders: the database holds what is due; this sweep creates, claims and hands them out.
    "sweep-reminders": {
        "task": "meetings.tasks.sweep_reminders",
        "schedule": 60,
        "options": {"expires": 55},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")


# --- Mail -------------------------------------------------------------------------------------
def _mail_settings() -> dict[str, object]:
    """Mail from EMAIL_URL (smtp://, smtp+tls://, smtp+ssl://, file:///dir, console:) or the
    separate EMAIL_HOST/PORT/... variables."""
    url = os.environ.get("EMAIL_URL", "").strip()
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": os.environ.get("EMAIL_HOST", "localhost"),
            "EMAIL_PORT": env_int("EMAIL_PORT", 25),
            "EMAIL_HOST_USER": os.environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", False),
            "EMAIL_USE_SSL": env_bool("EMAIL_USE_SSL", False),
        }
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be smtp, smtp+tls, smtp+ssl, file or console; got {url!r}")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtp+ssl" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parsed.scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["30"])[0]),
    }


globals().update(_mail_settings())
EMAIL_TIMEOUT = globals().get("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shoot review <shootreview@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product settings -------------------------------------------------------------------------
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "shootreview-demo")
# Reminders (see meetings/reminders/planning.py): lead times before a meeting, the hour (local) of the
# daily digests, how long a claim lasts before another sweep may take the row again.
REMINDER_MEETING_LEAD_HOURS = [int(h) for h in env_list("REMINDER_MEETING_LEAD_HOURS", ["48", "2"])]
REMINDER_CASE_UPDATE_HOURS = env_int("REMINDER_CASE_UPDATE_HOURS", 24)
REMINDER_DIGEST_HOUR = env_int("REMINDER_DIGEST_HOUR", 7)
REMINDER_NIBIN_HOURS = env_int("REMINDER_NIBIN_HOURS", 24)
REMINDER_LEASE_SECONDS = env_int("REMINDER_LEASE_SECONDS", 120)
REMINDER_CLAIM_LIMIT = env_int("REMINDER_CLAIM_LIMIT", 1000)
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 50)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 60)
# Draw a frozen agenda's packets in the background right after the freeze (meetings/printing/packets.py).
PREPARE_PACKETS = env_bool("PREPARE_PACKETS", True)
# Mail a new action item and a held meeting's minutes at once (a sweep queued after the commit)
# instead of at the next minute's sweep.
REMINDERS_AT_ONCE = env_bool("REMINDERS_AT_ONCE", True)

# Accounts unused this long are disabled by a daily task (CJIS AC-2(3)).
INACTIVE_ACCOUNT_DAYS = env_int("INACTIVE_ACCOUNT_DAYS", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # pikepdf (laying out printed packets) announces its own logger at INFO when it loads.
    "loggers": {"pikepdf": {"level": "WARNING"}},
}
