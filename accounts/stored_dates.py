"""Dates already stored outside what the forms now accept (say a case imported with
0001-01-01T00:00+14:00 before the bounds existed) must not turn a list, an export, a PDF, a cover
or a calendar into an error page for everyone.

Two things break on such values. PostgreSQL keeps instants Python cannot hold (that one is
31 December of year 1 BC in UTC), and the database driver refuses to read them; and an instant
Python can hold overflows when it is moved to local time or a week is added to it. So every
timestamp read from the database is brought inside [SAFE_MIN, SAFE_MAX], and the few computations
that step weeks or years from a stored instant go through `shifted()`. Nothing is written back:
the row keeps what it holds, and only a value within hours of year 1 or 9999 is shown moved to
SAFE_MIN or SAFE_MAX.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from django.db.backends.signals import connection_created
from django.utils.dateparse import parse_datetime

# Sixteen hours inside Python's range: more than any zone's offset from UTC (the widest, local mean
# times of the 19th century included, are under 16 hours), so a value read can always be shown
# in local time.
SAFE_MIN = dt.datetime(1, 1, 1, 16, tzinfo=dt.UTC)
SAFE_MAX = dt.datetime(9999, 12, 31, 8, tzinfo=dt.UTC)


def clamp(value: dt.datetime) -> dt.datetime:
    """`value` brought inside [SAFE_MIN, SAFE_MAX] (a naive value is taken as UTC, as SQLite
    keeps it). Compared by wall time and offset, because converting is what would overflow."""
    naive = value.replace(tzinfo=None)
    offset = value.utcoffset() or dt.timedelta(0)
    try:
        low, high = SAFE_MIN.replace(tzinfo=None) + offset, SAFE_MAX.replace(tzinfo=None) + offset
    except OverflowError:  # an offset of most of a day: only the far end can be compared
        low = high = None
    if low is not None and naive < low or low is None and naive.year == 1:
        edge = SAFE_MIN
    elif high is not None and naive > high or high is None and naive.year == 9999:
        edge = SAFE_MAX
    else:
        return value
    return edge if value.tzinfo else edge.replace(tzinfo=None)


def minute_text(value: dt.datetime) -> str:
    """Minutes as "YYYY-MM-DD HH:MM" with a four-digit year: strftime writes year 1 as "1" on Linux, which
    a stored early date would show as."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


def shifted(moment, delta: dt.timedelta):
    """`moment + delta` (a date or a date-time), or the nearest end of the representable range
    when that would overflow: a window or chart reaching past year 1 starts at year 1."""
    try:
        return moment + delta
    except OverflowError:
        if isinstance(moment, dt.datetime):
            edge = SAFE_MIN if delta < dt.timedelta(0) else SAFE_MAX
            return edge.astimezone(moment.tzinfo) if moment.tzinfo else edge.replace(tzinfo=None)
        return dt.date.min if delta < dt.timedelta(0) else dt.date.max


# --- Reading timestamps -------------------------------------------------------------------------


def _sqlite_datetime(raw: bytes) -> dt.datetime | None:
    """SQLite keeps naive UTC text; year 0 or a malformed value reads as the nearest end."""
    text = raw.decode()
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        return SAFE_MIN.replace(tzinfo=None) if text.startswith(("0000", "-")) else SAFE_MAX.replace(tzinfo=None)
    return clamp(value)


def _postgresql_loader(connection):
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg import DataError

    class SafeTzLoader(BaseTzLoader):
        # Django compares this with the connection's zone to decide whether to replace the loader.
        timezone = connection.timezone

        def load(self, data):
            try:
                value = super().load(data)
            except DataError:
                text = bytes(data).decode("ascii", "replace")
                return SAFE_MIN.astimezone(self.timezone) if text.endswith("BC") else SAFE_MAX.astimezone(self.timezone)
            return clamp(value)

    return SafeTzLoader


def _on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        connection.connection.adapters.register_loader("timestamptz", _postgresql_loader(connection))
    elif connection.vendor == "sqlite":
        # The converter registry is the sqlite3 module's, shared by the process; Django fills it
        # when its backend is imported, so it is replaced here, once a connection exists.
        sqlite3.register_converter("datetime", _sqlite_datetime)


def install() -> None:
    """Called once from the accounts app's ready(): every connection reads timestamps safely."""
    connection_created.connect(_on_connection, dispatch_uid="accounts.stored_dates")
