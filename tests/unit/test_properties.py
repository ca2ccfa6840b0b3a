"""Properties of the value rules: usernames, money and prices, over generated data."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import fast_settings
from tests.fakes import FakeClock
from webstore import bootstrap
from webstore.domain import values
from webstore.domain.values import MAX_PRICE, InvalidValue, Money, username_key
from webstore.errors import InvalidCredentials, InvalidInput

# Every code point, surrogates included: JSON can carry them ("\ud800"), so input can too.
ANY_TEXT = st.text(st.characters(exclude_categories=()))
USERNAME_CHARACTERS = st.characters(categories=["L", "N"], include_characters="@.+-_")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


VARIANTS: list[Callable[[str], str]] = [
    str.upper,
    str.lower,
    str.casefold,
    str.title,
    str.swapcase,
    full_width,
    *(
        lambda s, form=form: unicodedata.normalize(form, s)
        for form in ("NFC", "NFD", "NFKC", "NFKD")
    ),
]


@given(st.text(), st.sampled_from(VARIANTS))
def test_case_and_unicode_spellings_of_a_name_share_one_key(
    name: str, variant: Callable[[str], str]
) -> None:
    assert username_key(variant(name)) == username_key(name)


@given(st.text())
def test_the_key_of_a_key_is_that_key(name: str) -> None:
    assert username_key(username_key(name)) == username_key(name)


@given(st.text("abcdefghijklmnopqrstuvwxyz0123456789@.+-_"), st.text("abcdefghij"))
def test_names_that_differ_in_more_than_case_keep_different_keys(first: str, second: str) -> None:
    assert (username_key(first) == username_key(second)) == (first == second)


@given(st.text(USERNAME_CHARACTERS, min_size=1, max_size=40), st.sampled_from(["", " ", "\t"]))
def test_the_stored_username_has_the_key_of_what_was_typed(name: str, padding: str) -> None:
    typed = padding + name + padding
    try:
        stored = values.username(typed)
    except InvalidValue:
        return  # e.g. a combining mark left over by NFKC, which Django refuses too
    assert username_key(stored) == username_key(typed.strip())


# --- money -----------------------------------------------------------------------------------

AMOUNTS = st.decimals(
    min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False
)
MONEY = AMOUNTS.map(Money)


@given(MONEY, MONEY, MONEY)
def test_adding_money_is_associative_and_commutative(a: Money, b: Money, c: Money) -> None:
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + Money.zero() == a


@given(MONEY, st.integers(min_value=0, max_value=40))
def test_multiplying_money_is_repeated_addition(money: Money, times: int) -> None:
    assert money * times == reduce(lambda total, _: total + money, range(times), Money.zero())


@given(MONEY)
def test_money_prints_with_two_places_and_reads_back_the_same(money: Money) -> None:
    printed = str(money)
    assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", printed)
    assert Money(Decimal(printed)) == money


@given(st.floats())
def test_money_is_never_made_of_a_float(amount: float) -> None:
    with pytest.raises(TypeError):
        Money(amount)  # type: ignore[arg-type]


# --- prices ----------------------------------------------------------------------------------


def written_with(places: int) -> st.SearchStrategy[tuple[Decimal, str]]:
    """A positive price and its text with exactly ``places`` decimal places."""
    smallest = Decimal(1).scaleb(-places)
    return st.decimals(min_value=smallest, max_value=MAX_PRICE, places=places).map(
        lambda value: (value, f"{value:.{places}f}")
    )


@given(st.integers(0, 2).flatmap(written_with))
def test_a_decimal_string_with_at_most_two_places_is_a_price(written: tuple[Decimal, str]) -> None:
    value, text = written
    price = values.price(text)
    assert price == Money(value.quantize(values.CENT))
    assert str(values.price(f"  {text} ")) == str(price)


@given(st.integers(3, 8).flatmap(written_with))
def test_a_decimal_string_with_more_than_two_places_is_never_a_price(
    written: tuple[Decimal, str],
) -> None:
    with pytest.raises(InvalidValue, match="no more than 2 decimal places"):
        values.price(written[1])


@given(st.integers(min_value=1, max_value=99_999_999))
def test_a_positive_integer_is_a_price_with_no_cents(amount: int) -> None:
    assert str(values.price(amount)) == f"{amount}.00"


@given(st.floats(min_value=0.01, max_value=float(MAX_PRICE)))
def test_a_json_number_is_a_price_exactly_when_it_is_written_with_two_places(number: float) -> None:
    written = Decimal(repr(number))
    exponent = written.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent >= -2:
        assert values.price(number) == Money(written.quantize(values.CENT))
    else:
        with pytest.raises(InvalidValue):
            values.price(number)


@given(st.one_of(ANY_TEXT, st.floats(), st.integers(), st.decimals(), st.booleans(), st.none()))
def test_a_price_is_a_positive_amount_of_two_places_or_a_reason(raw: Any) -> None:
    try:
        price = values.price(raw)
    except InvalidValue:
        return
    assert Decimal("0.01") <= price.amount <= MAX_PRICE
    assert price.amount.as_tuple().exponent == -2


# --- any input --------------------------------------------------------------------------------

JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)
FIELD_RULES = [
    values.username,
    values.email,
    values.password,
    values.phone,
    values.address,
    values.product_name,
    values.product_description,
    values.product_id,
    values.order_amount,
    values.stock_amount,
    values.price,
]


@given(st.sampled_from(FIELD_RULES), JSON_LIKE)
def test_every_field_rule_answers_any_json_value_with_a_clean_value_or_a_reason(
    rule: Callable[[Any], Any], raw: Any
) -> None:
    try:
        clean = rule(raw)
    except InvalidValue as problem:
        assert str(problem)
        return
    assert isinstance(clean, str | int | Money) and not isinstance(clean, bool)
    if isinstance(clean, str):
        clean.encode("utf-8")  # storable: no lone surrogate
        assert "\x00" not in clean


# --- any text, end to end --------------------------------------------------------------------


@settings(max_examples=40)
@given(ANY_TEXT, ANY_TEXT)
def test_any_text_signs_up_or_is_refused_as_invalid_input(name: str, password: str) -> None:
    store = bootstrap(fast_settings(), clock=FakeClock())
    try:
        store.register_user(name, "alice@example.com", password)
    except InvalidInput:
        return
    assert store.log_in(name, password).user.username == unicodedata.normalize("NFKC", name.strip())


@settings(max_examples=40, deadline=None)  # a whole store per example: timing is not the point
@given(ANY_TEXT, ANY_TEXT)
def test_any_text_logs_in_or_fails_as_bad_credentials_or_invalid_input(
    name: str, password: str
) -> None:
    store = bootstrap(fast_settings(), clock=FakeClock())
    store.register_user("alice", "alice@example.com", "down the rabbit hole")
    with pytest.raises((InvalidCredentials, InvalidInput)):
        store.log_in(name, password)
