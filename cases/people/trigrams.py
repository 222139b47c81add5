"""Trigram word similarity, the measure the person search and the suggestions rank names by.

PostgreSQL has it in pg_trgm (`word_similarity`, and the `<%` operator its GIN index serves);
each new PostgreSQL connection is told the threshold the operator uses, so that the indexed
filter and MIN_SIMILARITY agree. SQLite (development and part of the test suite) has no pg_trgm:
each new SQLite connection gets WORD_SIMILARITY and STRICT_WORD_SIMILARITY functions computed
here the way pg_trgm does, so typos and partial names match there too and the same queries run
on both.
"""

from __future__ import annotations

import re

from django.db.backends.signals import connection_created

# Below this word similarity a name is not offered (pg_trgm's own default is 0.6; people's names
# are short and often misspelt, so a little lower). The person search and the suggestions rank
# what they find by it.
MIN_SIMILARITY = 0.45
# The case list cannot rank by likeness (it lists cases by date), so there a name as typed must
# resemble whole words of a person's names (pg_trgm's strict word similarity), and closely: "Orin
# Halbert" finds Orrin Halberd (0.59), "Prospect Rosalind" (an address and a first name) does not
# find every Rosalind (0.53).
MIN_STRICT_SIMILARITY = 0.55

_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> list[str]:
    """pg_trgm's trigrams of `text`, in order: each word (a run of letters and digits) in lower
    case, with two spaces before it and one after."""
    found = []
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        found.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def word_similarity(needle: str, haystack: str) -> float:
    """pg_trgm's word_similarity(needle, haystack): the greatest similarity between the trigrams
    of `needle` and those of any continuous extent of `haystack` (shared / (needle's + extent's −
    shared), each counted once). With word_similarity('word', 'two words') = 0.8 as in its docs."""
    wanted = set(trigrams(needle))
    if not wanted:
        return 0.0
    sequence = trigrams(haystack)
    best = 0.0
    for start, first in enumerate(sequence):
        if first not in wanted:
            continue  # an extent starting on an unshared trigram is bettered by the next one
        extent: set[str] = set()
        shared = 0
        for gram in sequence[start:]:
            if gram not in extent:
                extent.add(gram)
                shared += gram in wanted
            if gram in wanted:
                best = max(best, shared / (len(wanted) + len(extent) - shared))
    return best


def strict_word_similarity(needle: str, haystack: str) -> float:
    """pg_trgm's strict_word_similarity: as word_similarity, but the extents of `haystack` are
    whole words (one or several in a row)."""
    wanted = set(trigrams(needle))
    if not wanted:
        return 0.0
    words = [trigrams(word) for word in _WORD.findall((haystack or "").lower())]
    best = 0.0
    for start in range(len(words)):
        extent: set[str] = set()
        for word in words[start:]:
            extent.update(word)
            shared = len(extent & wanted)
            best = max(best, shared / (len(wanted) + len(extent) - shared))
    return best


def _sqlite(function):
    def call(needle, haystack) -> float | None:
        if needle is None or haystack is None:
            return None
        return function(str(needle), str(haystack))

    return call


def _on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Session settings read by the `<%` and `<<%` operators (and so by their index scans).
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false), "
                "set_config('pg_trgm.strict_word_similarity_threshold', %s, false)",
                [str(MIN_SIMILARITY), str(MIN_STRICT_SIMILARITY)],
            )
    elif connection.vendor == "sqlite":
        create = connection.connection.create_function
        create("WORD_SIMILARITY", 2, _sqlite(word_similarity), deterministic=True)
        create("STRICT_WORD_SIMILARITY", 2, _sqlite(strict_word_similarity), deterministic=True)


def install() -> None:
    """Called once from the cases app's ready()."""
    connection_created.connect(_on_connection, dispatch_uid="cases.people.trigrams")
