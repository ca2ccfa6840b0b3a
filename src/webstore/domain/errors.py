"""One family of errors: every broken rule raises a subclass of ``WebstoreError``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class WebstoreError(Exception):
    """Base class of every error the store raises on purpose."""

    message = "webstore error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    @property
    def detail(self) -> str:
        return str(self.args[0])


# Nested errors: a field maps to a list of messages, or (for lists of objects) to a mapping
# from the item's index (as a string) to that item's own field errors.
FieldErrors = Mapping[str, Any]


class InvalidInput(WebstoreError):
    """Input broke a validation rule; ``errors`` maps each field to its messages."""

    def __init__(self, errors: FieldErrors) -> None:
        self.errors: FieldErrors = errors
        super().__init__(first_problem(errors))

    @classmethod
    def field(cls, name: str, message: str) -> InvalidInput:
        return cls({name: [message]})


def first_problem(errors: FieldErrors, prefix: str = "") -> str:
    """A human-readable sentence for the first problem in a (nested) error mapping."""
    for name, value in errors.items():
        path = f"{prefix}{name}"
        if isinstance(value, Mapping):
            return first_problem(value, prefix=f"{path}.")
        if isinstance(value, list | tuple) and value:
            return f"{path}: {value[0]}"
        return f"{path}: {value}"
    return "invalid input"


class UsernameTaken(WebstoreError):
    message = "username is used"


class InvalidCredentials(WebstoreError):
    """Unknown user, wrong password or inactive user: deliberately indistinguishable."""

    message = "user not found"


class ProductNotFound(WebstoreError):
    """No product with this id (or, to anyone but a superuser, no active one)."""

    def __init__(self, product_id: int) -> None:
        self.product_id = product_id
        super().__init__(f"product {product_id} does not exist")


class UnknownProduct(WebstoreError):
    """An order names a product that does not exist or is withdrawn from sale."""

    def __init__(self, product_id: int) -> None:
        self.product_id = product_id
        super().__init__(f"product {product_id} does not exist")


class InsufficientStock(WebstoreError):
    def __init__(self, product_id: int, requested: int, available: int) -> None:
        self.product_id = product_id
        self.requested = requested
        self.available = available
        super().__init__(
            f"not enough stock for product {product_id}: "
            f"requested {requested}, available {available}"
        )


class OrderNotFound(WebstoreError):
    def __init__(self, order_id: int) -> None:
        self.order_id = order_id
        super().__init__(f"order {order_id} does not exist")


class IllegalTransition(WebstoreError):
    """An order may only go pending -> completed or pending -> cancelled."""

    def __init__(self, order_id: int | None, current: str, wanted: str) -> None:
        self.current = current
        self.wanted = wanted
        super().__init__(f"order {order_id} is {current} and cannot become {wanted}")


class UserNotFound(WebstoreError):
    """No user with this username (``str``) or id (``int``)."""

    def __init__(self, user: str | int) -> None:
        self.user = user
        super().__init__(f"user {user} does not exist")


class LastSuperuser(WebstoreError):
    """A superuser may not deactivate the last active superuser account (their own)."""

    message = "The last active superuser cannot be deactivated."


class InvalidImage(InvalidInput):
    """An upload that is not a picture the store accepts; ``errors`` names the ``image`` field."""

    def __init__(self, message: str) -> None:
        super().__init__({"image": [message]})


class ImageNotFound(WebstoreError):
    """No stored copy of this product's picture at this size (and digest)."""

    def __init__(self, product_id: int, size: int) -> None:
        self.product_id = product_id
        self.size = size
        super().__init__(f"product {product_id} has no picture of size {size}")


class InvalidResetToken(InvalidInput):
    """A password-reset token that is unknown, used, expired, or whose user is inactive:
    one answer for all of them, so the token's holder learns nothing more."""

    MESSAGE = "This password reset link is invalid, used or expired."

    def __init__(self) -> None:
        super().__init__({"token": [self.MESSAGE]})


class WrongPassword(InvalidInput):
    """The current password given to change it is not the user's."""

    MESSAGE = "Your old password was entered incorrectly. Please enter it again."

    def __init__(self) -> None:
        super().__init__({"old_password": [self.MESSAGE]})
