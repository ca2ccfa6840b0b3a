"""Load from ``wrk``: one run, parsed into numbers (installed from Debian when missing)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

# Printed by wrk when the run is done: the numbers we keep, as one JSON line. Threads that
# draw their requests (``mix_script``) count what they drew; the counts are added up here.
DONE = """
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end
done = function(summary, latency, requests)
  local e = summary.errors
  local drawn = {0, 0, 0}
  for _, thread in ipairs(threads) do
    for kind = 1, 3 do drawn[kind] = drawn[kind] + (thread:get("drawn_" .. kind) or 0) end
  end
  io.write(string.format(
    '\\n{"requests":%d,"duration_us":%d,"socket_errors":%d,"bad_status":%d,' ..
    '"p50_us":%d,"p99_us":%d,"drawn":[%d,%d,%d]}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), drawn[1], drawn[2], drawn[3]))
end
"""

# Each request draws its customer and what it asks for (wrk calls ``request`` for every
# request it sends, on any of its keep-alive connections): a product listing, the
# customer's own orders, or one unit of a random product.
MIX = """
local customers = {%(customers)s}
local listings, own_orders, products = %(listings)d, %(own_orders)d, %(products)d
local order = '{"address":%(address)s,"phone":%(phone)s,' ..
  '"items":[{"product_id":%%d,"amount":1}]}'
init = function(args)
  math.randomseed(os.time() * 1000 + thread_number)
  drawn_1, drawn_2, drawn_3 = 0, 0, 0
end
-- Each distinct request is formatted once per thread, then sent as kept: the client's own
-- cost per request stays near a fixed request's, so that it does not cap what is measured.
local formatted = {}
local function kept(key, method, path, headers, body)
  local text = formatted[key]
  if text == nil then
    text = wrk.format(method, path, headers, body)
    formatted[key] = text
  end
  return text
end
request = function()
  local n = math.random(#customers)
  local customer = customers[n]
  local draw = math.random(100)
  if draw <= listings then
    drawn_1 = drawn_1 + 1
    return kept(n * 1000, "GET", "/api/get_all_products", customer)
  elseif draw <= listings + own_orders then
    drawn_2 = drawn_2 + 1
    return kept(n * 1000 + 1, "GET", "/api/get_order", customer)
  end
  drawn_3 = drawn_3 + 1
  local product = math.random(products)
  return kept(n * 1000 + 1 + product, "POST", "/api/post_order", customer,
    string.format(order, product))
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    socket_errors: int
    bad_status: int  # answers with a status of 400 or more
    p50_ms: float
    p99_ms: float
    drawn: tuple[int, int, int] = (0, 0, 0)  # a mix's listings, own orders, checkouts

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def ensure_wrk() -> str:
    """The path of wrk; installed with apt-get when missing and allowed, else a clear exit."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing: install it (Debian: sudo apt-get install -y wrk)")
    return found


def script(method: str, body: str | None) -> str:
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    return "\n".join(lines) + DONE


def mix_script(
    listings: int,
    own_orders: int,
    customers: list[dict[str, str]],
    products: int,
    address: str,
    phone: str,
) -> str:
    """A script whose every request is drawn (see ``MIX``): ``customers`` are each one's
    headers, ``products`` the number of products (ids 1 to it) to order from."""

    def table(headers: dict[str, str]) -> str:
        pairs = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        return "{" + pairs + ', ["Content-Type"] = "application/json"}'

    return (
        MIX
        % {
            "customers": ",\n".join(table(c) for c in customers),
            "listings": listings,
            "own_orders": own_orders,
            "products": products,
            "address": json.dumps(address),
            "phone": json.dumps(phone),
        }
        + DONE
    )


def run(
    url: str,
    *,
    seconds: float,
    connections: int,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    lua: str | None = None,
) -> Load:
    """One wrk run; ``lua``: a whole script (``mix_script``) instead of one fixed request."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua or script(method, body))
    command = [
        ensure_wrk(),
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--script",
        handle.name,
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    try:
        output = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
    finally:
        os.unlink(handle.name)
    numbers = json.loads(output.strip().splitlines()[-1])
    return Load(
        requests=numbers["requests"],
        seconds=numbers["duration_us"] / 1e6,
        socket_errors=numbers["socket_errors"],
        bad_status=numbers["bad_status"],
        p50_ms=numbers["p50_us"] / 1000,
        p99_ms=numbers["p99_us"] / 1000,
        drawn=tuple(numbers["drawn"]),
    )
