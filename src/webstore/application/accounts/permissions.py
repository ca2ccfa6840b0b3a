"""Who may do what: checked in the use cases, never in the web layer."""

from __future__ import annotations

from webstore.application.dto import Principal
from webstore.application.errors import PermissionDenied


def require_superuser(actor: Principal) -> None:
    """Refuse a principal that does not even claim to be a superuser (the use case rechecks)."""
    if not actor.is_superuser:
        raise PermissionDenied()
