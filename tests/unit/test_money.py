from __future__ import annotations

from decimal import Decimal

import pytest

from webstore.domain import values
from webstore.domain.values import InvalidValue, Money


def test_money_always_has_two_places() -> None:
    assert str(Money(Decimal("19.99"))) == "19.99"
    assert str(Money(Decimal("20"))) == "20.00"
    assert str(Money(Decimal("7.5"))) == "7.50"
    assert Money(Decimal("5")).amount.as_tuple().exponent == -2
    assert str(Money.zero()) == "0.00"


def test_the_same_amount_written_differently_is_the_same_money() -> None:
    assert Money(Decimal("7.5")) == Money(Decimal("7.50"))
    assert hash(Money(Decimal("7.5"))) == hash(Money(Decimal("7.50")))


def test_money_adds_multiplies_and_compares_exactly() -> None:
    chair, lamp = Money(Decimal("19.99")), Money(Decimal("0.10"))
    assert chair + lamp == Money(Decimal("20.09"))
    assert lamp * 3 == Money(Decimal("0.30"))  # 0.1 * 3 is not 0.3 in floating point
    assert chair * 0 == Money.zero()
    assert lamp < chair
    assert not chair < lamp


@pytest.mark.parametrize("amount", [19.99, 20, "19.99"])
def test_money_is_never_made_of_anything_but_a_decimal(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_money_is_always_finite(amount: str) -> None:
    with pytest.raises(TypeError):
        Money(Decimal(amount))


def test_money_refuses_fractions_of_a_cent() -> None:
    with pytest.raises(ValueError, match="more than two decimal places"):
        Money(Decimal("19.999"))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (19.99, "19.99"),
        (20, "20.00"),
        (0.1, "0.10"),
        ("19.99", "19.99"),
        (" 19.9 ", "19.90"),
        ("1e2", "100.00"),
        (Decimal("0.01"), "0.01"),
        ("99999999.99", "99999999.99"),
    ],
)
def test_a_price_is_a_number_or_decimal_string_with_at_most_two_places(
    raw: object, clean: str
) -> None:
    assert str(values.price(raw)) == clean


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "This field may not be null."),
        (True, "A valid number is required."),
        ([19.99], "A valid number is required."),
        ("nineteen", "A valid number is required."),
        ("", "A valid number is required."),
        ("NaN", "A valid number is required."),
        ("-Infinity", "A valid number is required."),
        (float("nan"), "A valid number is required."),
        (float("inf"), "A valid number is required."),
        ("19.999", "Ensure that there are no more than 2 decimal places."),
        (19.999, "Ensure that there are no more than 2 decimal places."),
        ("1.500", "Ensure that there are no more than 2 decimal places."),
        (0, "Ensure this value is greater than 0."),
        ("0.00", "Ensure this value is greater than 0."),
        (-5, "Ensure this value is greater than 0."),
        ("100000000", "Ensure that there are no more than 10 digits in total."),
    ],
)
def test_a_price_that_is_not_a_positive_two_place_number_is_refused(
    raw: object, message: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        values.price(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "raw",
    [
        "1234567890123456789012345678.001",  # once raised decimal.InvalidOperation
        10**5000,  # once raised ValueError from str() of a huge integer
        "1e999999999999999999",
        "1e-999999999999999999",
    ],
    ids=["wider-than-the-decimal-context", "huge-integer", "huge-exponent", "tiny-exponent"],
)
def test_an_absurd_price_is_refused_as_invalid_input_not_a_crash(raw: object) -> None:
    with pytest.raises(InvalidValue):
        values.price(raw)
