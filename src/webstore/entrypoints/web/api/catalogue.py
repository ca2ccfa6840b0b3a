"""The public catalogue: what is on sale, for anyone, in answers that caches may keep.

No token is needed, and one that is sent is not looked at (a bad one does not turn a public
page into a 403): every visitor gets the same bytes, so the answers carry no ``Vary`` of their
own, never a cookie, and a strong ``ETag`` (``conditional.py``).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.conditional import public_answer
from webstore.entrypoints.web.fast_listings.cache import listing_cache
from webstore.entrypoints.web.json_codec import dumps, settings, webstore

bp = Blueprint("catalogue", __name__, url_prefix="/api")


@bp.get("/catalogue")
def list_catalogue() -> Response:
    store, args = webstore(), request.args
    body, total = listing_cache().encoded(
        "catalogue",
        lambda known: store.list_products_versioned(
            known, args.get("limit"), args.get("offset"), args.get("search")
        ),
        serializers.catalogue_product,
    )
    return public_answer(
        body, max_age=settings().catalogue_max_age, headers={"X-Total-Count": total}
    )


@bp.get("/catalogue/<id:product_id>")
def get_catalogue_product(product_id: int) -> Response:
    product = webstore().get_product(None, product_id)
    body = dumps(serializers.catalogue_product(product)).encode()
    return public_answer(body, max_age=settings().catalogue_max_age)
