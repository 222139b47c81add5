#!/bin/sh
# Browser tests drive Debian's Chromium at /usr/bin/chromium. Install it when it is missing and
# apt is usable; otherwise the browser tests skip loudly (or fail under REQUIRE_BROWSER=1).
[ -x /usr/bin/chromium ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null \
    || echo "WARNING: could not install Chromium; browser tests will be skipped." >&2
else
  echo "WARNING: /usr/bin/chromium is missing and apt-get is not usable; browser tests will be skipped." >&2
fi
exit 0
