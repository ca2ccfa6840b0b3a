"""The results as Markdown: absolute numbers per system, then the ratios that matter."""

from __future__ import annotations

from typing import Any

from benchmarks.measure import Sample
from benchmarks.scenarios import SCENARIOS

PROJECT, PEER, FLOOR, CEILING = "webstore", "DRF", "Flask floor", "raw WSGI"


def render(
    header: dict[str, Any],
    names: list[str],
    results: dict[tuple[str, str], Sample],
    scaling: dict[int, dict[str, float]],
    scale_out: dict[str, Any] | None,
    login_probe: dict[str, float],
) -> str:
    lines = [f"- {key}: {value}" for key, value in header.items() if key != "notes"]
    lines += [f"- note: {note}" for note in header["notes"]]
    lines += ["", "| scenario | system | req/s | p50 ms | p99 ms | CPU ms/req | worker RSS MiB |"]
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for scenario in SCENARIOS:
        for name in names:
            s = results[(scenario.name, name)]
            lines.append(
                f"| {scenario.name} | {name} | {s.rate:.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} "
                f"| {s.cpu_ms:.2f} | {s.rss_mb:.0f} |"
            )
    lines += ["", "| scenario | x DRF | of ceiling | of Flask floor | p99 vs DRF's |"]
    lines.append("|---|---:|---:|---:|---:|")
    for scenario in SCENARIOS:
        ours = results[(scenario.name, PROJECT)]
        peer = results.get((scenario.name, PEER))
        ceiling = results[(scenario.name, CEILING)]
        floor = results[(scenario.name, FLOOR)]
        versus = f"{ours.rate / peer.rate:.2f}x" if peer else "n/a"
        tail = f"{ours.p99_ms:.1f} vs {peer.p99_ms:.1f} ms" if peer else "n/a"
        lines.append(
            f"| {scenario.name} | {versus} | {ours.rate / ceiling.rate:.2f} "
            f"| {ours.rate / floor.rate:.2f} | {tail} |"
        )
    login = results[("login_view", PROJECT)]
    floor_login = results[("login_view", FLOOR)]
    lines += [
        "",
        f"login: {login.cpu_ms:.1f} ms server CPU per login; the Flask floor's login, one Argon2 "
        f"verify, {floor_login.cpu_ms:.1f} ms in the same rounds: "
        f"{login.cpu_ms - floor_login.cpu_ms:.1f} ms of other CPU "
        f"(one verify alone in a quiet process: {header['argon2_verify_ms']:.1f} ms)",
        "",
        f"login, other CPU (the login probe: Argon2 at its cheapest, same load): "
        f"{login_probe['cpu_ms']:.2f} ms per login, of which the verify is "
        f"{login_probe['verify_ms']:.2f} ms: **{login_probe['other_ms']:.2f} ms of other CPU**",
        "",
        "| products, one client, median ms | " + " | ".join(next(iter(scaling.values()))) + " |",
        "|---:|" + "---:|" * len(next(iter(scaling.values()))),
    ]
    for size, times in scaling.items():
        cells = " | ".join(f"{ms:.1f}" for ms in times.values())
        ratio = f" ({times[PEER] / times[PROJECT]:.1f}x faster)" if PEER in times else ""
        lines.append(f"| {size} | {cells}{ratio} |")
    if scale_out:
        lines += ["", "scale-out (two `webstore serve`, one PostgreSQL):"]
        lines += [f"- {key}: {value}" for key, value in scale_out.items()]
    return "\n".join(lines)
