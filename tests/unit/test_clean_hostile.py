"""Hostile text: escaped markup and invisible characters outside the BMP."""

import unicodedata

from streams.text.clean import clean_text


def test_entity_escaped_markup_does_not_come_back_as_markup() -> None:
    out = clean_text("Quoted &lt;script&gt;alert(2)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;.")
    assert "<" not in out and "alert" not in out
    assert clean_text("AT&amp;T rose; 3 &lt; 4.") == "AT&T rose; 3 < 4."


def test_tag_characters_are_removed() -> None:
    out = clean_text("Troops \U000e0041\U000e0042\U000e0001clashed \u202eagain.")
    assert out == "Troops clashed again."
    assert not [c for c in out if unicodedata.category(c) in ("Cc", "Cf") and c != "\n"]
