"""A bare Django for `make bench-http`: one hello view, no middleware, no apps, no database.
What the machine and server can do at best, measured in the same run as the app's pages."""

SECRET_KEY = "bench-http-bare-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "benchmarks.http.bare_urls"
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}
USE_TZ = True
