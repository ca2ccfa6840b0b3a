from __future__ import annotations

from typing import Any

import pytest

from webstore.domain import values
from webstore.domain.errors import InvalidInput
from webstore.domain.values import InvalidValue


def problem(rule: Any, raw: object) -> str:
    with pytest.raises(InvalidValue) as caught:
        rule(raw)
    return str(caught.value)


def a_long_email(length: int) -> str:
    local = "l" * 64
    labels = ["a" * 63, "b" * 63, "c" * (length - 64 - 1 - 63 - 1 - 63 - 1 - 4), "com"]
    address = f"{local}@{'.'.join(labels)}"
    assert len(address) == length
    return address


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("alice", "alice"),
        ("  Alice  ", "Alice"),
        ("mad.hatter+tea@wonderland-1_2", "mad.hatter+tea@wonderland-1_2"),
        ("Élodie", "Élodie"),
        ("李小龙", "李小龙"),
        ("\uff21lice", "Alice"),  # full-width letters are stored as Django stores them: NFKC
        ("a" * 150, "a" * 150),
    ],
)
def test_a_username_is_letters_digits_and_at_dot_plus_dash_underscore(raw: str, clean: str) -> None:
    assert values.username(raw) == clean


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "This field may not be null."),
        (42, "Not a valid string."),
        ("", "This field may not be blank."),
        ("   ", "This field may not be blank."),
        ("a" * 151, "Ensure this field has no more than 150 characters."),
        ("alice liddell", "Enter a valid username."),
        ("alice!", "Enter a valid username."),
        ("tea/party", "Enter a valid username."),
        ("alice\x00", "Null characters are not allowed."),
        ("alice\ud800", "Surrogate characters are not allowed: U+D800."),
    ],
)
def test_a_username_that_breaks_a_rule_is_refused_with_a_reason(raw: object, message: str) -> None:
    assert problem(values.username, raw).startswith(message)


def test_a_username_that_grows_past_150_characters_when_normalized_is_refused() -> None:
    # U+FDFA is one character that NFKC spells out in 18
    assert problem(values.username, "\ufdfa" * 9) == (
        "Ensure this field has no more than 150 characters."
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice@Example.COM  ", "Alice@example.com"),
        ("o'brien+shop@mail.example.co.uk", "o'brien+shop@mail.example.co.uk"),
        ("hatter@bücher.example", "hatter@bücher.example"),
        (a_long_email(254), a_long_email(254)),
    ],
)
def test_an_email_is_a_valid_address_with_its_domain_lower_cased(raw: str, clean: str) -> None:
    assert values.email(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "alice@@example.com",
        "alice liddell@example.com",
        "alice.@example.com",
        ".alice@example.com",
        "alice@exa_mple.com",
        "alice@-example.com",
        f"{'l' * 65}@example.com",
    ],
)
def test_an_invalid_email_address_is_refused(raw: str) -> None:
    assert problem(values.email, raw) == "Enter a valid email address."


def test_an_email_longer_than_254_characters_is_refused() -> None:
    assert problem(values.email, a_long_email(255)) == (
        "Ensure this field has no more than 254 characters."
    )


@pytest.mark.parametrize(
    "raw",
    ["down the rabbit hole", "        ", "  padded with spaces  ", "x1" * 512, "12345678a"],
)
def test_a_password_is_kept_exactly_as_sent(raw: str) -> None:
    assert values.password(raw) == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "This field may not be null."),
        (12345678, "Not a valid string."),
        ("", "This password is too short. It must contain at least 8 characters."),
        ("tea-for", "This password is too short. It must contain at least 8 characters."),
        ("x" * 1025, "Ensure this field has no more than 1024 characters."),
        ("12345678", "This password is entirely numeric."),
        ("0" * 1024, "This password is entirely numeric."),
        ("white\x00rabbit", "Null characters are not allowed."),
    ],
)
def test_a_password_that_breaks_a_rule_is_refused_with_a_reason(raw: object, message: str) -> None:
    assert problem(values.password, raw) == message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("12345", "12345"),
        ("+1 (555) 010-0000", "+1 (555) 010-0000"),
        ("  +44 20 7946 0000  ", "+44 20 7946 0000"),
        ("1" * 32, "1" * 32),
    ],
)
def test_a_phone_is_digits_spaces_and_plus_brackets_dashes(raw: str, clean: str) -> None:
    assert values.phone(raw) == clean


@pytest.mark.parametrize(
    "raw", ["1234", "+() -1234", "555-CALL-NOW", "1" * 33, "12 34", "12345\n6789", "١٢٣٤٥"]
)
def test_a_phone_that_is_not_a_phone_number_is_refused(raw: str) -> None:
    assert problem(values.phone, raw).startswith(
        ("Enter a valid phone number", "Ensure this field has no more than 32")
    )


@pytest.mark.parametrize(("raw", "message"), [(None, "null"), (5551234, "string")])
def test_a_phone_must_be_given_as_text(raw: object, message: str) -> None:
    assert message in problem(values.phone, raw)


def test_an_address_is_trimmed_and_at_most_500_characters() -> None:
    assert values.address("  221B Baker Street  ") == "221B Baker Street"
    assert values.address("x" * 500) == "x" * 500
    assert "no more than 500" in problem(values.address, "x" * 501)
    assert problem(values.address, " \t ") == "This field may not be blank."


@pytest.mark.parametrize("raw", [1, 9_999, 10_000])
def test_an_order_amount_is_an_integer_from_1_to_10000(raw: int) -> None:
    assert values.order_amount(raw) == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (0, "Must be at least 1."),
        (-3, "Must be at least 1."),
        (10_001, "Must be at most 10000."),
        (True, "Not a valid integer."),
        (2.0, "Not a valid integer."),
        ("2", "Not a valid integer."),
        (None, "This field may not be null."),
    ],
)
def test_an_order_amount_that_is_not_a_small_positive_integer_is_refused(
    raw: object, message: str
) -> None:
    assert problem(values.order_amount, raw) == message


@pytest.mark.parametrize("raw", [0, -1, True, 1.0, "7", None])
def test_a_product_id_must_be_a_positive_integer(raw: object) -> None:
    with pytest.raises(InvalidValue):
        values.product_id(raw)
    assert values.product_id(7) == 7
    assert values.product_id(2**63 - 1) == 2**63 - 1


def test_validated_reports_every_broken_field_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        values.validated(
            username=(values.username, "alice"),
            email=(values.email, "not an address"),
            password=(values.password, "1234"),
        )
    assert caught.value.errors == {
        "email": ["Enter a valid email address."],
        "password": ["This password is too short. It must contain at least 8 characters."],
    }
    assert caught.value.detail == "email: Enter a valid email address."


@pytest.mark.parametrize(
    "rule",
    [values.username, values.email, values.password, values.address, values.phone, values.price],
)
def test_a_missing_field_is_required_and_a_null_one_may_not_be_null(rule: Any) -> None:
    assert problem(rule, values.MISSING) == "This field is required."
    assert problem(rule, None) == "This field may not be null."


def test_a_missing_or_null_description_reads_as_empty() -> None:
    assert values.product_description(values.MISSING) == values.product_description(None) == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (1, "Must be a valid boolean."),
        ("true", "Must be a valid boolean."),
        (None, "This field may not be null."),
    ],
)
def test_a_flag_is_a_true_boolean(raw: object, message: str) -> None:
    assert values.boolean(True) is True and values.boolean(False) is False
    assert problem(values.boolean, raw) == message
