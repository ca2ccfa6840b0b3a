"""What the account endpoints take and answer: sign-up, login sessions, passwords, users."""

from __future__ import annotations

from typing import Any

from webstore.entrypoints.web.openapi.operations.objects import (
    NOBODY,
    REFRESH_AND_CSRF,
    TOKEN,
    TOKEN_AND_CSRF,
    TOTAL,
    array,
    header,
    operation,
    returns,
)
from webstore.entrypoints.web.openapi.request_schemas import (
    ChangePasswordSchema,
    LoginSchema,
    PasswordResetConfirmSchema,
    PasswordResetSchema,
    SignInSchema,
    UserQuerySchema,
)
from webstore.entrypoints.web.openapi.response_schemas import (
    AccessTokenSchema,
    AccountSchema,
    DetailSchema,
    LoginResponseSchema,
    MeSchema,
    SignInResponseSchema,
    ValidationErrorSchema,
)
from webstore.entrypoints.web.security import CSRF_COOKIE, REFRESH_COOKIE

COOKIES = header(f"{REFRESH_COOKIE} (HttpOnly, Path=/api) and {CSRF_COOKIE} (Path=/).")
ACCOUNT = returns("The user.", AccountSchema)

ACCOUNT_OPERATIONS: dict[str, dict[str, Any]] = {
    "auth.sign_in": operation(
        "Create a user account (usernames are unique case-insensitively).",
        NOBODY,
        {"200": returns("Created.", SignInResponseSchema)},
        body=SignInSchema,
    ),
    "auth.login_view": operation(
        "Log in: an access token, and the refresh and CSRF cookies.",
        NOBODY,
        {"200": returns("Logged in.", LoginResponseSchema, Set_Cookie=COOKIES)},
        ("403", "429"),
        body=LoginSchema,
    ),
    "auth.refresh_token": operation(
        "A new access token; the refresh token rotates.",
        REFRESH_AND_CSRF,
        {"200": returns("Refreshed.", AccessTokenSchema, Set_Cookie=COOKIES)},
        ("403",),
    ),
    "auth.logout": operation(
        "End the login session and clear both cookies (200 even without a cookie).",
        [{}, *REFRESH_AND_CSRF],
        {"200": returns("Logged out.", DetailSchema)},
        ("403", "409"),
    ),
    "auth.me": operation(
        "Who is logged in.", TOKEN, {"200": returns("The user.", MeSchema)}, ("403",)
    ),
    "passwords.change_password": operation(
        "Change one's own password; every other login session of the user ends.",
        TOKEN_AND_CSRF,
        {
            "200": returns("Changed.", DetailSchema),
            "400": returns(
                "The old password is wrong (old_password), or the new one breaks sign-up's "
                "rules (error, errors); a wrong old password counts as a failed login. Or a "
                "body that is not JSON (detail).",
                {"oneOf": [ValidationErrorSchema, DetailSchema]},
            ),
        },
        ("403", "429"),
        body=ChangePasswordSchema,
    ),
    "passwords.password_reset": operation(
        "Mail a single-use password-reset link; the same answer whether or not the account exists.",
        NOBODY,
        {"200": returns("Answered (a link was mailed if the account exists).", DetailSchema)},
        ("403", "429"),
        body=PasswordResetSchema,
    ),
    "passwords.password_reset_confirm": operation(
        "Set a new password with a reset link's token; every login session of the user ends.",
        NOBODY,
        {
            "200": returns("Reset.", DetailSchema),
            "400": returns(
                "The token is unknown, used or expired (token), or the new password breaks "
                "sign-up's rules (error, errors); or a body that is not JSON (detail).",
                {"oneOf": [ValidationErrorSchema, DetailSchema]},
            ),
        },
        ("403",),
        body=PasswordResetConfirmSchema,
    ),
    "users.list_users": operation(
        "User accounts by id, searched by username and email (superuser).",
        TOKEN,
        {"200": returns("Users.", array(AccountSchema), X_Total_Count=TOTAL)},
        ("400", "403"),
        parameters=[{"in": "query", "schema": UserQuerySchema}],
    ),
    "users.deactivate_user": operation(
        "Deactivate a user and end every session of theirs (superuser); refused (409) for "
        "the last active superuser.",
        TOKEN_AND_CSRF,
        {"200": ACCOUNT},
        ("403", "404", "409"),
    ),
    "users.activate_user": operation(
        "Let a deactivated user log in again (superuser).",
        TOKEN_AND_CSRF,
        {"200": ACCOUNT},
        ("403", "404"),
    ),
}
