"""What a search looks for, and the form in which searches compare names, ignoring case and
accents."""

from __future__ import annotations

import unicodedata
from typing import Any

from webstore.domain.values.accounts import username_key
from webstore.domain.values.fields import text

MAX_SEARCH = 200


def search_text(raw: Any) -> str:
    """What a catalogue search looks for: trimmed text of up to 200 characters, maybe empty."""
    return text(raw, min_length=0, max_length=MAX_SEARCH)


# Letters that Unicode does not decompose into a base letter and a mark, folded as a reader
# who types plain Latin letters expects: a stroke or a ligature is, for a search, an accent.
_UNDECOMPOSED_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ɨ": "i", "æ": "ae", "œ": "oe"}
)


def _without_marks(value: str) -> str:
    """``value`` decomposed (NFKD), without its combining marks: ``É`` is ``E``, ``ﬁ`` is ``fi``."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(value: str) -> str:
    """The form searches compare, ignoring case and accents alike.

    ``cafe`` finds ``Café``, ``e`` finds ``Éclair``, ``SS`` finds ``Straße``, ``lodz`` finds
    ``Łódź``, ``oeuvre`` finds ``Œuvre``, ``istanbul`` finds ``İstanbul`` (the dotless
    ``\u0131`` is ``i`` too). Marks go before and after the case mapping (``İ`` lower-cases to
    ``i`` and a combining dot); the caseless part is the key usernames are matched by. A search
    matches when its key is a substring of the name's key. The stored keys are recomputed by a
    migration whenever this changes (0008).
    """
    folded = _without_marks(username_key(_without_marks(value)))
    return unicodedata.normalize("NFKC", folded).translate(_UNDECOMPOSED_LETTERS)
