"""Checks shared by the tests of what is kept under the source stamp (meetings.agenda.source_stamp):
live agendas, and the case list and case pages (cases.kept_pages)."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection

from meetings.agenda import source_stamp


def tables_read(queries) -> set[str]:
    """The tables named after FROM or JOIN in captured `queries`."""
    return {table for query in queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])}


def assert_under_the_stamp(tables: set[str]) -> None:
    """A write to any of `tables` gives the stamp a new value."""
    models = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    for table in sorted(tables):
        pk = models[table]._meta.pk.column
        before = source_stamp.current()
        with connection.cursor() as cursor:
            # A write that changes nothing is still a write: the stamp cannot know.
            cursor.execute(f'UPDATE "{table}" SET "{pk}" = "{pk}" WHERE "{pk}" = (SELECT MIN("{pk}") FROM "{table}")')
            assert cursor.rowcount == 1, table
        assert source_stamp.current() not in ("", before), table
