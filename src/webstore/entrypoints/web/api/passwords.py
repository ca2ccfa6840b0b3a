"""Passwords: change one's own, ask for a reset link by mail, reset with it."""

from __future__ import annotations

from flask import Blueprint, request

from webstore.entrypoints.web.bodies import fields_of
from webstore.entrypoints.web.json_codec import json_object, webstore
from webstore.entrypoints.web.openapi.request_schemas import (
    ChangePasswordSchema,
    PasswordResetConfirmSchema,
    PasswordResetSchema,
)
from webstore.entrypoints.web.security import check_origin, current_principal, require_auth

bp = Blueprint("passwords", __name__, url_prefix="/api")
CHANGE = ChangePasswordSchema()
RESET = PasswordResetSchema()
CONFIRM = PasswordResetConfirmSchema()
# The answers of dj-rest-auth, the usual DRF package for these endpoints.
CHANGED = {"detail": "New password has been saved."}
RESET_SENT = {"detail": "Password reset e-mail has been sent."}
RESET_DONE = {"detail": "Password has been reset with the new password."}


@bp.post("/change_password")
@require_auth
def change_password() -> dict[str, str]:
    old_password, new_password = fields_of(json_object(), CHANGE)
    webstore().change_own_password(
        current_principal(), old_password, new_password, request.remote_addr
    )
    return CHANGED


# Nobody is logged in to ask for a reset, so there is no CSRF token to check (ours are signed
# for a user): these two are CSRF-exempt, as sign_in is, but a foreign Origin is refused.
@bp.post("/password_reset")
def password_reset() -> dict[str, str]:
    check_origin()
    (username_or_email,) = fields_of(json_object(), RESET)
    webstore().request_password_reset(username_or_email, request.remote_addr)
    return RESET_SENT  # whether or not the account exists


@bp.post("/password_reset/confirm")
def password_reset_confirm() -> dict[str, str]:
    check_origin()
    token, new_password = fields_of(json_object(), CONFIRM)
    webstore().reset_password(token, new_password)
    return RESET_DONE
