"""Settings for `make bench-http`: the production settings as they are (debug off, second factor
on, behind a TLS proxy that sends X-Forwarded-Proto), plus bench-only URLs: a hello view through
the app's whole middleware, and the administration's changelist of shootings beside the case
list (the app itself does not register Shooting in the admin)."""

from shootreview.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.http.urls"
