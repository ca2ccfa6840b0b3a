"""User accounts, for staff: the list, and deactivating or reactivating one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.json_codec import JsonResponse, dumps, webstore
from webstore.entrypoints.web.security import current_principal, require_auth

bp = Blueprint("users", __name__, url_prefix="/api")
USER_ID = "<id:user_id>"


@bp.get("/users")
@require_auth
def list_users() -> Response:
    args = request.args
    # ids=1,2,3; a repeated ids=1&ids=2 reads as the same list.
    ids = ",".join(args.getlist("ids")) if "ids" in args else None
    page = webstore().list_users(
        current_principal(), args.get("search"), ids, args.get("limit"), args.get("offset")
    )
    body = dumps([serializers.account(user) for user in page.items])
    return JsonResponse(body, 200, headers={"X-Total-Count": str(page.total)})


@bp.post(f"/users/{USER_ID}/deactivate")
@require_auth
def deactivate_user(user_id: int) -> dict[str, Any]:
    return serializers.account(webstore().set_user_active(current_principal(), user_id, False))


@bp.post(f"/users/{USER_ID}/activate")
@require_auth
def activate_user(user_id: int) -> dict[str, Any]:
    return serializers.account(webstore().set_user_active(current_principal(), user_id, True))
