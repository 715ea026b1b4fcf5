"""Stable identifiers derived from content, so a replay yields the same ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_for_id(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of ``text``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", folded.lower()).strip()


def article_id(title: str | None, body: str) -> str:
    """A 16-hex-digit id from the normalised title and body."""
    material = normalise_for_id(title or "") + "\n" + normalise_for_id(body)
    return hashlib.blake2b(material.encode("utf-8"), digest_size=8).hexdigest()


def short_hash(*parts: str) -> str:
    """A 16-hex-digit id from several strings (rule + story, and the like)."""
    material = "\x1f".join(parts)
    return hashlib.blake2b(material.encode("utf-8"), digest_size=8).hexdigest()
