"""A body that stops coming gets the 408 JSON; one trickled whole is served; one cut off is
not stored. The order of checks holds: without a valid token or CSRF token, the answer is 403.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.integration.e2e.running import add_product, admin, customer, running
from tests.integration.faults.hostile_clients import Trickler, order_bytes, raw_headers

pytestmark = pytest.mark.slow

BODY_SECONDS = 10  # what a short body gets to arrive
ANSWERED_WITHIN = BODY_SECONDS + 20  # room for a loaded machine; before, never answered
TRICKLE_SECONDS = 3.0  # slow, but whole well within its time


def test_stalled_bodies_get_the_408_json_and_only_whole_orders_are_stored(
    sqlite_url: str, tmp_path: Path
) -> None:
    with running(sqlite_url, tmp_path / "server.log") as shop, ExitStack() as opened:
        product_id = add_product(shop, admin(shop), "Red chair", 100)
        headers = raw_headers(customer(shop, "buyer"))

        def start(address: str, sent: dict[str, str]) -> Trickler:
            trickler = Trickler.start(
                shop, "/api/post_order", order_bytes(product_id, address), sent
            )
            opened.callback(trickler.close)
            return trickler

        stalled, slow, cut = (
            start("stalled", headers),
            start("whole", headers),
            start("cut", headers),
        )
        anonymous = start("anonymous", {})
        unchecked = start("unchecked", {**headers, "X-CSRFTOKEN": "forged"})
        for trickler in (stalled, anonymous, unchecked, cut):
            trickler.send(20)  # and not a byte more
        while not slow.done:
            slow.send(4)
            time.sleep(TRICKLE_SECONDS / len(slow.body) * 4)
        served = slow.answer(ANSWERED_WITHIN)
        cut.close()
        timed_out = stalled.answer(ANSWERED_WITHIN)
        refused = anonymous.answer(ANSWERED_WITHIN), unchecked.answer(ANSWERED_WITHIN)
        closed = stalled.closed_by_server(ANSWERED_WITHIN)
        stored = stored_addresses(sqlite_url)

    assert served[0] == 201, served
    status, answer_headers, body = timed_out
    assert status == 408, timed_out
    assert answer_headers["content-type"] == "application/json"
    assert body == {"detail": "The request body did not arrive in time."}
    assert closed  # where a next request would start is unknown
    assert [answer[:3:2] for answer in refused] == [
        (403, {"detail": "Authentication credentials were not provided."}),
        (403, {"detail": "CSRF Failed: CSRF token incorrect."}),
    ]
    assert stored == {served[2]["id"]: "whole"}  # once; none of the others


def stored_addresses(sqlite_url: str) -> dict[int, str]:
    engine = sa.create_engine(sqlite_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, address FROM orders"))
            return {int(order_id): str(address) for order_id, address in rows}
    finally:
        engine.dispose()
