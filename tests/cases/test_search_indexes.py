"""The case-list substring search and the person-name search can use trigram indexes on
PostgreSQL; on SQLite the migration that makes them applies and does nothing, and names are
compared by the same word similarity computed in Python."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from cases.models import Note, PersonRole, Shooting
from cases.people.matching import resembling
from cases.people.trigrams import MIN_SIMILARITY, strict_word_similarity, word_similarity

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm exists only on PostgreSQL")


def test_the_trigram_migration_is_applied_on_every_database():
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("cases", "0002_trigram_search_indexes") in applied


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of test rows would always be read whole; the question here is only whether
        # the index matches the SQL Django writes for icontains, so only a bitmap scan is allowed.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_case_list_search_on_report_numbers_and_victim_names_uses_the_trigram_index():
    plan = _plan(Shooting.objects.filter(search_text__icontains="quillf"))
    assert "shooting_search_trgm_idx" in plan


@postgresql_only
def test_suspect_name_search_uses_the_trigram_index():
    plan = _plan(Note.objects.filter(search_text__icontains="marrow"))
    assert "note_search_trgm_idx" in plan


@postgresql_only
def test_the_trigram_indexes_are_gin_indexes_on_the_uppercased_search_text():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN (%s, %s) ORDER BY indexname",
            ["note_search_trgm_idx", "shooting_search_trgm_idx"],
        )
        rows = cursor.fetchall()
    assert [name for name, _ in rows] == ["note_search_trgm_idx", "shooting_search_trgm_idx"]
    for _name, definition in rows:
        assert "USING gin (upper(search_text) gin_trgm_ops)" in definition


@postgresql_only
def test_person_name_search_uses_the_trigram_index_of_person_roles():
    plan = _plan(resembling(PersonRole.objects.all(), "orin halbert"))
    assert "personrole_search_trgm_idx" in plan


@postgresql_only
def test_every_connection_gives_the_indexed_operator_the_search_threshold():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.strict_word_similarity_threshold')")
        assert float(cursor.fetchone()[0]) == MIN_SIMILARITY


@postgresql_only
@pytest.mark.parametrize(
    ("needle", "haystack"),
    [
        ("word", "two words"),
        ("orin halbert", "orrin halberd quillfeather"),
        ("quilfeather", "orrin halberd quillfeather"),
        ("blackmere", "corwin blackwell"),
        ("tavn nortn", "tavon norton"),
        ("ab-c d", "abc d-ab"),
        ("zz", "orrin halberd"),
    ],
)
def test_sqlite_word_similarity_is_the_one_pg_trgm_computes(needle, haystack):
    with connection.cursor() as cursor:
        cursor.execute("SELECT word_similarity(%s, %s), strict_word_similarity(%s, %s)", [needle, haystack] * 2)
        plain, strict = cursor.fetchone()
    assert word_similarity(needle, haystack) == pytest.approx(plain, abs=1e-6)
    assert strict_word_similarity(needle, haystack) == pytest.approx(strict, abs=1e-6)


def test_the_python_word_similarity_gives_pg_trgms_documented_values():
    # pg_trgm's documentation: word_similarity('word', 'two words') is 0.8; strictly, whole words
    # only, 'words' shares four of six trigrams.
    assert word_similarity("word", "two words") == pytest.approx(0.8)
    assert strict_word_similarity("word", "two words") == pytest.approx(4 / 7)
    assert strict_word_similarity("Orin Halbert", "orrin halberd quillfeather") >= MIN_SIMILARITY
    assert strict_word_similarity("prospect rosalind", "rosalind quill") < MIN_SIMILARITY
