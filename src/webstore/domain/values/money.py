"""Exact amounts of money, and the prices a product may have."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from webstore.domain.values.fields import InvalidValue, present

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount with two decimal places; never a float."""

    amount: Decimal

    def __post_init__(self) -> None:
        amount = self.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise TypeError("Money needs a finite Decimal")
        exact = amount.quantize(CENT)
        if exact != amount:
            raise ValueError(f"{amount} has more than two decimal places")
        object.__setattr__(self, "amount", exact)

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    @classmethod
    def _exact(cls, amount: Decimal) -> Money:
        """Skip the checks for results that keep two places by construction (sums, multiples)."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        return money

    def __add__(self, other: Money) -> Money:
        return Money._exact(self.amount + other.amount)

    def __mul__(self, quantity: int) -> Money:
        return Money._exact(self.amount * quantity)

    def __lt__(self, other: Money) -> bool:
        return self.amount < other.amount

    def __str__(self) -> str:
        return f"{self.amount:.2f}"


# Ten digits, as DRF's DecimalField(max_digits=10, decimal_places=2).
MAX_PRICE = Decimal("99999999.99")
NOT_A_NUMBER = "A valid number is required."


def _decimal(raw: int | float | str | Decimal) -> Decimal:
    if isinstance(raw, int):
        return Decimal(raw)  # exact, and free of str()'s limit on the digits of huge integers
    if isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else Decimal("NaN")
    try:
        return Decimal(raw.strip() if isinstance(raw, str) else raw)
    except InvalidOperation:
        return Decimal("NaN")


def price(raw: Any) -> Money:
    """A positive price from a JSON number or a decimal string with at most two places.

    Places are counted as written, as DRF does: ``"1.500"`` has three. No check quantizes an
    unchecked value, since that raises for values wider than the decimal context.
    """
    if isinstance(present(raw), bool) or not isinstance(raw, int | float | str | Decimal):
        raise InvalidValue(NOT_A_NUMBER)
    value = _decimal(raw)
    if not value.is_finite():
        raise InvalidValue(NOT_A_NUMBER)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite Decimal's exponent is a number
    if exponent < -2:
        raise InvalidValue("Ensure that there are no more than 2 decimal places.")
    if value <= 0:
        raise InvalidValue("Ensure this value is greater than 0.")
    if value > MAX_PRICE:
        raise InvalidValue("Ensure that there are no more than 10 digits in total.")
    return Money(value.quantize(CENT))
