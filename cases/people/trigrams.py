"""Trigram word similarity: how the person search, the suggestions and the case list tell that
a name as typed is a recorded name, misspelt.

A name resembles another when its trigrams are much the same as those of whole words of the
other (pg_trgm's strict word similarity, at least MIN_SIMILARITY); results are ranked by the
plain word similarity. PostgreSQL has both in pg_trgm, and its GIN index serves the `<<%`
operator: each new PostgreSQL connection is told the operator's threshold, so that the index and
MIN_SIMILARITY agree. SQLite (development and part of the test suite) has no pg_trgm: each new
SQLite connection gets WORD_SIMILARITY and STRICT_WORD_SIMILARITY functions computed here the way
pg_trgm does, so the same queries find the same people on both.
"""

from __future__ import annotations

import re

from django.db.backends.signals import connection_created

# Whole words, closely: "Orin Halbert" finds Orrin Halberd (0.59) and "Halbert" Halberd (0.6),
# but "Prospect Rosalind" (an address and a first name) is not every Rosalind (0.53), and
# "Gilfield" is not every Falfield (0.38), which looser word similarity (0.56) would admit: too
# many to list, and on a large table too many to read. Part of a name is matched as a substring.
MIN_SIMILARITY = 0.55

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
            # A session setting read by the `<<%` operator (and so by its index scan).
            cursor.execute(
                "SELECT set_config('pg_trgm.strict_word_similarity_threshold', %s, false)", [str(MIN_SIMILARITY)]
            )
    elif connection.vendor == "sqlite":
        create = connection.connection.create_function
        create("WORD_SIMILARITY", 2, _sqlite(word_similarity), deterministic=True)
        create("STRICT_WORD_SIMILARITY", 2, _sqlite(strict_word_similarity), deterministic=True)


def install() -> None:
    """Called once from the cases app's ready()."""
    connection_created.connect(_on_connection, dispatch_uid="cases.people.trigrams")
