"""Settings for the test suite: production settings with debug off, plus what a plain-HTTP
loopback test server needs. The Celery worker that tests start uses this module too."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-8d1e2c7f")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("EMAIL_URL", "console:")
# Tests that exercise the second factor turn it on themselves.
os.environ.setdefault("REQUIRE_MFA", "0")
# Freezing would queue the drawing of packets for a worker most tests do not run; the test of it
# turns it on.
os.environ.setdefault("PREPARE_PACKETS", "0")
# Likewise the sweep queued after a new action item or a meeting marked held; the mail tests
# turn it on with a worker running.
os.environ.setdefault("REMINDERS_AT_ONCE", "0")
# The sweeps call the API hundreds of times a minute as one person; the rate-limit test sets its own.
os.environ.setdefault("API_REQUESTS_PER_MINUTE", "100000")

from shootreview.settings import *  # noqa: E402,F403

# A Celery worker started by the tests reads the test process's own copies (tests/conftest.py).
CACHES["shared"]["KEY_PREFIX"] = os.environ.get("TESTS_SHARED_CACHE_PREFIX", CACHES["shared"]["KEY_PREFIX"])  # noqa: F405

# The test database's name, fixed: with --reuse-db pytest-django leaves NAME set to the test
# database's, so a second pytest run in the same process (make mutate's test processes run one
# for each mutant) would otherwise prefix it again (test_test_…) and build a new database.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", f"test_{DATABASES['default']['NAME']}")  # noqa: F405

# The live test server speaks plain HTTP on loopback.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic in tests: serve static files as they are.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Hashing is deliberately slow in production; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = VAR_DIR / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
