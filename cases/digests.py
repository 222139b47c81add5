"""Cache keys made from values: the digest of their pickle, so equal values give equal keys."""

from __future__ import annotations

import hashlib
import pickle


def digest(value) -> str:
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=20).hexdigest()
