"""The key searches compare: case and accents do not count, everything else does."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webstore import Webstore
from webstore.domain.values import search_key, username_key
from webstore.errors import UsernameTaken

# Letters of the scripts that have case and accents, their marks, and the odd ones out.
LETTERS = st.characters(
    categories=("Lu", "Ll", "Lt", "Mn", "Nd", "Zs"),
    max_codepoint=0x052F,  # Latin, Greek, Cyrillic
)
ODD_ONES = "ßẞİ\u0131ﬁﬂŒœÆæŁłØøĐđǅ\uff05\uff21\uff22\uff43가が"  # full-width %, A, B, c
# Greek's iota subscript (U+0345) is a mark whose capital is a letter (capital iota): its key
# drops the mark but keeps the capital's letter, so case counts for it, as it does for anyone
# typing Greek capitals. It is left out of the case property only.
LETTERS_WITHOUT_CASED_MARKS = LETTERS.filter(lambda ch: ch != "\u0345")
TEXT = st.text(LETTERS | st.sampled_from(ODD_ONES), max_size=12)
CASE_TEXT = st.text(LETTERS_WITHOUT_CASED_MARKS | st.sampled_from(ODD_ONES), max_size=12)


@pytest.mark.parametrize(
    ("search", "name"),
    [
        ("cafe", "Café table"),
        ("e", "Éclair"),
        ("CAFÉ", "cafe"),
        ("e\u0301clair", "ÉCLAIR"),  # decomposed
        ("strasse", "Straße"),
        ("STRAẞE", "strasse"),
        ("istanbul", "İstanbul"),
        ("\u0131sparta", "Isparta"),  # dotless i
        ("lodz", "Łódź"),
        ("oeuvre", "Œuvre"),
        ("aeble", "Æble"),
        ("fish", "ﬁsh"),
        ("full", "\uff26\uff55\uff4c\uff4c"),
        ("σοφοσ", "ΣΟΦΟΣ"),
        ("σοφος", "Σοφός"),
        ("ёлка", "Елка"),
    ],
)
def test_a_search_finds_the_name_whatever_its_case_and_accents(search: str, name: str) -> None:
    assert search_key(search) in search_key(name)


@pytest.mark.parametrize(
    ("search", "name"), [("cafe", "chafe"), ("%", "100 percent"), ("ss", "s"), ("1", "l")]
)
def test_other_differences_still_count(search: str, name: str) -> None:
    assert search_key(search) not in search_key(name)


@given(TEXT)
def test_the_key_of_a_key_is_that_key(text: str) -> None:
    assert search_key(search_key(text)) == search_key(text)


@given(CASE_TEXT)
def test_case_does_not_count(text: str) -> None:
    assert search_key(text.upper()) == search_key(text.lower()) == search_key(text)


@given(TEXT)
def test_accents_do_not_count(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert search_key(bare) == search_key(text)


@given(TEXT, TEXT, TEXT)
def test_a_piece_of_a_name_finds_it(before: str, piece: str, after: str) -> None:
    # Pieces that a reader would call whole: a mark belongs to the letter before it.
    if unicodedata.combining((piece + after)[:1] or "a") or unicodedata.combining(piece[:1] or "a"):
        return
    assert search_key(piece) in search_key(before + piece + after)


def test_usernames_still_tell_accents_apart(store: Webstore) -> None:
    store.register_user("José", "jose@example.com", "a long password")
    store.register_user("Jose", "jose2@example.com", "a long password")  # another user
    with pytest.raises(UsernameTaken):
        store.register_user("JOSÉ", "jose3@example.com", "a long password")
    assert username_key("José") != username_key("Jose")
