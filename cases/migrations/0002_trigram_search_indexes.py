"""Trigram (pg_trgm) GIN indexes for the substring searches of the case list.

The case-list search filters with `search_text__icontains`, which Django writes on PostgreSQL as
`UPPER("search_text"::text) LIKE UPPER('%fragment%')`: a B-tree cannot serve a leading wildcard,
a GIN index over the trigrams of `UPPER(search_text)` can. The indexes are on the same
expression so the planner matches them. PostgreSQL only; on SQLite (development and part of the
test suite) there is no pg_trgm and this migration does nothing.

The indexes are kept outside Django's model state on purpose: Django cannot express an index on
UPPER(col) with an operator class portably, and the state of the models does not change.
"""

from django.db import migrations

INDEXES = [
    # Shooting.search_text: report number, address and victim names (case-list search).
    ("shooting_search_trgm_idx", "cases_shooting"),
    # Note.search_text: suspect names and aliases (suspect search, for roles that may see them).
    ("note_search_trgm_idx", "cases_note"),
]


def create_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER(search_text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other objects may depend on it, and it costs nothing unused.
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
